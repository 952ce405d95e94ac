//! What an experiment did, in the stage above the diagram: what it changed (and what it
//! changed first), where the run first differs, and where it fails, each a step away.
//! It takes focus when the reader asked for the experiment.

use std::rc::Rc;

use kmsplay_core::scenario::experiment::change_summary;
use yew::{component, html, use_effect_with, use_node_ref, Callback, Html, Properties};

use crate::state::Loaded;

/// The banner's properties.
#[derive(Properties, PartialEq)]
pub struct ExperimentBannerProps {
    /// The experiment's run.
    pub loaded: Rc<Loaded>,
    /// Goes to a step.
    pub on_go: Callback<usize>,
    /// Shows the unmodified run again.
    pub on_reset: Callback<()>,
}

/// The banner.
#[component]
pub fn ExperimentBanner(props: &ExperimentBannerProps) -> Html {
    let root = use_node_ref();
    let loaded = &props.loaded;
    {
        let root = root.clone();
        let asked = loaded.experiment.as_ref().is_some_and(|e| e.asked);
        use_effect_with(loaded.id, move |_| {
            if asked {
                if let Some(el) = root.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    let Some(run) = &loaded.experiment else {
        return Html::default();
    };
    let base = &run.base;
    let summary = change_summary(&base.scenario.source, &run.experiment);
    let go = |step: usize| {
        let on_go = props.on_go.clone();
        Callback::from(move |_| on_go.emit(step))
    };
    let on_reset = {
        let on_reset = props.on_reset.clone();
        Callback::from(move |_| on_reset.emit(()))
    };
    let difference = match run
        .first_difference
        .and_then(|d| loaded.step(d).map(|s| (d, s)))
    {
        Some((d, step)) => html! {
            <p class="experiment-line">
                <span class="what">{ "First differs at " }</span>
                <button type="button" class="link" onclick={go(d)}>{ format!("step {}", d + 1) }</button>
                { format!(": {}", step.title) }
                if let Some(first) = &summary.first {
                    { format!(" — {first}.") }
                }
            </p>
        },
        None => {
            html! { <p class="experiment-line">{ "The run is the same as the unmodified one, step for step." }</p> }
        }
    };
    let failure = match loaded.experiment_failure() {
        Some(step) => {
            let code = step
                .error
                .as_ref()
                .map(|e| e.code.clone())
                .unwrap_or_default();
            html! {
                <p class="experiment-line" data-testid="experiment-failure">
                    <span class="what">{ "Fails at " }</span>
                    <button type="button" class="link" onclick={go(step.index)}>{ format!("Step {}", step.index + 1) }</button>
                    { format!(": {} — ", step.title) }
                    <code class="error-code">{ code }</code>
                </p>
            }
        }
        None => html! {
            <p class="experiment-line muted">{ "No call fails in this run: compare the steps from the first difference on." }</p>
        },
    };
    html! {
        <section class="experiment-banner" ref={root} tabindex="-1" role="status"
                 aria-label="Experiment outcome" data-testid="experiment-outcome">
            <div class="experiment-text">
                <p class="experiment-title">
                    <span class="badge changed">{ "Experiment" }</span>{ " " }
                    <strong>{ run.label.clone() }</strong>
                    if summary.first.is_some() {
                        <span class="muted">{ ", on a new customer managed key" }</span>
                    }
                </p>
                { difference }
                { failure }
            </div>
            <button type="button" class="secondary reset" onclick={on_reset} data-testid="experiment-reset">
                { "Reset" }
            </button>
        </section>
    }
}
