//! The key-wrapping diagram: trust boundaries as coloured regions, keys and ciphertexts as
//! nodes (one shape per kind), arrows from each ciphertext to the key that wraps it. The
//! step's change is highlighted; nodes are focusable buttons that select themselves.

use std::rc::Rc;

use kmsplay_core::diagram::{Node, NodeState, Relation, Snapshot};
use kmsplay_core::trace::ArtifactKind;
use yew::{classes, component, html, Callback, Html, KeyboardEvent, Properties};

use crate::components::legend::Legend;
use crate::describe::{
    key_letters, kind_class, node_detail, node_sentence, region_caption, region_class, region_title,
};
use crate::hooks::use_lanes;
use crate::layout::{
    layout, split_label, truncate, truncate_words, LabelSide, NODE_H, NODE_W, PAD,
};
use crate::state::Loaded;

/// The diagram's properties.
#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    /// The run.
    pub loaded: Rc<Loaded>,
    /// The diagram at the step shown.
    pub snapshot: Rc<Snapshot>,
    /// The selected node's id.
    pub selected: Option<String>,
    /// Selects a node.
    pub on_select: Callback<String>,
    /// Show the legend under the diagram (an embed leaves it out).
    #[prop_or(true)]
    pub legend: bool,
}

/// The diagram, its legend and its text alternative.
#[component]
pub fn Diagram(props: &DiagramProps) -> Html {
    let container = yew::use_node_ref();
    let lanes = use_lanes(container.clone());
    let snapshot = &props.snapshot;
    let l = layout(&props.loaded.regions, snapshot, lanes);
    // Alternating animation names restart the highlight on consecutive steps.
    let phase = if snapshot.step.is_multiple_of(2) {
        "even"
    } else {
        "odd"
    };
    let total = props.loaded.steps().len();

    let regions = l.regions.iter().map(|r| {
        let title = region_title(&r.location);
        html! {
            <g class={classes!("region", region_class(&r.location))}>
                <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="12" />
                <text class="region-title" x={num(r.x + PAD)} y={num(r.y + 20.0)}>
                    { truncate(&title, 32) }
                    <title>{ title.clone() }</title>
                </text>
                <text class="region-caption" x={num(r.x + PAD)} y={num(r.y + 36.0)}>
                    { region_caption(&r.location) }
                </text>
                if r.count == 0 {
                    <text class="region-empty" x={num(r.x + PAD)} y={num(r.y + 62.0)}>
                        { "nothing here at this step" }
                    </text>
                }
            </g>
        }
    });

    let edges = l.edges.iter().filter_map(|path| {
        let edge = snapshot.edges.get(path.edge)?;
        let marker = if edge.changed { "url(#arrow-changed)" } else { "url(#arrow)" };
        Some(html! {
            <path key={format!("{}>{}", edge.from, edge.to)} d={path.d.clone()} marker-end={marker}
                  class={classes!("edge", (edge.relation == Relation::Unwraps).then_some("unwraps"), edge.changed.then_some("changed"), phase)} />
        })
    });
    // Labels above every arrow, each on a plate, so no arrow runs through a label.
    let labels = l.edges.iter().filter_map(|path| {
        let edge = snapshot.edges.get(path.edge)?;
        // An estimate of the text's width at 10.5 px; the plate only needs to cover it.
        let w = edge.algorithm.chars().count() as f64 * 6.2 + 6.0;
        let (anchor, plate_x) = match path.side {
            LabelSide::Left => ("end", path.label_x - w + 3.0),
            LabelSide::Right => ("start", path.label_x - 3.0),
        };
        Some(html! {
            <g key={format!("{}>{}", edge.from, edge.to)}
               class={classes!("edge-label", edge.changed.then_some("changed"))}>
                <rect class="plate" x={num(plate_x)} y={num(path.label_y - 9.5)}
                      width={num(w)} height="13" rx="3" />
                <text x={num(path.label_x)} y={num(path.label_y)} text-anchor={anchor}>
                    { edge.algorithm.clone() }
                </text>
            </g>
        })
    });

    let nodes = l.nodes.iter().filter_map(|b| {
        let node = snapshot.nodes.get(b.node)?;
        Some(node_view(
            node,
            b.x,
            b.y,
            props.selected.as_deref() == Some(node.id.as_str()),
            phase,
            &props.on_select,
        ))
    });

    html! {
        <figure class="diagram" id="diagram" tabindex="-1" ref={container}>
            <div class="diagram-scroll">
                <svg class="diagram-svg" data-testid="diagram" role="group"
                     aria-labelledby="diagram-title" aria-describedby="diagram-text"
                     viewBox={format!("0 0 {} {}", num(l.width), num(l.height))}
                     width={num(l.width)} height={num(l.height)}
                     data-step={snapshot.step.to_string()}>
                    <title id="diagram-title">
                        { format!("Key-wrapping diagram at step {} of {total}", snapshot.step + 1) }
                    </title>
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                                markerHeight="7" orient="auto-start-reverse">
                            <path d="M0 0 L10 5 L0 10 z" class="arrowhead" />
                        </marker>
                        <marker id="arrow-changed" viewBox="0 0 10 10" refX="9" refY="5"
                                markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0 0 L10 5 L0 10 z" class="arrowhead changed" />
                        </marker>
                    </defs>
                    <g class="regions">{ for regions }</g>
                    <g class="edges">{ for edges }</g>
                    <g class="edge-labels" aria-hidden="true">{ for labels }</g>
                    <g class="nodes">{ for nodes }</g>
                </svg>
            </div>
            if props.legend {
                <figcaption><Legend /></figcaption>
            }
            <DiagramText snapshot={snapshot.clone()} loaded={props.loaded.clone()} />
        </figure>
    }
}

