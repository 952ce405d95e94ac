// The world the snippets of sdk.html run against: the module "kmsplay" of the page's
// import map. A snippet imports `playground` (this run's simulated KMS, whose
// requestHandler() it gives to its KMSClient) and `show` (a line in the page's output).

import init, { Playground } from "./pkg/kmsplay_js.js";

await init();

/** Who may sign requests. Neither declares an accessKeyId, so each signs with its name. */
export const PRINCIPALS = {
  alice: {
    arn: "arn:aws:iam::111122223333:role/Alice",
    policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }],
  },
  bob: { arn: "arn:aws:iam::111122223333:role/Bob" },
};

/** This run's world (a live binding: each run gets a fresh one). */
export let playground = null;
let output = null;

/** A fresh world for the next run, whose `show` lines go to the list `list`. */
export function freshWorld(list) {
  playground = new Playground(7, { region: "us-east-1", account: "111122223333", principals: PRINCIPALS });
  output = list;
  return playground;
}

/** Shows one line of a snippet's output: a label and a value. */
export function show(label, value = "") {
  const li = document.createElement("li");
  const name = document.createElement("strong");
  name.textContent = label;
  li.append(name, document.createTextNode(value === "" ? "" : ` → ${typeof value === "string" ? value : JSON.stringify(value)}`));
  output?.append(li);
}
