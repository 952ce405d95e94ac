//! What the scenario shows, in a paragraph, and how its run went.

use std::rc::Rc;

use yew::{component, html, Html, Properties};

use crate::state::Loaded;

/// The intro's properties.
#[derive(Properties, PartialEq)]
pub struct ScenarioIntroProps {
    /// The run.
    pub loaded: Rc<Loaded>,
}

/// The scenario's title, description and the run's outcome.
#[component]
pub fn ScenarioIntro(props: &ScenarioIntroProps) -> Html {
    let l = &props.loaded;
    let summary = &l.run.trace.summary;
    let unmet = l
        .run
        .steps
        .iter()
        .filter(|s| s.expectation == Some(kmsplay_core::scenario::Expectation::Failed))
        .count();
    let facts = format!(
        "{} steps · {} KMS calls ({} refused) · {} CloudTrail events · seed {}",
        l.steps().len(),
        summary.kms_calls,
        summary.kms_failures,
        l.run.cloudtrail.len(),
        l.seed
    );
    html! {
        <section class="intro" aria-labelledby="scenario-about">
            <h3 id="scenario-about">{ l.scenario.title.clone() }</h3>
            <p class="description">{ l.scenario.description.clone() }</p>
            <p class="facts-line muted">
                { facts }
                if unmet > 0 {
                    { " · " }<span class="badge bad">{ format!("{unmet} unexpected outcome{}", if unmet == 1 { "" } else { "s" }) }</span>
                }
                if let Some(stopped) = &l.run.stopped {
                    { " · " }<span class="badge bad">{ match l.steps().iter().rposition(|s| s.action == stopped.step) {
                        Some(at) => format!("the run stopped at step {}", at + 1),
                        None => "the run stopped early".to_owned(),
                    } }</span>
                }
            </p>
            <p class="muted small">
                { "Nothing leaves this page: no AWS account, no network calls, no real keys. \
                   Keys: ← → step, Home / End jump, Space plays." }
            </p>
        </section>
    }
}
