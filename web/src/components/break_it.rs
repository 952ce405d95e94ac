//! "Break it": the experiments a scenario offers, in a menu in the stage. Each says what
//! it changes (and what it changes first to be possible); picking one runs the scenario
//! again with that one change, and the diagram draws what breaks.

use std::rc::Rc;

use kmsplay_core::scenario::experiment::{Experiment, ExperimentOption};
use kmsplay_core::scenario::ScenarioError;
use yew::{classes, component, html, Callback, Html, Properties};

use crate::hooks::use_popover;
use crate::state::Placement;

/// Where "before the step shown" would insert, and what "where it shows best" means for
/// the option picked, in the run's own step numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceWords {
    /// "before step 14 (Decrypt the mailbox key with KMS)" for the default place.
    pub default: Option<String>,
    /// The same for the step shown, when an unmodified run is shown.
    pub current: Option<String>,
}

/// The menu's properties.
#[derive(Properties, PartialEq)]
pub struct BreakItProps {
    /// The experiments offered, with the run's step numbers.
    pub options: Rc<Vec<ExperimentOption>>,
    /// The active experiment's label, if any.
    pub active: Option<String>,
    /// Where inserted steps go.
    pub placement: Placement,
    /// What the two places mean, per option (same order as `options`).
    pub places: Rc<Vec<PlaceWords>>,
    /// Why the last experiment was refused.
    pub error: Option<ScenarioError>,
    /// Whether a run is in progress.
    pub running: bool,
    /// Runs an experiment (label, change).
    pub on_apply: Callback<(String, Experiment)>,
    /// Opens the key policy editor.
    pub on_edit_policy: Callback<()>,
    /// Chooses where inserted steps go.
    pub on_place: Callback<Placement>,
}

/// The "Break it" button and its menu.
#[component]
pub fn BreakIt(props: &BreakItProps) -> Html {
    let menu = use_popover();
    if props.options.is_empty() {
        return html! {
            <div class="break-it">
                <button type="button" class="break-it-button" disabled=true
                        title="This scenario creates no KMS key, WorkMail organization or SES rule to experiment on">
                    { "Break it" }
                </button>
            </div>
        };
    }
    let place = |placement: Placement| {
        let on_place = props.on_place.clone();
        Callback::from(move |_| on_place.emit(placement))
    };
    // "Before the step shown" exists only while an unmodified run is shown.
    let current = props.places.iter().find_map(|p| p.current.clone());
    let before_current = props.placement == Placement::BeforeCurrent && current.is_some();
    let options = props.options.iter().zip(props.places.iter()).map(|(o, place_words)| {
        let onclick = {
            let set = menu.set.clone();
            let on_apply = props.on_apply.clone();
            let on_edit_policy = props.on_edit_policy.clone();
            let option = o.clone();
            Callback::from(move |_| {
                set.emit(false);
                match option.experiment {
                    Experiment::EditPolicy { .. } => on_edit_policy.emit(()),
                    _ => on_apply.emit((option.label.clone(), option.experiment.clone())),
                }
            })
        };
        let active = props.active.as_deref() == Some(o.label.as_str());
        let at = match (&place_words.default, &place_words.current, before_current) {
            (Some(_), Some(c), true) => Some(c.clone()),
            (Some(d), _, _) => Some(d.clone()),
            _ => None,
        };
        html! {
            <li>
                <button type="button" class={classes!("break-option", active.then_some("active"))}
                        data-testid="experiment-option" data-label={o.label.clone()}
                        aria-current={active.then_some("true")}
                        disabled={props.running} {onclick}>
                    <span class="option-label">{ o.label.clone() }</span>
                    <span class="option-description">{ o.description.clone() }</span>
                    if let Some(note) = &o.note {
                        <span class="option-note">{ format!("First: {note}.") }</span>
                    }
                    if let Some(at) = at {
                        <span class="option-at">{ format!("Inserted {at}.") }</span>
                    }
                </button>
            </li>
        }
    });
    html! {
        <div class="break-it" onkeydown={menu.onkeydown.clone()}>
            { menu.backdrop() }
            <button type="button" class="break-it-button" ref={menu.button.clone()} aria-expanded={menu.open.to_string()}
                    aria-controls="break-menu" data-testid="break-it" onclick={menu.toggle.clone()}>
                <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d="M13 2 L4 14 h7 l-1 8 l9 -12 h-7 z" />
                </svg>
                <span>{ "Break it" }</span>
            </button>
            <div id="break-menu" class="break-menu" hidden={!menu.open} data-testid="experiments">
                <p class="menu-head">{ "Change one thing, run the scenario again, and watch the diagram." }</p>
                <ul class="break-options">{ for options }</ul>
                if current.is_some() || props.placement == Placement::BeforeCurrent {
                    <fieldset class="placement">
                        <legend>{ "Insert a step" }</legend>
                        <label>
                            <input type="radio" name="placement" checked={!before_current}
                                   onchange={place(Placement::Default)} />
                            { " where it shows best" }
                        </label>
                        <label>
                            <input type="radio" name="placement" checked={before_current}
                                   disabled={current.is_none()}
                                   onchange={place(Placement::BeforeCurrent)} />
                            { match &current {
                                Some(c) => format!(" {c}: the step shown"),
                                None => " before the step shown (reset the experiment first)".to_owned(),
                            } }
                        </label>
                    </fieldset>
                }
            </div>
            if let Some(error) = &props.error {
                <div class="error-box experiment-error" role="alert" data-testid="experiment-error">
                    <p>
                        <strong>{ "Not run: " }</strong>
                        if !error.path.is_empty() { <code>{ error.path.clone() }</code>{ ": " } }
                        { error.message.clone() }
                    </p>
                </div>
            }
        </div>
    }
}
