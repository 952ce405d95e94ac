//! The line that shows the engine itself runs here, in WebAssembly.

use yew::{component, html, use_memo, Html};

use crate::engine_check::{self, EngineCheck};

/// Runs the engine's self-check once and says what it found.
#[component]
pub fn EngineStatus() -> Html {
    let check = use_memo((), |()| engine_check::run());
    match &*check {
        Ok(EngineCheck {
            plaintext_len,
            sealed_hex,
            runtime,
        }) => html! {
            <p class="engine-status ok" data-testid="engine-status">
                <span class="badge">{ "✓ engine running" }</span>
                { format!(
                    " AES-256-GCM from kmsplay-core, compiled to {runtime}, sealed a \
                      {plaintext_len}-byte message into {sealed_hex}…, opened it again and \
                      rejected a tampered copy."
                ) }
            </p>
        },
        Err(problem) => html! {
            <p class="engine-status failed" data-testid="engine-status">
                <span class="badge">{ "✗ engine check failed" }</span>
                { format!(" {problem}") }
            </p>
        },
    }
}
