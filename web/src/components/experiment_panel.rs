//! Experiments: pick one change (revoke the grant, disable the key, flip a stored byte,
//! edit the key policy, ...), run the scenario with it, and see where and why it fails;
//! "Reset experiment" shows the unmodified run again.

use std::rc::Rc;

use kmsplay_core::kms::Outcome;
use kmsplay_core::scenario::experiment::{experiments_for, Experiment, ExperimentOption};
use kmsplay_core::scenario::ScenarioError;
use kmsplay_core::trace::Step;
use yew::{component, html, use_memo, use_state_eq, Callback, Event, Html, Properties, TargetCast};

use crate::components::policy_editor::PolicyEditor;
use crate::state::{inserts_a_step, Action, Loaded, Placement, PolicyDraft, Tab, EDIT_POLICY};

/// The experiment panel's properties.
#[derive(Properties, PartialEq)]
pub struct ExperimentPanelProps {
    /// The run shown (an experiment's, or the unmodified one).
    pub loaded: Rc<Loaded>,
    /// Where inserted steps go.
    pub placement: Placement,
    /// The scenario step of the trace step shown, when "before the step shown" applies.
    pub current_scenario_step: Option<usize>,
    /// Why the last experiment was refused.
    pub error: Option<ScenarioError>,
    /// The key policy editor, when open.
    pub policy: Option<PolicyDraft>,
    /// Whether a run is in progress.
    pub running: bool,
    /// Sends an action.
    pub on_action: Callback<Action>,
}

/// The panel above the step bar.
#[component]
pub fn ExperimentPanel(props: &ExperimentPanelProps) -> Html {
    let base = props.loaded.base();
    let options: Rc<Vec<ExperimentOption>> = {
        let base = base.clone();
        use_memo(base.id, move |_| experiments_for(&base.scenario.source))
    };
    let active = props.loaded.experiment.as_ref();
    // The option picked in the list: the active experiment's, until another is picked.
    let picked = use_state_eq(|| None::<String>);
    let picked_label = (*picked)
        .clone()
        .or_else(|| active.map(|a| a.label.clone()))
        .filter(|l| options.iter().any(|o| &o.label == l))
        .or_else(|| options.first().map(|o| o.label.clone()));
    let choice = picked_label
        .as_ref()
        .and_then(|l| options.iter().find(|o| &o.label == l));

    if options.is_empty() {
        return html! {
            <section class="panel experiments" aria-labelledby="experiments-heading" data-testid="experiments">
                <h2 id="experiments-heading">{ "Experiments" }</h2>
                <p class="muted">{ "This scenario creates no KMS key, WorkMail organization or SES rule to experiment on." }</p>
            </section>
        };
    }

    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |e: Event| {
            picked.set(Some(
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value(),
            ));
        })
    };
    let on_try = {
        let on_action = props.on_action.clone();
        let choice = choice.cloned();
        Callback::from(move |_| {
            let Some(choice) = &choice else {
                return;
            };
            match choice.experiment {
                Experiment::EditPolicy { .. } => on_action.emit(Action::OpenPolicyEditor),
                _ => on_action.emit(Action::ApplyExperiment {
                    label: choice.label.clone(),
                    experiment: choice.experiment.clone(),
                }),
            }
        })
    };
    let on_reset = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(Action::ResetExperiment))
    };
    let place = |placement: Placement| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(Action::Place(placement)))
    };
    let default_at = choice.and_then(|c| insert_position(&c.experiment));
    // "Before the step shown" holds only while there is a step of the unmodified run shown.
    let before_current =
        props.placement == Placement::BeforeCurrent && props.current_scenario_step.is_some();
    let call_of = |i: usize| {
        base.scenario
            .steps
            .get(i)
            .map(|s| format!("scenario step {} ({})", i + 1, s.call))
            .unwrap_or_else(|| "the end".to_owned())
    };

    html! {
        <section class="panel experiments" aria-labelledby="experiments-heading" data-testid="experiments">
            <div class="experiment-row">
                <h2 id="experiments-heading">{ "Experiments" }</h2>
                <label class="experiment-choice">
                    <span class="sr-only">{ "Experiment to try" }</span>
                    <select data-testid="experiment-choice" onchange={on_pick}>
                        { for options.iter().map(|o| html! {
                            <option value={o.label.clone()} selected={picked_label.as_deref() == Some(o.label.as_str())}>
                                { o.label.clone() }
                            </option>
                        }) }
                    </select>
                </label>
                <button type="button" class="primary" onclick={on_try} disabled={props.running}
                        data-testid="experiment-try">
                    { if choice.is_some_and(|c| c.label == EDIT_POLICY) { "Edit the policy" } else { "Try it" } }
                </button>
                if active.is_some() {
                    <button type="button" class="secondary" onclick={on_reset.clone()} data-testid="experiment-reset">
                        { "Reset experiment" }
                    </button>
                }
            </div>
            if let Some(choice) = choice {
                <p class="experiment-description muted">{ choice.description.clone() }</p>
            }
            if let Some(at) = default_at {
                <fieldset class="placement">
                    <legend>{ "Insert the change" }</legend>
                    <label>
                        <input type="radio" name="placement" checked={!before_current}
                               onchange={place(Placement::Default)} />
                        { format!(" where it shows best: before {}", call_of(at)) }
                    </label>
                    <label>
                        <input type="radio" name="placement" checked={before_current}
                               disabled={props.current_scenario_step.is_none()}
                               onchange={place(Placement::BeforeCurrent)} />
                        { match props.current_scenario_step {
                            Some(i) => format!(" before the step shown: {}", call_of(i)),
                            None => " before the step shown (reset the experiment first)".to_owned(),
                        } }
                    </label>
                </fieldset>
            }
            if let Some(error) = &props.error {
                <div class="error-box" role="alert" data-testid="experiment-error">
                    <p>
                        <strong>{ "Not run: " }</strong>
                        if !error.path.is_empty() { <code>{ error.path.clone() }</code>{ ": " } }
                        { error.message.clone() }
                    </p>
                </div>
            }
            if let Some(draft) = &props.policy {
                <PolicyEditor draft={draft.clone()} region={base.scenario.region.clone()}
                              account={base.scenario.account.clone()} running={props.running}
                              on_action={props.on_action.clone()} />
            }
            if active.is_some() {
                { outcome(&props.loaded, &props.on_action) }
            }
        </section>
    }
}

