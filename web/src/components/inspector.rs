//! The inspector: the step (what happened, and for a failure the one full explanation),
//! the authorization decision, the bytes (the step's, or the selected node's, as named
//! fields), the CloudTrail event, and every step of the run.

use std::rc::Rc;

use kmsplay_core::diagram::{NodeState, Snapshot};
use kmsplay_core::trace::{MaterialAction, MaterialEvent, Step};
use kmsplay_core::view::bytes::{format_of, s3_envelope};
use kmsplay_core::view::code::{step_snippets, SERVE_ENDPOINT};
use kmsplay_core::view::failure::explain;
use yew::{classes, component, html, Callback, Html, Properties};

use crate::components::bytes_view::{envelope_view, fields_view};
use crate::components::code_view::CodeView;
use crate::components::decision_view::DecisionView;
use crate::components::json_view::JsonView;
use crate::components::scenario_intro::ScenarioIntro;
use crate::components::step_error::StepError;
use crate::components::step_list::StepList;
use crate::describe::{
    action_word, bytes, clock, grant_state_word, kind_name, node_sentence, region_title,
};
use crate::layout::{edges_of, is_unwrap};
use crate::state::{Loaded, Tab};

/// The inspector's properties.
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The run.
    pub loaded: Rc<Loaded>,
    /// The diagram at the step shown.
    pub snapshot: Rc<Snapshot>,
    /// The tab shown.
    pub tab: Tab,
    /// The selected node's id.
    pub selected: Option<String>,
    /// Shows a tab.
    pub on_tab: Callback<Tab>,
    /// Goes to a step.
    pub on_go: Callback<usize>,
    /// Clears the selection.
    pub on_clear: Callback<()>,
}

/// The inspector panel.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(step) = props.loaded.step(props.snapshot.step) else {
        return html! {
            <section class="inspector" aria-label="Inspector" data-testid="inspector">
                <p class="muted">{ "This run has no steps to inspect." }</p>
            </section>
        };
    };
    let count = |tab: Tab| -> Option<usize> {
        match tab {
            Tab::Authorization => Some(step.decisions.len()),
            Tab::CloudTrail => Some(usize::from(step.event.is_some())),
            Tab::Bytes => Some(step.material.len() + usize::from(props.selected.is_some())),
            Tab::Step | Tab::Steps => None,
        }
    };
    let tabs = Tab::ALL.iter().map(|&tab| {
        let selected = tab == props.tab;
        let onclick = {
            let on_tab = props.on_tab.clone();
            Callback::from(move |_| on_tab.emit(tab))
        };
        let empty = count(tab) == Some(0);
        html! {
            <button type="button" role="tab" id={format!("tab-{}", tab.slug())}
                    class={classes!("tab", empty.then_some("empty"), (tab == Tab::Step && step.failed()).then_some("failed"))}
                    aria-selected={selected.to_string()}
                    aria-controls="inspector-panel" {onclick}>
                { tab.label() }
                if let Some(n) = count(tab).filter(|n| *n > 0) {
                    <span class="tab-count">{ n }</span>
                }
            </button>
        }
    });
    let body = match props.tab {
        Tab::Step => step_view(&props.loaded, step, &props.on_go),
        Tab::Authorization => authorization_view(step),
        Tab::CloudTrail => cloudtrail_view(step),
        Tab::Bytes => bytes_tab(props, step),
        Tab::Steps => html! {
            <>
                <ScenarioIntro loaded={props.loaded.clone()} />
                <StepList loaded={props.loaded.clone()} step={props.snapshot.step}
                          on_go={props.on_go.clone()}
                          first_difference={props.loaded.experiment.as_ref().and_then(|e| e.first_difference)} />
            </>
        },
    };
    html! {
        <section class="inspector" aria-label="Inspector" data-testid="inspector">
            <div class="tabs" role="tablist" aria-label="Inspector views">{ for tabs }</div>
            <div class="tab-panel" id="inspector-panel" role="tabpanel"
                 aria-labelledby={format!("tab-{}", props.tab.slug())}>
                { body }
            </div>
        </section>
    }
}

