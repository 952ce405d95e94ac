//! The key policy editor of the "Edit the key policy" experiment: presets from the AWS
//! documentation, a text area, and the decision re-evaluated as you type (the app applies
//! the text after a pause), with JSON and grammar mistakes shown inline.

use yew::{component, html, Callback, Html, Properties};

use crate::components::policy_presets::PolicyPresets;
use crate::components::text_area_input;

use crate::state::PolicyDraft;

/// The policy editor's properties.
#[derive(Properties, PartialEq)]
pub struct PolicyEditorProps {
    /// The text and its problem.
    pub draft: PolicyDraft,
    /// The scenario's Region (for the presets).
    pub region: String,
    /// The scenario's account (for the presets).
    pub account: String,
    /// Whether a run is in progress.
    pub running: bool,
    /// The text changed (typed, or a preset picked).
    pub on_input: Callback<String>,
    /// Closes the editor.
    pub on_close: Callback<()>,
}

/// The editor.
#[component]
pub fn PolicyEditor(props: &PolicyEditorProps) -> Html {
    let oninput = text_area_input(&props.on_input);
    let on_close = {
        let close = props.on_close.clone();
        Callback::from(move |_| close.emit(()))
    };
    let error = &props.draft.error;
    html! {
        <div class="policy-editor" data-testid="policy-editor">
            <div class="policy-editor-head">
                <label>
                    { "Start from " }
                    <PolicyPresets region={props.region.clone()} account={props.account.clone()}
                                   text={props.draft.text.clone()} none="the policy below (edited)"
                                   testid="policy-preset" on_pick={props.on_input.clone()} />
                </label>
                <button type="button" class="secondary" onclick={on_close}>{ "Close the policy editor" }</button>
            </div>
            <label class="sr-only" for="policy-text">{ "Key policy JSON" }</label>
            <textarea id="policy-text" class="code" data-testid="policy-text" rows="14"
                      spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                      value={props.draft.text.clone()} aria-invalid={error.is_some().to_string()}
                      aria-describedby="policy-status" {oninput} />
            <div id="policy-status" class="editor-status" aria-live="polite">
                if let Some(error) = error {
                    <div class="error-box" data-testid="policy-error">
                        <p>
                            <strong>{ "Not applied: " }</strong>
                            if !error.path.is_empty() { <code>{ error.path.clone() }</code>{ ": " } }
                            { error.message.clone() }
                        </p>
                    </div>
                } else if props.running {
                    <p class="muted">{ "Re-evaluating every decision…" }</p>
                } else {
                    <p class="muted">{ "Every decision of the run is evaluated against this policy; edits apply as you type, and the diagram shows what they break." }</p>
                }
            </div>
        </div>
    }
}