/// Where an inserting experiment goes by default.
fn insert_position(e: &Experiment) -> Option<usize> {
    if !inserts_a_step(e) {
        return None;
    }
    match e {
        Experiment::RevokeGrant { at }
        | Experiment::DisableKey { at }
        | Experiment::ScheduleKeyDeletion { at }
        | Experiment::AdvanceClock { at, .. }
        | Experiment::FlipByte { at, .. } => Some(*at),
        _ => None,
    }
}

/// What the experiment changed: where the runs first differ, and the failure it caused
/// with its explanation and, for a refusal, the authorization decision.
fn outcome(loaded: &Loaded, on_action: &Callback<Action>) -> Html {
    let Some(run) = &loaded.experiment else {
        return Html::default();
    };
    let go = |step: usize| {
        let on_action = on_action.clone();
        Callback::from(move |_| on_action.emit(Action::GoTo(step)))
    };
    let difference = match run
        .first_difference
        .and_then(|d| loaded.step(d).map(|s| (d, s)))
    {
        Some((d, step)) => html! {
            <p>
                { "The run first differs from the unmodified one at " }
                <button type="button" class="link" onclick={go(d)}>{ format!("step {}", d + 1) }</button>
                { format!(": {}.", step.title) }
            </p>
        },
        None => html! { <p>{ "The run is the same as the unmodified one, step for step." }</p> },
    };
    let failure = loaded
        .experiment_failure()
        .map(|s| failure_view(s, on_action));
    html! {
        <div class="experiment-outcome" role="status" data-testid="experiment-outcome">
            <p class="experiment-title">
                <span class="badge changed">{ "Experiment" }</span>{ " " }<strong>{ run.label.clone() }</strong>
            </p>
            { difference }
            { failure.unwrap_or_else(|| html! {
                <p class="muted">{ "No call fails in this run: compare the steps from the first difference on." }</p>
            }) }
        </div>
    }
}

fn failure_view(step: &Step, on_action: &Callback<Action>) -> Html {
    let Some(error) = &step.error else {
        return Html::default();
    };
    let index = step.index;
    let go = {
        let on_action = on_action.clone();
        Callback::from(move |_| on_action.emit(Action::GoTo(index)))
    };
    let show_decision = {
        let on_action = on_action.clone();
        Callback::from(move |_| {
            on_action.emit(Action::GoTo(index));
            on_action.emit(Action::ShowTab(Tab::Authorization));
        })
    };
    html! {
        <div class="error-box" data-testid="experiment-failure">
            <p>
                <button type="button" class="link" onclick={go}>{ format!("Step {}", index + 1) }</button>
                { " · " }
                { step.call.map(|c| html! { <code>{ c.to_string() }</code> }).unwrap_or_default() }
                { " fails with " }<code class="error-code">{ error.code.clone() }</code>
            </p>
            <p class="experiment-message">{ error.message.clone() }</p>
            if let Some(why) = &step.explanation {
                <p class="explanation"><strong>{ "Why: " }</strong>{ why.clone() }</p>
            }
            { for step.decisions.iter().filter(|d| !d.is_allowed()).map(|d| {
                let outcome = match d.outcome {
                    Outcome::ExplicitDeny => "denied explicitly by a Deny statement",
                    _ => "denied: no key policy statement, IAM policy or grant allows it",
                };
                html! {
                    <p class="explanation" data-testid="experiment-decision">
                        <strong>{ "Authorization: " }</strong>
                        <code>{ d.action.clone() }</code>{ format!(" by {} is {outcome}", d.principal) }
                        // The decision's sentence is usually the error message above.
                        if d.reason != error.message {
                            { format!(" — {}", d.reason) }
                        }
                        { " (" }
                        <button type="button" class="link" onclick={show_decision.clone()}>
                            { "see the decision statement by statement" }
                        </button>
                        { ")." }
                    </p>
                }
            }) }
        </div>
    }
}
