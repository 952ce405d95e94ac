// The Encryption SDK's ASN.1 code (asn1.js, for its ECDSA signatures) uses Node's global
// `Buffer`; esbuild injects this module wherever a bundled file names it.
export { Buffer } from "buffer";
