//! The scenario editor: the running scenario's JSON, editable; Run replaces the run only
//! when the text is a valid scenario, otherwise it says where and why, inline.

use std::rc::Rc;

use kmsplay_core::scenario::ScenarioError;
use yew::{component, html, Callback, Html, InputEvent, KeyboardEvent, Properties, TargetCast};

use crate::state::{Loaded, Origin};

/// The editor's properties.
#[derive(Properties, PartialEq)]
pub struct ScenarioEditorProps {
    /// The editor's text.
    pub text: String,
    /// Why the last Run was refused.
    pub error: Option<ScenarioError>,
    /// The run shown.
    pub loaded: Option<Rc<Loaded>>,
    /// Whether a run is in progress.
    pub running: bool,
    /// The text changed.
    pub on_input: Callback<String>,
    /// Runs the text.
    pub on_run: Callback<()>,
    /// Puts the running scenario's text back.
    pub on_reset: Callback<()>,
}

/// The editor panel.
#[component]
pub fn ScenarioEditor(props: &ScenarioEditorProps) -> Html {
    let oninput = {
        let on_input = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            let text = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            on_input.emit(text);
        })
    };
    let onkeydown = {
        let on_run = props.on_run.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_run.emit(());
            }
        })
    };
    let run = {
        let on_run = props.on_run.clone();
        Callback::from(move |_| on_run.emit(()))
    };
    let reset = {
        let on_reset = props.on_reset.clone();
        Callback::from(move |_| on_reset.emit(()))
    };
    let unchanged = props.loaded.as_ref().is_some_and(|l| l.text == props.text);
    let status = match (&props.error, &props.loaded) {
        (Some(_), _) => None,
        (None, Some(l)) if unchanged => Some(match l.origin {
            Origin::Builtin(name) => format!("Showing the built-in scenario \"{name}\"."),
            Origin::Edited => "Showing your edited scenario.".to_owned(),
        }),
        (None, Some(_)) => Some("Edited: press Run to see the new run.".to_owned()),
        (None, None) => None,
    };
    html! {
        <section class="editor" aria-labelledby="editor-heading">
            <div class="panel-head">
                <h2 id="editor-heading">{ "Scenario editor" }</h2>
                <p class="muted">
                    { "Change the scenario and run it again: revoke a grant, change the encryption \
                       context, advance the clock by 61 seconds, edit a key policy. \
                       Ctrl+Enter runs it." }
                </p>
            </div>
            <label class="sr-only" for="scenario-text">{ "Scenario JSON" }</label>
            <textarea id="scenario-text" class="code" data-testid="editor"
                      spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                      rows="18" value={props.text.clone()}
                      aria-invalid={props.error.is_some().to_string()}
                      aria-describedby="editor-status"
                      {oninput} {onkeydown} />
            <div class="editor-actions">
                <button type="button" class="primary" onclick={run} disabled={props.running}>
                    { if props.running { "Running…" } else { "Run" } }
                </button>
                <button type="button" class="secondary" onclick={reset} disabled={unchanged && props.error.is_none()}>
                    { "Undo edits" }
                </button>
                <div id="editor-status" class="editor-status" aria-live="polite">
                    if let Some(error) = &props.error {
                        <div class="error-box" role="alert" data-testid="editor-error">
                            <p>
                                <strong>{ "Not run: " }</strong>
                                if !error.path.is_empty() { <code>{ error.path.clone() }</code>{ ": " } }
                                { error.message.clone() }
                            </p>
                            <p class="muted">{ "The page still shows the last good run." }</p>
                        </div>
                    }
                    if let Some(status) = status {
                        <p class="muted">{ status }</p>
                    }
                </div>
            </div>
        </section>
    }
}
