//! The inspector: everything about the current step (the API call, the authorization
//! decision, the CloudTrail event, the bytes) and the selected diagram node.

use std::rc::Rc;

use kmsplay_core::diagram::{NodeState, Relation, Snapshot};
use kmsplay_core::trace::{MaterialAction, MaterialEvent, Step};
use yew::{classes, component, html, Callback, Html, Properties};

use crate::components::decision_view::DecisionView;
use crate::components::json_view::JsonView;
use crate::describe::{action_word, bytes, hex_lines, kind_name, node_sentence, region_title};
use crate::layout::edges_of;
use crate::state::{Action, Loaded, Tab};

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
    /// Sends an action.
    pub on_action: Callback<Action>,
}

/// The inspector panel.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(step) = props.loaded.step(props.snapshot.step) else {
        return html! {
            <section class="panel inspector" aria-labelledby="inspector-heading">
                <h2 id="inspector-heading">{ "Inspector" }</h2>
                <p class="muted">{ "This run has no steps to inspect." }</p>
            </section>
        };
    };
    let count = |tab: Tab| -> Option<usize> {
        match tab {
            Tab::Authorization => Some(step.decisions.len()),
            Tab::CloudTrail => Some(usize::from(step.event.is_some())),
            Tab::Bytes => Some(step.material.len()),
            _ => None,
        }
    };
    let tabs = Tab::ALL.iter().map(|&tab| {
        let selected = tab == props.tab;
        let onclick = {
            let on_action = props.on_action.clone();
            Callback::from(move |_| on_action.emit(Action::ShowTab(tab)))
        };
        let empty = count(tab) == Some(0) || (tab == Tab::Selected && props.selected.is_none());
        html! {
            <button type="button" role="tab" id={format!("tab-{}", tab.slug())}
                    class={classes!("tab", empty.then_some("empty"))}
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
        Tab::Call => call_view(step),
        Tab::Authorization => authorization_view(step),
        Tab::CloudTrail => cloudtrail_view(step),
        Tab::Bytes => bytes_view(step),
        Tab::Selected => selected_view(props),
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-heading" data-testid="inspector">
            <h2 id="inspector-heading">{ "Inspector" }</h2>
            <p class="inspector-step">
                <span class="muted">{ format!("Step {} · {}", step.index + 1, step.time) }</span>
                <br />
                <strong>{ step.title.clone() }</strong>
                { " — " }
                { step.call.clone().map(|c| html! { <code>{ c }</code> }).unwrap_or_else(|| html! { <span class="muted">{ "no API call" }</span> }) }
            </p>
            if let Some(error) = &step.error {
                <div class="error-box" role="note" data-testid="step-error">
                    <p class="error-name"><code>{ error.code.clone() }</code></p>
                    <p>{ error.message.clone() }</p>
                    if let Some(why) = &step.explanation {
                        <p class="explanation"><strong>{ "Why: " }</strong>{ why.clone() }</p>
                    }
                    { for step.decisions.iter().filter(|d| !d.is_allowed() && d.reason != error.message).map(|d| html! {
                        <p class="explanation"><strong>{ "Authorization: " }</strong>{ d.reason.clone() }</p>
                    }) }
                </div>
            }
            <div class="tabs" role="tablist" aria-label="Inspector views">{ for tabs }</div>
            <div class="tab-panel" id="inspector-panel" role="tabpanel"
                 aria-labelledby={format!("tab-{}", props.tab.slug())}>
                { body }
            </div>
        </section>
    }
}

fn call_view(step: &Step) -> Html {
    html! {
        <>
            <dl class="facts">
                <dt>{ "Who" }</dt><dd>{ step.actor.clone() }</dd>
                <dt>{ "Call" }</dt>
                <dd>
                    { step.call.clone().map(|c| html! { <code>{ c }</code> })
                        .unwrap_or_else(|| html! { { "None: this happens inside the service, without an API call." } }) }
                </dd>
            </dl>
            if let Some(request) = &step.request {
                <h3>{ "Request" }</h3>
                <JsonView value={request.clone()} label="Request JSON" />
            }
            if let Some(response) = &step.response {
                <h3>{ "Response" }</h3>
                <JsonView value={response.clone()} label="Response JSON" />
            }
            if let Some(error) = &step.error {
                <h3>{ "Error response" }</h3>
                <JsonView value={serde_json::to_value(error).unwrap_or_default()} label="Error JSON" />
            }
            if step.request.is_none() && step.response.is_none() && step.error.is_none() {
                <p class="muted">{ step.sentence.clone() }</p>
            }
        </>
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
            { hex_block(m.hex.as_deref(), m.length, m.kind.is_secret()) }
        </li>
    }
}

fn hex_block(hex: Option<&str>, length: usize, secret: bool) -> Html {
    match hex {
        Some(hex) if !hex.is_empty() => html! {
            <pre class="hex" tabindex="0" aria-label={format!("{} in hex", bytes(length))}>{ hex_lines(hex) }</pre>
        },
        _ if secret => html! {
            <p class="secret-note">{ format!("{}: secret, never shown and never in the trace.", bytes(length)) }</p>
        },
        _ => Html::default(),
    }
}

fn bytes_view(step: &Step) -> Html {
    if step.material.is_empty() {
        return html! { <p class="muted">{ "This step touches no keys or data." }</p> };
    }
    html! {
        <ul class="bytes-list">{ for step.material.iter().map(material_row) }</ul>
    }
}

fn selected_view(props: &InspectorProps) -> Html {
    let Some(id) = &props.selected else {
        return html! {
            <p class="muted">{ "Select a key or ciphertext in the diagram (click it, or focus it and press Enter) to see it here." }</p>
        };
    };
    let Some(node) = props.snapshot.nodes.iter().find(|n| &n.id == id) else {
        return html! {
            <p class="muted">
                { format!("The selected item ({id}) is not in the diagram at step {}.", props.snapshot.step + 1) }
            </p>
        };
    };
    let on_action = props.on_action.clone();
    let last_step = node.last_step;
    let state = match node.state {
        NodeState::Present => "unchanged in this step",
        NodeState::Changed => "changed in this step",
        NodeState::Erased => "erased in this step",
    };
    let label_of = |id: &str| {
        props
            .snapshot
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| format!("{} in {}", n.label, region_title(&n.location)))
            .unwrap_or_else(|| id.to_owned())
    };
    html! {
        <div class="selected-node" data-testid="selected-node">
            <h3>{ node.label.clone() }</h3>
            <p>{ node_sentence(node) }</p>
            <dl class="facts">
                <dt>{ "Kind" }</dt><dd>{ kind_name(node.kind) }</dd>
                <dt>{ "Where" }</dt><dd>{ region_title(&node.location) }</dd>
                <dt>{ "State" }</dt><dd>{ state }</dd>
                <dt>{ "Last" }</dt>
                <dd>
                    { format!("{} at ", action_word(node.last_action)) }
                    <button type="button" class="link" onclick={Callback::from(move |_| on_action.emit(Action::GoTo(last_step)))}>
                        { format!("step {}", last_step + 1) }
                    </button>
                </dd>
                if node.length > 0 {
                    <dt>{ "Length" }</dt><dd>{ bytes(node.length) }</dd>
                }
                <dt>{ "Artifact" }</dt><dd><code>{ node.artifact.clone() }</code></dd>
            </dl>
            <ul class="relations">
                { for edges_of(&props.snapshot, node).map(|e| {
                    let text = if e.from == node.id {
                        let verb = if e.relation == Relation::Unwraps { "Decrypted with" } else { "Encrypted under" };
                        format!("{verb} {} ({})", label_of(&e.to), e.algorithm)
                    } else {
                        let verb = if e.relation == Relation::Unwraps { "decrypted" } else { "protects" };
                        format!("It {verb} {} ({})", label_of(&e.from), e.algorithm)
                    };
                    html! { <li>{ text }</li> }
                }) }
            </ul>
            if let Some(preview) = &node.preview {
                <p>{ format!("Content: {preview}") }</p>
            }
            { hex_block(node.hex.as_deref(), node.length, node.secret) }
        </div>
    }
}
