//! What the scenario shows, in a paragraph, and how its run went.

use std::rc::Rc;

use yew::{component, html, Html, Properties};

use crate::state::Loaded;

/// The intro's properties.
#[derive(Properties, PartialEq)]
pub struct ScenarioIntroProps {
    /// The run.
    pub loaded: Rc<Loaded>,
    /// Shown under the facts (the share buttons).
    #[prop_or_default]
    pub children: Html,
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
        <section class="intro" aria-labelledby="scenario-title">
            <h2 id="scenario-title" data-testid="scenario-title">{ l.scenario.title.clone() }</h2>
            <p class="description">{ l.scenario.description.clone() }</p>
            <p class="facts-line muted">
                { facts }
                if unmet > 0 {
                    { " · " }<span class="badge bad">{ format!("{unmet} unexpected outcome{}", if unmet == 1 { "" } else { "s" }) }</span>
                }
                if let Some(stopped) = &l.run.stopped {
                    { " · " }<span class="badge bad">{ format!("stopped at scenario step {}", stopped.step + 1) }</span>
                }
            </p>
            { props.children.clone() }
        </section>
    }
}
