// In-browser engine measurements for `cargo xtask bench`, driven by browser.mjs.
import init, { Playground, benchSealOpen, benchScale } from "./app/pkg/kmsplay_js.js";

const wasm = await init();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// AES-256-GCM seal+open of `size` bytes: the engine's wasm vs WebCrypto in this page.
async function aes(size, iterations, rounds) {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(7), "AES-GCM", false, ["encrypt", "decrypt"]);
  const iv = new Uint8Array(12).fill(9);
  const data = new Uint8Array(size).fill(1);
  const engine = [], webcrypto = [];
  benchSealOpen(size, 1);
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    benchSealOpen(size, iterations);
    engine.push((performance.now() - t) / iterations);
    t = performance.now();
    for (let i = 0; i < iterations; i++) {
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data);
      await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct);
    }
    webcrypto.push((performance.now() - t) / iterations);
  }
  return { size, engineMsPerOp: median(engine), engineMin: Math.min(...engine), engineMax: Math.max(...engine),
           webcryptoMsPerOp: median(webcrypto), webcryptoMin: Math.min(...webcrypto), webcryptoMax: Math.max(...webcrypto),
           ratio: median(engine) / median(webcrypto) };
}

// Re-running the longest built-in scenario (what an experiment does), in wasm.
function rerun() {
  const names = Playground.scenarios().map((s) => s.name);
  const p = new Playground();
  let longest = null;
  for (const n of names) {
    if (n.includes("legacy") || n.includes("asymmetric")) continue; // RSA key generation: measured apart
    const steps = Playground.scenario(n).steps.length;
    if (!longest || steps > longest.steps) longest = { name: n, steps };
  }
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    p.run(longest.name);
    times.push(performance.now() - t);
  }
  return { scenario: longest.name, steps: longest.steps, msMedian: median(times), msMin: Math.min(...times), msMax: Math.max(...times) };
}

function scale(mailboxes, perMailbox) {
  const t = performance.now();
  const report = benchScale(mailboxes, perMailbox);
  return { ...report, seconds: (performance.now() - t) / 1000, wasmMemoryBytes: wasm.memory.buffer.byteLength };
}

window.runBench = async (options) => ({
  aes: [await aes(1024, options.quick ? 20 : 500, 7), await aes(1 << 20, options.quick ? 2 : 10, 5)],
  rerun: rerun(),
  scale: scale(options.quick ? 20 : 1000, options.quick ? 5 : 100),
});
document.getElementById("status").textContent = "ready";
