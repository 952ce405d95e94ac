//! The key-wrapping diagram: trust boundaries as coloured regions, keys and ciphertexts as
//! nodes (one shape per kind), grants on their KMS key, arrows from each ciphertext to
//! the key that wraps it, and what failed drawn where it failed. The step's change is
//! what stands out; wraps made before stay, faintly. Laid out for the width it is shown
//! at and never scaled, so its text is never under 12 px. Nodes are focusable buttons
//! that select themselves.

use std::rc::Rc;

use kmsplay_core::diagram::{snapshot as fold, GrantState, Node, NodeState, Snapshot};
use kmsplay_core::view::failure::explain;
use yew::{
    classes, component, html, use_effect_with, use_memo, Callback, Html, KeyboardEvent, NodeRef,
    Properties,
};

use crate::components::glyph::glyph;
use crate::describe::{grant_state_word, kind_class, node_sentence, region_class, region_title};
use crate::hooks::{use_measure, use_size, AfterPaint};
use crate::layout::{is_unwrap, layout, zoom_to_fit, LineKind, NodeBox, TextLine, ANCHOR_Y};
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
    /// Draw it larger when the stage has room for the run's tallest step (not in an
    /// embed, whose height follows the diagram, nor on a phone, where the page scrolls).
    #[prop_or(true)]
    pub fit: bool,
    /// Bring the step's change into view by scrolling the diagram's own box only, never
    /// the page around it (an embed: `scrollIntoView` would scroll the embedding page,
    /// or the embed dialog the preview is in).
    #[prop_or(false)]
    pub contained: bool,
    /// Told once the diagram's first drawing (once its box is measured) has been
    /// painted, so that what waits for it follows in a frame of its own.
    #[prop_or_default]
    pub on_drawn: Callback<()>,
}

/// Where `style.css` gives the stage a height of its own (`.stage-main`).
const STAGE_HAS_HEIGHT: &str = "(min-width: 700px)";

