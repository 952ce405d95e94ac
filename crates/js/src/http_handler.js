// The smithy HttpHandler (`@smithy/protocol-http`) that `@aws-sdk/client-kms` v3 sends
// every request through, answered by the playground's KMS wire layer (the same as
// `kmsplay serve`) instead of `fetch`: no request leaves the page.
//
// `answer(method, pathAndQuery, headers, body)` is the playground's `handle`; it returns
// `{statusCode, headers, body: Uint8Array}`, which the SDK's `collectBody` reads as is.

const encoder = new TextEncoder();

function queryString(query) {
  const parts = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(v == null ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
    }
  }
  return parts.join("&");
}

function bodyBytes(body) {
  if (body == null) return new Uint8Array();
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("the playground's request handler takes a string or bytes as the request body (KMS requests are JSON)");
}

export function httpHandler(answer) {
  const config = {};
  return {
    metadata: { handlerProtocol: "kmsplay/wire" },
    async handle(request, { abortSignal } = {}) {
      if (abortSignal?.aborted) {
        const error = new Error("Request aborted");
        error.name = "AbortError";
        throw error;
      }
      const query = queryString(request.query);
      const path = (request.path || "/") + (query ? `?${query}` : "");
      const response = answer(request.method, path, request.headers ?? {}, bodyBytes(request.body));
      return { response };
    },
    updateHttpClientConfig(key, value) {
      config[key] = value;
    },
    httpHandlerConfigs() {
      return config;
    },
    destroy() {},
  };
}
