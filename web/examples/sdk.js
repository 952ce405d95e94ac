// sdk.html: runs the snippets in the page, then draws what they did from the playground's
// JavaScript API: the decisions, the CloudTrail events and, in the embed view, the diagram
// of the recorded session.
//
// A snippet runs as an ES module from a blob: URL (the page's CSP allows `blob:` scripts
// and nothing like eval). Its bare imports resolve through the page's import map to the
// bundled SDKs in sdk/ and to this page's world (sdk-world.js), so it reads as the code of
// any app.

import { permalink } from "./pkg/kmsplay_js.js";
import { freshWorld, show } from "./sdk-world.js";

const decisions = document.getElementById("decisions");
const trail = document.getElementById("cloudtrail");
const trailJson = document.getElementById("cloudtrail-json");
const slot = document.getElementById("diagram-slot");
const status = document.getElementById("status");

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
}

function draw(world, label) {
  const steps = world.trace().steps.filter((s) => s.call);
  decisions.replaceChildren(
    ...steps.map((s) => {
      const li = document.createElement("li");
      const outcome = s.error ? `refused: ${s.error.__type}` : "ok";
      const why = s.decisions.map((d) => `${d.outcome} ${d.action} for ${d.principal}`).join("; ");
      li.className = s.error ? "err" : "ok";
      li.textContent = `${s.title} — ${outcome}${why ? ` (${why})` : ""}${s.explanation ? `. ${s.explanation}` : ""}`;
      return li;
    }),
  );
  const events = world.cloudtrail();
  trail.replaceChildren(
    ...events.map((e) => {
      const row = document.createElement("tr");
      cell(row, e.eventName);
      cell(row, e.userIdentity?.arn ?? "");
      cell(row, e.errorCode ?? "ok");
      cell(row, JSON.stringify(e.requestParameters?.encryptionContext ?? {}));
      return row;
    }),
  );
  trailJson.textContent = JSON.stringify(events, null, 2);
  const recorded = world.recordedScenario();
  recorded.title = `What the ${label} snippet did`;
  const last = Math.max(0, world.trace().steps.length - 1);
  // embed.js's <kms-playground>: an iframe of embed.html that reruns the recorded session.
  let diagram = slot.querySelector("kms-playground");
  if (!diagram) {
    diagram = document.createElement("kms-playground");
    diagram.setAttribute("height", "560");
    slot.append(diagram);
  }
  diagram.setAttribute("label", `Diagram of what the ${label} snippet did`);
  diagram.setAttribute("view", permalink(recorded, last));
}

async function run(which) {
  const code = document.getElementById(`${which}-code`).value;
  const output = document.getElementById(`${which}-output`);
  const label = which === "sdk" ? "SDK v3" : "Encryption SDK";
  output.replaceChildren();
  document.body.dataset[which] = "running";
  status.textContent = `Running the ${label} snippet…`;
  const world = freshWorld(output);
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  let failed = false;
  try {
    await import(url);
  } catch (err) {
    failed = true;
    show("The snippet stopped", `${err?.name ?? "Error"}: ${err?.message ?? err}`);
    output.lastElementChild?.classList.add("err");
  } finally {
    URL.revokeObjectURL(url);
  }
  draw(world, label);
  status.textContent = `The ${label} snippet ${failed ? "stopped with an error" : "ran"}: ${world.cloudtrail().length} KMS calls.`;
  document.body.dataset[which] = failed ? "failed" : "done";
}

for (const which of ["sdk", "esdk"]) {
  document.getElementById(`run-${which}`).addEventListener("click", () => run(which));
}
document.body.dataset.ready = "true";