/// The diagram and its text alternative.
#[component]
pub fn Diagram(props: &DiagramProps) -> Html {
    let container = yew::use_node_ref();
    let window = web_sys::window();
    // Only where the stage has a height of its own (a phone's page scrolls instead): the
    // stylesheet's own media query, so that a zoomed page's fractional width decides
    // both the same way.
    let fit = props.fit
        && window
            .as_ref()
            .and_then(|w| w.match_media(STAGE_HAS_HEIGHT).ok().flatten())
            .is_some_and(|query| query.matches());
    // Where the stage has a height of its own, the box's size does not depend on the
    // diagram: it is measured before anything is drawn. Elsewhere (a phone, an embed) the
    // box is as tall as the diagram and spans the page but for the 8 px padding (0.5rem
    // in an embed) and 1 px border each side (style.css), so the first drawing, at that
    // width, is the one that stays, and nothing under it moves.
    let size = use_size(container.clone(), || {
        let root = (!fit).then(|| window.as_ref()?.document()?.document_element())??;
        Some((f64::from(root.client_width() - 18).max(280.0), 0.0))
    });
    let measured = size.is_some();
    let (width, height) = size.unwrap_or_default();
    let measure = use_measure();
    let snapshot = &props.snapshot;
    let zoom = {
        let loaded = props.loaded.clone();
        let measure = measure.clone();
        let height = if fit { height } else { 0.0 };
        *use_memo(
            (props.loaded.id, width.to_bits(), height.to_bits()),
            move |_| {
                if !measured {
                    return 1.0;
                }
                let steps = loaded.steps();
                let snapshots: Vec<Snapshot> = if height > 0.0 && steps.len() <= 80 {
                    (0..steps.len()).map(|i| fold(steps, i)).collect()
                } else {
                    Vec::new()
                };
                zoom_to_fit(&loaded.regions, &snapshots, width, height, &*measure)
            },
        )
    };
    {
        // The step's change in view, wherever the diagram scrolls (its own box, or the
        // page on a phone).
        let container = container.clone();
        let contained = props.contained;
        use_effect_with((props.loaded.id, snapshot.step, measured), move |_| {
            show_change(&container, contained);
        });
    }
    {
        let on_drawn = props.on_drawn.clone();
        use_effect_with(measured, move |&measured| {
            let painted = measured.then(|| AfterPaint::new(move || on_drawn.emit(())));
            move || drop(painted)
        });
    }
    let l = {
        let snapshot = snapshot.clone();
        let loaded = props.loaded.clone();
        let measure = measure.clone();
        use_memo(
            // The snapshot is the run's at this step: its id and step stand for it.
            (
                props.loaded.id,
                snapshot.step,
                width.to_bits(),
                zoom.to_bits(),
            ),
            move |_| measured.then(|| layout(&loaded.regions, &snapshot, width / zoom, &*measure)),
        )
    };
    // Nothing is drawn before the box's width is known: the first render places the box,
    // its effect measures it, and the diagram is laid out once, for the width it is shown
    // at. The text alternative does not wait.
    let Some(l) = l.as_ref() else {
        return html! {
            <figure class="diagram" id="diagram" tabindex="-1">
                <div class="diagram-scroll" ref={container}></div>
                <DiagramText snapshot={snapshot.clone()} loaded={props.loaded.clone()} />
            </figure>
        };
    };
    // Alternating animation names restart the highlight on consecutive steps.
    let phase = if snapshot.step.is_multiple_of(2) {
        "even"
    } else {
        "odd"
    };
    let total = props.loaded.steps().len();

    let regions = l.regions.iter().map(|r| {
        html! {
            <g class={classes!("region", region_class(&r.location))}
               transform={format!("translate({} {})", num(r.x), num(r.y))}>
                <rect width={num(r.w)} height={num(r.h)} rx="12" />
                { for r.lines.iter().map(line) }
                if r.count == 0 {
                    <text class="region-empty" x="10" y={num(r.body_y + 14.0)}>
                        { "nothing here at this step" }
                    </text>
                }
            </g>
        }
    });

    let edges = l.edges.iter().filter_map(|path| {
        let edge = snapshot.edges.get(path.edge)?;
        let marker = if edge.changed {
            "url(#arrow-changed)"
        } else {
            "url(#arrow)"
        };
        Some(html! {
            <path key={format!("{}>{}", edge.from, edge.to)} d={path.d.clone()} marker-end={marker}
                  class={classes!(
                      "edge",
                      is_unwrap(edge).then_some("unwraps"),
                      if edge.changed { "changed" } else { "standing" },
                      edge.via_wrapped.then_some("via-wrapped"),
                      edge.changed.then_some(phase),
                  )} />
        })
    });
    // Labels of the step's own arrows, each on a plate, over everything but the failure.
    let labels = l.edges.iter().filter_map(|path| {
        let label = path.label.as_ref()?;
        Some(html! {
            <g class="edge-label changed">
                <rect class="plate" x={num(label.x)} y={num(label.y)} width={num(label.w)}
                      height={num(label.h)} rx="4" />
                <text x={num(label.x + 5.0)} y={num(label.y + 13.0)}>{ label.text.clone() }</text>
            </g>
        })
    });

    let failure = l.failure.as_ref();
    let failed_nodes: Vec<usize> = failure
        .iter()
        .flat_map(|f| [f.from_node, f.to_node])
        .flatten()
        .collect();
    let nodes = l.nodes.iter().filter_map(|b| {
        let node = snapshot.nodes.get(b.node)?;
        Some(node_view(
            node,
            b,
            snapshot,
            NodeLook {
                selected: props.selected.as_deref() == Some(node.id.as_str()),
                failed: failed_nodes.contains(&b.node),
                phase,
            },
            &props.on_select,
        ))
    });

    let failure_view = failure.map(|f| {
        let from_region = f.from_region.and_then(|i| l.regions.get(i));
        html! {
            <g class="failure" data-testid="failure" data-error={f.error.clone()}>
                if let Some(r) = from_region {
                    <rect class="failure-outline" x={num(r.x - 2.0)} y={num(r.y - 2.0)}
                          width={num(r.w + 4.0)} height={num(r.h + 4.0)} rx="14" />
                }
                if let Some(chip) = &f.chip {
                    <g class="caller-chip">
                        <rect x={num(chip.x)} y={num(chip.y)} width={num(chip.w)} height={num(chip.h)} rx="15" />
                        <text x={num(chip.x + 12.0)} y={num(chip.y + 19.0)}>{ chip.text.clone() }</text>
                    </g>
                }
                if let Some(d) = &f.d {
                    <path class="failure-path" d={d.clone()} marker-end="url(#arrow-failed)" />
                    <g class="failure-break" transform={format!("translate({} {})", num(f.break_x), num(f.break_y))}>
                        <circle r="9" />
                        <path d="M-4 -4 L4 4 M4 -4 L-4 4" />
                    </g>
                }
                if let Some(label) = &f.label {
                    <g class="failure-label">
                        <rect class="plate" x={num(label.x)} y={num(label.y)} width={num(label.w)}
                              height={num(label.h)} rx="4" />
                        <text x={num(label.x + 5.0)} y={num(label.y + 13.0)}>{ label.text.clone() }</text>
                    </g>
                }
            </g>
        }
    });

    html! {
        <figure class="diagram" id="diagram" tabindex="-1">
            <div class="diagram-scroll" ref={container}>
                <svg class="diagram-svg" data-testid="diagram" role="group"
                     aria-labelledby="diagram-title" aria-describedby="diagram-text"
                     viewBox={format!("0 0 {} {}", num(l.width), num(l.height))}
                     width={num(l.width * zoom)} height={num(l.height * zoom)}
                     data-step={snapshot.step.to_string()} data-lanes={l.lanes.to_string()}>
                    <title id="diagram-title">
                        { format!("Key-wrapping diagram at step {} of {total}", snapshot.step + 1) }
                    </title>
                    <defs>
                        { marker("arrow", "arrowhead") }
                        { marker("arrow-changed", "arrowhead changed") }
                        { marker("arrow-failed", "arrowhead failed") }
                    </defs>
                    <g class="regions">{ for regions }</g>
                    <g class="edges">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                    <g class="edge-labels" aria-hidden="true">{ for labels }</g>
                    { failure_view.unwrap_or_default() }
                </svg>
            </div>
            <DiagramText snapshot={snapshot.clone()} loaded={props.loaded.clone()} />
        </figure>
    }
}

