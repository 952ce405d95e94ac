//! The key policy editor of the "Edit the key policy" experiment: presets from the AWS
//! documentation, a text area, and the decision re-evaluated as you type (the app applies
//! the text after a pause), with JSON and grammar mistakes shown inline.

use std::rc::Rc;

use kmsplay_core::scenario::experiment::policy_presets;
use yew::{component, html, use_memo, Callback, Event, Html, InputEvent, Properties, TargetCast};

use crate::state::{Action, PolicyDraft};

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
    /// Sends an action.
    pub on_action: Callback<Action>,
}

/// The editor.
#[component]
pub fn PolicyEditor(props: &PolicyEditorProps) -> Html {
    let presets: Rc<Vec<(String, String)>> = use_memo(
        (props.region.clone(), props.account.clone()),
        |(region, account)| policy_presets(region, account),
    );
    let on_preset = {
        let on_action = props.on_action.clone();
        let presets = presets.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some((_, text)) = value.parse::<usize>().ok().and_then(|i| presets.get(i)) {
                on_action.emit(Action::PolicyInput(text.clone()));
            }
        })
    };
    let oninput = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            on_action.emit(Action::PolicyInput(
                e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                    .value(),
            ));
        })
    };
    let on_close = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(Action::ClosePolicyEditor))
    };
    let current = presets
        .iter()
        .position(|(_, text)| *text == props.draft.text);
    let error = &props.draft.error;
    html! {
        <div class="policy-editor" data-testid="policy-editor">
            <div class="policy-editor-head">
                <label>
                    { "Start from " }
                    <select onchange={on_preset} data-testid="policy-preset">
                        <option value="" selected={current.is_none()}>{ "the policy below (edited)" }</option>
                        { for presets.iter().enumerate().map(|(i, (name, _))| html! {
                            <option value={i.to_string()} selected={current == Some(i)}>{ name.clone() }</option>
                        }) }
                    </select>
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
                    <p class="muted">{ "Every decision below is evaluated against this policy; edits apply as you type." }</p>
                }
            </div>
        </div>
    }
}