fn node_view(
    node: &Node,
    x: f64,
    y: f64,
    selected: bool,
    phase: &'static str,
    on_select: &Callback<String>,
) -> Html {
    let (title, qualifier) = split_label(&node.label);
    let detail = node_detail(node, qualifier);
    let state = match node.state {
        NodeState::Present => None,
        NodeState::Changed => Some("changed"),
        NodeState::Erased => Some("erased"),
    };
    let onclick = {
        let id = node.id.clone();
        let on_select = on_select.clone();
        Callback::from(move |_| on_select.emit(id.clone()))
    };
    let onkeydown = {
        let id = node.id.clone();
        let on_select = on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_select.emit(id.clone());
            }
        })
    };
    // The button's accessible name is the node's sentence, which begins with its label:
    // the title shown (whole words of the label) is part of it. The shape (with its
    // letters) and the detail line say in short what the sentence says, so they stay
    // outside the button, unread and letting clicks through.
    html! {
        <g key={node.id.clone()}
           class={classes!(
               "node",
               kind_class(node.kind),
               state,
               state.map(|_| phase),
               node.transient.then_some("transient"),
               node.secret.then_some("secret"),
               selected.then_some("selected"),
           )}
           transform={format!("translate({} {})", num(x), num(y))}>
            <g class="node-button" tabindex="0" role="button" aria-pressed={selected.to_string()}
               aria-label={node_sentence(node)}
               data-node={node.id.clone()}
               {onclick} {onkeydown}>
                <rect class="halo" x="-4" y="-4" width={num(NODE_W + 8.0)} height={num(NODE_H + 8.0)} rx="12" />
                <rect class="box" width={num(NODE_W)} height={num(NODE_H)} rx="9" />
                <text class="node-title" x="50" y="21">{ truncate_words(title, 25) }</text>
                <rect class="focus-ring" x="-3" y="-3" width={num(NODE_W + 6.0)} height={num(NODE_H + 6.0)} rx="11" />
            </g>
            <g class="node-decor" aria-hidden="true">
                { glyph(node.kind) }
                <text class="node-detail" x="50" y="38">{ truncate(&detail, 31) }</text>
            </g>
        </g>
    }
}