/// Scrolls the diagram (or the page, unless `contained`) so the failure, else the first
/// thing the step changed, is in view; nothing moves when it is in view already.
fn show_change(container: &NodeRef, contained: bool) {
    let Some(root) = container.cast::<web_sys::Element>() else {
        return;
    };
    let target = root.query_selector(".failure").ok().flatten().or_else(|| {
        root.query_selector(".node.changed, .node.erased, .grant.changed")
            .ok()
            .flatten()
    });
    if let Some(target) = target {
        if contained {
            // Sideways only, as far as needed: the embed's box is as tall as the diagram.
            let (outer, inner) = (
                root.get_bounding_client_rect(),
                target.get_bounding_client_rect(),
            );
            let by = if inner.left() < outer.left() {
                inner.left() - outer.left()
            } else {
                (inner.right() - outer.right()).clamp(0.0, (inner.left() - outer.left()).max(0.0))
            };
            if by != 0.0 {
                root.set_scroll_left(root.scroll_left() + by.round() as i32);
            }
            return;
        }
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
        target.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

fn marker(id: &'static str, class: &'static str) -> Html {
    html! {
        <marker {id} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                orient="auto-start-reverse">
            <path d="M0 0 L10 5 L0 10 z" {class} />
        </marker>
    }
}

fn line_class(kind: LineKind) -> &'static str {
    match kind {
        LineKind::RegionTitle => "region-title",
        LineKind::RegionCaption => "region-caption",
        LineKind::Title => "node-title",
        LineKind::Detail => "node-detail",
        LineKind::KeyId => "node-key-id",
        LineKind::KeyState => "node-key-state",
        LineKind::Tampered => "node-tampered",
        LineKind::Error => "node-error",
        LineKind::GrantHead => "grant-head",
        LineKind::GrantDetail => "grant-detail",
        LineKind::GrantEnded => "grant-ended",
    }
}

fn line(t: &TextLine) -> Html {
    html! {
        <text class={line_class(t.kind)} x={num(t.x)} y={num(t.y)}>{ t.text.clone() }</text>
    }
}

/// How a node is drawn, besides what it is.
struct NodeLook {
    selected: bool,
    failed: bool,
    phase: &'static str,
}

fn node_view(
    node: &Node,
    b: &NodeBox,
    snapshot: &Snapshot,
    look: NodeLook,
    on_select: &Callback<String>,
) -> Html {
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
    let (w, h) = (b.w, b.h);
    let (titles, rest): (Vec<&TextLine>, Vec<&TextLine>) =
        b.lines.iter().partition(|t| t.kind == LineKind::Title);
    let grants = b.grants.iter().filter_map(|g| {
        let grant = snapshot.grants.get(g.grant)?;
        let state = match grant.state {
            GrantState::Active => "active",
            GrantState::Revoked => "revoked",
            GrantState::Retired => "retired",
        };
        Some(html! {
            <g class={classes!("grant", state, grant.changed.then_some("changed"), grant.changed.then_some(look.phase))}
               transform={format!("translate(0 {})", num(g.y))}>
                <rect class="grant-box" x="6" y="2" width={num(w - 12.0)} height={num(g.h - 2.0)} rx="6" />
                { for g.lines.iter().map(line) }
            </g>
        })
    });
    // The button's accessible name is the node's sentence, which begins with its label:
    // the title shown is part of it. The shape and the other lines say in short what
    // the sentence says, so they stay outside the button, unread and letting clicks
    // through.
    html! {
        <g key={node.id.clone()}
           class={classes!(
               "node",
               kind_class(node.kind),
               state,
               state.map(|_| look.phase),
               node.transient.then_some("transient"),
               node.secret.then_some("secret"),
               look.selected.then_some("selected"),
               look.failed.then_some("failed"),
               node.tampered.is_some().then_some("tampered"),
               node.key_state.is_some_and(|s| s != kmsplay_core::diagram::KeyState::Enabled).then_some("unusable"),
           )}
           transform={format!("translate({} {})", num(b.x), num(b.y))}
           data-node-id={node.id.clone()}>
            <g class="node-button" tabindex="0" role="button" aria-pressed={look.selected.to_string()}
               aria-label={node_sentence(node)}
               data-node={node.id.clone()}
               {onclick} {onkeydown}>
                <rect class="halo" x="-4" y="-4" width={num(w + 8.0)} height={num(h + 8.0)} rx="12" />
                <rect class="box" width={num(w)} height={num(h)} rx="9" />
                // One text, so the title reads as one name, however it wraps.
                <text class="node-title">
                    { for titles.iter().enumerate().map(|(k, t)| {
                        let text = if k + 1 < titles.len() { format!("{} ", t.text) } else { t.text.clone() };
                        html! { <tspan x={num(t.x)} y={num(t.y)}>{ text }</tspan> }
                    }) }
                </text>
                <rect class="focus-ring" x="-3" y="-3" width={num(w + 6.0)} height={num(h + 6.0)} rx="11" />
            </g>
            <g class="node-decor" aria-hidden="true">
                <g transform={format!("translate(0 {})", num(ANCHOR_Y - 25.0))}>{ glyph(node.kind) }</g>
                { for rest.into_iter().map(line) }
                { for grants }
            </g>
        </g>
    }
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

/// The diagram in words, for screen readers: what is where at this step, what wraps
/// what, the grants, and what failed.
#[component]
fn DiagramText(props: &DiagramTextProps) -> Html {
    let snapshot = &props.snapshot;
    let label_of = |id: &str| {
        snapshot
            .node(id)
            .map(|n| format!("{} ({})", n.label, region_title(&n.location)))
            .unwrap_or_else(|| id.to_owned())
    };
    let sentence = props
        .loaded
        .step(snapshot.step)
        .map(|s| {
            if s.failed() {
                explain(props.loaded.steps(), s.index)
                    .map(|e| e.summary())
                    .unwrap_or_else(|| s.sentence.clone())
            } else {
                s.sentence.clone()
            }
        })
        .unwrap_or_default();
    html! {
        <div id="diagram-text" class="sr-only" data-testid="diagram-text">
            <p>{ format!("Step {} of {}: {sentence}", snapshot.step + 1, props.loaded.steps().len()) }</p>
            if let Some(f) = &snapshot.failure {
                <p>{ format!("Failed here: {} ({}).", f.call.clone().unwrap_or_default(), f.error) }</p>
            }
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
                        let verb = if is_unwrap(e) { "was decrypted with" } else { "is encrypted under" };
                        html! { <li>{ format!("{} {verb} {} ({}).", label_of(&e.from), label_of(&e.to), e.algorithm) }</li> }
                    }) }
                </ul>
            }
            if !snapshot.grants.is_empty() {
                <ul>
                    { for snapshot.grants.iter().map(|g| {
                        html! { <li>{ format!("A grant lets {} call {} ({}).", g.grantee, g.operations.join(", "), grant_state_word(g.state)) }</li> }
                    }) }
                </ul>
            }
        </div>
    }
}