fn step_view(loaded: &Loaded, step: &Step, on_go: &Callback<usize>) -> Html {
    let explanation = explain(loaded.steps(), step.index);
    html! {
        <div class="step-detail">
            <p class="step-meta muted">
                { format!("Step {} · {}", step.index + 1, clock(&step.time)) }
                { " · " }
                { step.call.map(|c| html! { <code>{ c.to_string() }</code> }).unwrap_or_else(|| html! { { "no API call" } }) }
            </p>
            <h3 class="step-heading">{ step.title.clone() }</h3>
            if let (Some(e), Some(error)) = (explanation, &step.error) {
                <StepError explanation={e} message={error.message.clone()} on_go={on_go.clone()} />
            } else {
                <p class="step-sentence-full">{ step.sentence.clone() }</p>
                <dl class="facts">
                    <dt>{ "Who" }</dt><dd>{ step.actor.clone() }</dd>
                </dl>
            }
            if let Some(request) = &step.request {
                <h4>{ "Request" }</h4>
                <JsonView value={request.clone()} label="Request JSON" />
            }
            if let Some(snippets) = step_snippets(&loaded.scenario, step, Some(SERVE_ENDPOINT)) {
                <h4>{ "As code" }</h4>
                <CodeView snippets={Rc::new(snippets)} />
            }
            if let Some(response) = &step.response {
                <h4>{ "Response" }</h4>
                <JsonView value={response.clone()} label="Response JSON" />
            }
            if step.request.is_none() && step.response.is_none() && step.error.is_none() {
                <p class="muted">{ "No API call: this happens inside the service." }</p>
            }
        </div>
    }
}

fn authorization_view(step: &Step) -> Html {
    if step.decisions.is_empty() {
        return html! {
            <p class="muted">
                { "No authorization decision in this step: only calls to AWS KMS are authorized \
                   by key policies, IAM policies and grants." }
            </p>
        };
    }
    let of = step.decisions.len();
    html! {
        <>
            { for step.decisions.iter().enumerate().map(|(i, d)| html! {
                <DecisionView decision={d.clone()} number={i + 1} {of} />
            }) }
        </>
    }
}

fn cloudtrail_view(step: &Step) -> Html {
    match &step.event {
        Some(event) => html! {
            <>
                <p class="muted">
                    { format!("The event AWS CloudTrail records for this call: {} from {}.",
                        event.event_name, event.event_source) }
                </p>
                <JsonView value={serde_json::to_value(event).unwrap_or_default()} label="CloudTrail event JSON" />
            </>
        },
        None => html! {
            <p class="muted">
                { "No CloudTrail event: CloudTrail records the calls to AWS KMS; this step makes none." }
            </p>
        },
    }
}

fn material_row(m: &MaterialEvent) -> Html {
    let under = m.under.as_ref().map(|u| {
        let verb = if m.action == MaterialAction::Unwrapped {
            "decrypted with"
        } else {
            "encrypted under"
        };
        format!("{verb} {u} ({})", m.algorithm.clone().unwrap_or_default())
    });
    let under_id = m.under.as_ref().map(|u| u.to_string());
    let format = format_of(m.kind, under_id.as_deref(), m.algorithm.as_deref());
    html! {
        <li class="bytes-item">
            <p>
                <strong>{ m.label.clone() }</strong>
                { format!(" — {} {}, {}", kind_name(m.kind), action_word(m.action), bytes(m.length)) }
            </p>
            <p class="muted">{ format!("In: {}", region_title(&m.location)) }
                if let Some(under) = under { { format!(" · {under}") } }
            </p>
            if let Some(preview) = &m.preview {
                <p class="muted">{ format!("Content: {preview}") }</p>
            }
            { hex_block(m.hex.as_deref(), m.length, m.kind.is_secret(), format, None) }
        </li>
    }
}

fn hex_block(
    hex: Option<&str>,
    length: usize,
    secret: bool,
    format: Option<kmsplay_core::view::bytes::Format>,
    flipped: Option<usize>,
) -> Html {
    match (hex, format) {
        (Some(hex), Some(format)) if !hex.is_empty() => fields_view(format, hex, flipped),
        (Some(hex), None) if !hex.is_empty() => html! {
            <pre class="hex" tabindex="0" aria-label={format!("{} in hex", bytes(length))}>{ crate::describe::hex_lines(hex) }</pre>
        },
        _ if secret => html! {
            <p class="secret-note">{ format!("{}: secret, never shown and never in the trace.", bytes(length)) }</p>
        },
        _ => Html::default(),
    }
}