/// The shape of a kind, drawn in a 48 × 50 box at the node's left.
pub fn glyph(kind: ArtifactKind) -> Html {
    let shape = match kind {
        ArtifactKind::KmsKey => html! {
            <>
                <polygon class="shape" points="37,25 30.5,36.3 17.5,36.3 11,25 17.5,13.7 30.5,13.7" />
                <circle class="mark" cx="20" cy="25" r="3.6" />
                <path class="mark-line" d="M23.6 25 H31 M28.5 25 V28.5" />
            </>
        },
        ArtifactKind::MailboxKey
        | ArtifactKind::MessageKey
        | ArtifactKind::DataKey
        | ArtifactKind::PrivateKey
        | ArtifactKind::PublicKey => html! {
            <>
                <circle class="shape" cx="24" cy="25" r="13" />
                <text class="letters" x="24" y="28.5" text-anchor="middle">{ key_letters(kind) }</text>
            </>
        },
        ArtifactKind::WrappedKey | ArtifactKind::Ciphertext => html! {
            <>
                <path class="shackle" d="M18 22 V18.5 a6 6 0 0 1 12 0 V22" />
                <rect class="shape" x="12.5" y="21.5" width="23" height="16" rx="2.5" />
                <circle class="mark" cx="24" cy="28" r="2" />
                <path class="mark-line" d="M24 29 V32.5" />
            </>
        },
        ArtifactKind::Message | ArtifactKind::Plaintext => html! {
            <>
                <rect class="shape" x="10.5" y="15.5" width="27" height="19" rx="2.5" />
                <path class="mark-line" d="M11 17 L24 26.5 L37 17" />
            </>
        },
        ArtifactKind::EncryptedMessage => html! {
            <>
                <rect class="shape" x="8.5" y="13.5" width="27" height="19" rx="2.5" />
                <path class="mark-line" d="M9 15 L22 24.5 L35 15" />
                <path class="shackle small" d="M31 31 V28.5 a3.5 3.5 0 0 1 7 0 V31" />
                <rect class="lock" x="28.5" y="30.5" width="12" height="9" rx="1.5" />
            </>
        },
    };
    html! { <g class="glyph" aria-hidden="true">{ shape }</g> }
}

/// A number for an SVG attribute: at most one decimal, no `-0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[derive(Properties, PartialEq)]
struct DiagramTextProps {
    snapshot: Rc<Snapshot>,
    loaded: Rc<Loaded>,
}

/// The diagram in words, for screen readers: what is where at this step, and what
/// wraps what.
#[component]
fn DiagramText(props: &DiagramTextProps) -> Html {
    let snapshot = &props.snapshot;
    let label_of = |id: &str| {
        snapshot
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| format!("{} ({})", n.label, region_title(&n.location)))
            .unwrap_or_else(|| id.to_owned())
    };
    let sentence = props
        .loaded
        .step(snapshot.step)
        .map(|s| s.sentence.clone())
        .unwrap_or_default();
    html! {
        <div id="diagram-text" class="sr-only" data-testid="diagram-text">
            <p>{ format!("Step {} of {}: {sentence}", snapshot.step + 1, props.loaded.steps().len()) }</p>
            <ul>
                { for props.loaded.regions.iter().map(|r| {
                    let here: Vec<String> = snapshot.nodes.iter()
                        .filter(|n| &n.location == r)
                        .map(node_sentence)
                        .collect();
                    let body = if here.is_empty() { "empty".to_owned() } else { here.join("; ") };
                    html! { <li>{ format!("{}: {body}.", region_title(r)) }</li> }
                }) }
            </ul>
            if !snapshot.edges.is_empty() {
                <ul>
                    { for snapshot.edges.iter().map(|e| {
                        let verb = if e.relation == Relation::Unwraps { "was decrypted with" } else { "is encrypted under" };
                        html! { <li>{ format!("{} {verb} {} ({}).", label_of(&e.from), label_of(&e.to), e.algorithm) }</li> }
                    }) }
                </ul>
            }
        </div>
    }
}
