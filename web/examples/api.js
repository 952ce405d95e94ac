// Example: script the simulated KMS with the playground's JavaScript API.
import init, { Playground } from "./pkg/kmsplay_js.js";

const list = document.getElementById("steps");
function show(label, result) {
  const li = document.createElement("li");
  const outcome = result.error ? `${result.error.__type}: ${result.error.message}` : "ok";
  li.className = result.error ? "err" : "ok";
  li.textContent = `${label} → ${outcome}`;
  list.append(li);
  return result;
}

await init();

const playground = new Playground(7, {
  principals: {
    admin: {
      arn: "arn:aws:iam::111122223333:role/KeyAdmin",
      policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }],
    },
  },
});

show("CreateKey", playground.call({ id: "key", call: "kms:CreateKey", as: "admin", request: { Description: "api example" } }));
show("Encrypt \"hello world\" with context {tenant: blue}", playground.call({
  id: "enc", call: "kms:Encrypt", as: "admin",
  request: { KeyId: "${key.KeyMetadata.Arn}", Plaintext: btoa("hello world"), EncryptionContext: { tenant: "blue" } },
}));
const ok = show("Decrypt with {tenant: blue}", playground.call({
  call: "kms:Decrypt", as: "admin", request: { CiphertextBlob: "${enc.CiphertextBlob}", EncryptionContext: { tenant: "blue" } },
}));
if (ok.ok) show(`… the plaintext is "${atob(ok.ok.Plaintext)}"`, ok);
show("Decrypt with {tenant: red}", playground.call({
  call: "kms:Decrypt", as: "admin", request: { CiphertextBlob: "${enc.CiphertextBlob}", EncryptionContext: { tenant: "red" } },
}));

const run = new Playground().run("workmail-revoke-grant");
const met = run.steps.filter((s) => s.expectation === "met").length;
const failed = run.steps.filter((s) => s.expectation === "failed").length;
document.getElementById("summary").textContent =
  `${run.scenario}: ${run.steps.length} steps, ${met} expectations met, ${failed} failed, ${run.cloudtrail.length} CloudTrail events.`;

document.getElementById("trail").textContent = JSON.stringify(playground.cloudtrail(), null, 2);
document.body.dataset.done = "true";