fn bytes_tab(props: &InspectorProps, step: &Step) -> Html {
    let selected = props.selected.as_ref().map(|id| selected_view(props, id));
    let envelope = s3_envelope(step).map(|e| envelope_view(&e));
    html! {
        <>
            { selected.unwrap_or_default() }
            <h3>{ format!("What step {} touched", step.index + 1) }</h3>
            if step.material.is_empty() && envelope.is_none() {
                <p class="muted">{ "This step touches no keys or data." }</p>
            } else {
                <ul class="bytes-list">{ for step.material.iter().map(material_row) }</ul>
            }
            { envelope.unwrap_or_default() }
        </>
    }
}

fn selected_view(props: &InspectorProps, id: &str) -> Html {
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_| on_clear.emit(()))
    };
    let Some(node) = props.snapshot.node(id) else {
        return html! {
            <div class="selected-node" data-testid="selected-node">
                <p class="muted">
                    { format!("The selected item ({id}) is not in the diagram at step {}.", props.snapshot.step + 1) }
                    { " " }<button type="button" class="link" onclick={on_clear}>{ "Clear the selection" }</button>
                </p>
            </div>
        };
    };
    let on_go = props.on_go.clone();
    let last_step = node.last_step;
    let state = match node.state {
        NodeState::Present => "unchanged in this step",
        NodeState::Changed => "changed in this step",
        NodeState::Erased => "erased in this step",
    };
    let label_of = |id: &str| {
        props
            .snapshot
            .node(id)
            .map(|n| format!("{} in {}", n.label, region_title(&n.location)))
            .unwrap_or_else(|| id.to_owned())
    };
    let wrap = edges_of(&props.snapshot, node).find(|e| e.from == node.id);
    let under_artifact = wrap
        .and_then(|e| props.snapshot.node(&e.to))
        .map(|n| n.artifact.clone());
    let format = format_of(
        node.kind,
        under_artifact.as_deref(),
        wrap.map(|e| e.algorithm.as_str()),
    );
    html! {
        <div class="selected-node" data-testid="selected-node">
            <div class="selected-head">
                <h3>{ node.label.clone() }</h3>
                <button type="button" class="link" onclick={on_clear}>{ "Clear" }</button>
            </div>
            <p>{ node_sentence(node) }</p>
            <dl class="facts">
                <dt>{ "Kind" }</dt><dd>{ kind_name(node.kind) }</dd>
                <dt>{ "Where" }</dt><dd>{ region_title(&node.location) }</dd>
                <dt>{ "State" }</dt><dd>{ state }</dd>
                <dt>{ "Last" }</dt>
                <dd>
                    { format!("{} at ", action_word(node.last_action)) }
                    <button type="button" class="link" onclick={Callback::from(move |_| on_go.emit(last_step))}>
                        { format!("step {}", last_step + 1) }
                    </button>
                </dd>
                if node.length > 0 {
                    <dt>{ "Length" }</dt><dd>{ bytes(node.length) }</dd>
                }
                if let Some(id) = &node.key_id {
                    <dt>{ "Key id" }</dt><dd><code>{ id.clone() }</code></dd>
                }
                <dt>{ "Artifact" }</dt><dd><code>{ node.artifact.clone() }</code></dd>
            </dl>
            <ul class="relations">
                { for edges_of(&props.snapshot, node).map(|e| {
                    let text = if e.from == node.id {
                        let verb = if is_unwrap(e) { "Decrypted with" } else { "Encrypted under" };
                        format!("{verb} {} ({})", label_of(&e.to), e.algorithm)
                    } else {
                        let verb = if is_unwrap(e) { "decrypted" } else { "protects" };
                        format!("It {verb} {} ({})", label_of(&e.from), e.algorithm)
                    };
                    html! { <li>{ text }</li> }
                }) }
                { for props.snapshot.grants.iter().filter(|g| g.key == node.id).map(|g| html! {
                    <li>{ format!("Grant: lets {} call {} ({})", g.grantee, g.operations.join(", "), grant_state_word(g.state)) }</li>
                }) }
            </ul>
            if let Some(preview) = &node.preview {
                <p>{ format!("Content: {preview}") }</p>
            }
            { hex_block(node.hex.as_deref(), node.length, node.secret, format, node.tampered.and_then(|t| t.offset)) }
        </div>
    }
}
