//! Where the diagram draws each trust boundary, node, grant, arrow and failure: a
//! deterministic layout of a [`Snapshot`] for the width the diagram is shown at, pure so
//! it is tested natively.
//!
//! The diagram is laid out at the size it is drawn (the SVG is never scaled), so its text
//! is the size its [`Font`]s say, never under 12 px; every text is wrapped to the room it
//! has ([`text::wrap`]), so no name is cut. Boundaries go in lanes, left to right in the
//! order keys protect each other ([`lane`]): KMS; memory; storage at rest. Inside a lane,
//! boundaries stack in the run's order; inside a boundary, nodes stack in the snapshot's
//! order. Every boundary the run ever uses keeps its place for the whole run. A narrow
//! diagram gets fewer lanes (one on a phone: everything stacked).

pub mod text;

use kmsplay_core::diagram::{
    lane, Edge, FailureFrom, GrantState, KeyState, Lane, Node, Relation, Snapshot,
};
use kmsplay_core::trace::Location;

use crate::describe::{node_detail, region_caption, region_heading, short_principal};
use text::{wrap, Font, Measure};

/// The margin around everything.
pub const MARGIN: f64 = 10.0;
/// Padding inside a boundary.
pub const PAD: f64 = 10.0;
/// Space between the nodes of a boundary.
pub const NODE_GAP: f64 = 6.0;
/// Space between the boundaries of a lane.
pub const REGION_GAP: f64 = 10.0;
/// A text line's height.
pub const LINE: f64 = 15.0;
/// A node's smallest height (its glyph's box).
pub const NODE_MIN_H: f64 = 46.0;
/// Where a node's text starts, right of its glyph.
pub const TEXT_X: f64 = 50.0;
/// Where an arrow meets a node: the middle of its glyph.
pub const ANCHOR_Y: f64 = 23.0;
/// A boundary's narrowest and widest.
const REGION_MIN_W: f64 = 200.0;
const REGION_MAX_W: f64 = 320.0;
const REGION_MAX_W_ONE_LANE: f64 = 460.0;
/// The gap between lanes, where arrows cross: its narrowest and widest.
const GAP_MIN: f64 = 72.0;
const GAP_MAX: f64 = 150.0;
/// Room above the boundaries, in three lanes, for arrows that skip the middle lane.
const CHANNEL: f64 = 30.0;
/// Rounding of the corners of arrows that skip a lane.
const CORNER: f64 = 8.0;

/// Room right of the last lane for arrows between nodes of one lane.
fn gutter(lanes: usize) -> f64 {
    if lanes == 1 {
        30.0
    } else {
        44.0
    }
}

/// What a line of text is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A boundary's title.
    RegionTitle,
    /// A boundary's caption.
    RegionCaption,
    /// A node's title.
    Title,
    /// A node's detail.
    Detail,
    /// A KMS key's id.
    KeyId,
    /// A KMS key's state (disabled, pending deletion).
    KeyState,
    /// A flipped byte.
    Tampered,
    /// The error of a call this node refused.
    Error,
    /// A grant's operations.
    GrantHead,
    /// A grant's grantee.
    GrantDetail,
    /// How a grant ended.
    GrantEnded,
}

impl LineKind {
    /// Its font.
    pub fn font(self) -> Font {
        match self {
            LineKind::RegionTitle => Font::RegionTitle,
            LineKind::RegionCaption | LineKind::Detail | LineKind::GrantDetail => Font::Caption,
            LineKind::Title => Font::NodeTitle,
            LineKind::KeyId => Font::Mono,
            LineKind::GrantHead => Font::Label,
            LineKind::KeyState | LineKind::Tampered | LineKind::GrantEnded | LineKind::Error => {
                Font::Badge
            }
        }
    }
}

/// A line of text, its baseline relative to its box.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The text.
    pub text: String,
    /// Left edge.
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// What it is.
    pub kind: LineKind,
}

/// A trust boundary's box.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBox {
    /// The boundary.
    pub location: Location,
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Its title and caption lines, relative to the box.
    pub lines: Vec<TextLine>,
    /// Where its body starts (below the title), relative to the box.
    pub body_y: f64,
    /// How many nodes it holds at this step.
    pub count: usize,
}

/// A grant drawn on a KMS key, relative to the key's box.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantBox {
    /// Index into the snapshot's grants.
    pub grant: usize,
    /// Top of its row.
    pub y: f64,
    /// Its row's height.
    pub h: f64,
    /// Its lines.
    pub lines: Vec<TextLine>,
}

/// A node's box.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    /// Index into the snapshot's nodes.
    pub node: usize,
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Its lane.
    pub lane: usize,
    /// Its text, relative to the box.
    pub lines: Vec<TextLine>,
    /// The grants on it (a KMS key).
    pub grants: Vec<GrantBox>,
}

impl NodeBox {
    fn anchor(&self) -> Anchor {
        Anchor {
            x: self.x,
            right: self.x + self.w,
            y: self.y + ANCHOR_Y,
            lane: self.lane,
        }
    }
}

/// Where an arrow may start or end: a box's left and right edges at a height.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Anchor {
    x: f64,
    right: f64,
    y: f64,
    lane: usize,
}

/// An arrow's label, on a plate.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The plate's left.
    pub x: f64,
    /// The plate's top.
    pub y: f64,
    /// The plate's width.
    pub w: f64,
    /// The plate's height.
    pub h: f64,
    /// The text.
    pub text: String,
}

/// An arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePath {
    /// Index into the snapshot's edges.
    pub edge: usize,
    /// The SVG path.
    pub d: String,
    /// Its label: only the step's own arrows carry one (the others are the hierarchy
    /// made before, drawn faintly).
    pub label: Option<Label>,
}

/// A caller the diagram has no boundary for, drawn as a chip under the KMS boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerChip {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The caller's name, short.
    pub text: String,
}

/// The failure of the step, drawn where it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureMark {
    /// The broken arrow, when both ends are drawn.
    pub d: Option<String>,
    /// Where it breaks (the ✕).
    pub break_x: f64,
    /// Where it breaks.
    pub break_y: f64,
    /// The AWS error name, on a plate by the break, when it is not written in the node
    /// that refused the call (the usual place, where it hides nothing).
    pub label: Option<Label>,
    /// The AWS error name.
    pub error: String,
    /// The caller, when it has no boundary.
    pub chip: Option<CallerChip>,
    /// The node the request came from, if a node (outlined).
    pub from_node: Option<usize>,
    /// The node that refused it (outlined).
    pub to_node: Option<usize>,
    /// The boundary the request came from, if a boundary.
    pub from_region: Option<usize>,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Its width (the width it was laid out for, or more when that is too narrow).
    pub width: f64,
    /// Its height.
    pub height: f64,
    /// How many lanes.
    pub lanes: usize,
    /// The boundaries.
    pub regions: Vec<RegionBox>,
    /// The nodes, in snapshot order (only nodes of known boundaries).
    pub nodes: Vec<NodeBox>,
    /// The arrows whose ends are both drawn.
    pub edges: Vec<EdgePath>,
    /// What failed at this step.
    pub failure: Option<FailureMark>,
}

/// The lane of a boundary in the full three-lane layout.
pub fn natural_lane(location: &Location) -> usize {
    match lane(location) {
        Lane::Kms => 0,
        Lane::Memory => 1,
        Lane::Storage => 2,
    }
}

fn need(lanes: usize) -> f64 {
    let n = lanes as f64;
    2.0 * MARGIN + gutter(lanes) + n * REGION_MIN_W + (n - 1.0).max(0.0) * GAP_MIN
}

/// The number of lanes for a diagram `width` CSS pixels wide whose boundaries use `used`
/// lanes.
pub fn lanes_for_width(width: f64, used: usize) -> usize {
    (1..=used.clamp(1, 3))
        .rev()
        .find(|&n| width >= need(n))
        .unwrap_or(1)
}

/// A node's title and detail lines: `Encrypted mailbox key (alice@example.com)` becomes
/// `Encrypted mailbox key` and `alice@example.com`; `Message "Hi"` becomes `Message` and
/// `"Hi"`.
pub fn split_label(label: &str) -> (&str, Option<&str>) {
    if let Some(quote) = label.find(" \"") {
        if label.ends_with('"') {
            return (&label[..quote], Some(&label[quote + 1..]));
        }
    }
    if let Some(open) = label.find(" (") {
        if label.ends_with(')') {
            return (&label[..open], Some(&label[open + 2..label.len() - 1]));
        }
    }
    (label, None)
}

/// A grant's lines: what it allows, to whom, and how it ended.
fn grant_lines(snapshot: &Snapshot, grant: usize, width: f64, m: &dyn Measure) -> Vec<TextLine> {
    let Some(g) = snapshot.grants.get(grant) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut push = |text: &str, kind: LineKind| {
        for t in wrap(text, kind.font(), width, m) {
            lines.push((t, kind));
        }
    };
    push(
        &format!("Grant: {}", g.operations.join(", ")),
        LineKind::GrantHead,
    );
    push(&format!("to {}", g.grantee), LineKind::GrantDetail);
    match (g.state, g.ended) {
        (GrantState::Active, _) => {}
        (state, ended) => {
            let how = if state == GrantState::Revoked {
                "revoked"
            } else {
                "retired"
            };
            let at = ended.map_or(String::new(), |s| format!(" at step {}", s + 1));
            push(&format!("{how}{at}: allows nothing"), LineKind::GrantEnded);
        }
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(k, (text, kind))| TextLine {
            text,
            x: 12.0,
            y: 6.0 + 12.0 + k as f64 * LINE,
            kind,
        })
        .collect()
}

/// A node's lines (relative to its box) and its height.
fn node_content(node: &Node, error: Option<&str>, w: f64, m: &dyn Measure) -> (Vec<TextLine>, f64) {
    let (title, qualifier) = split_label(&node.label);
    let text_w = (w - TEXT_X - 8.0).max(40.0);
    let mut rows: Vec<(String, LineKind)> = Vec::new();
    let mut push = |text: &str, kind: LineKind| {
        for t in wrap(text, kind.font(), text_w, m) {
            rows.push((t, kind));
        }
    };
    push(title, LineKind::Title);
    let detail = node_detail(node, qualifier);
    if !detail.is_empty() {
        push(&detail, LineKind::Detail);
    }
    if let Some(id) = &node.key_id {
        push(id, LineKind::KeyId);
    }
    match node.key_state {
        Some(KeyState::Disabled) => push("Disabled: refuses every operation", LineKind::KeyState),
        Some(KeyState::PendingDeletion) => push(
            "Pending deletion: refuses every operation",
            LineKind::KeyState,
        ),
        Some(KeyState::Enabled) | None => {}
    }
    if let Some(t) = node.tampered {
        let what = t
            .offset
            .map_or_else(|| "one bit".to_owned(), |o| format!("byte {o}"));
        push(
            &format!("{what} flipped at step {}", t.step + 1),
            LineKind::Tampered,
        );
    }
    let mut lines: Vec<TextLine> = rows
        .into_iter()
        .enumerate()
        .map(|(k, (text, kind))| TextLine {
            text,
            x: TEXT_X,
            y: 6.0 + 13.0 + k as f64 * LINE,
            kind,
        })
        .collect();
    if let Some(error) = error {
        // Below the glyph the line may take the node's whole width: an error name is one
        // long word.
        let (x, room) = if lines.len() >= 2 {
            (12.0, w - 24.0)
        } else {
            (TEXT_X, text_w)
        };
        for t in wrap(&format!("✕ {error}"), Font::Badge, room, m) {
            let k = lines.len();
            lines.push(TextLine {
                text: t,
                x,
                y: 6.0 + 13.0 + k as f64 * LINE,
                kind: LineKind::Error,
            });
        }
    }
    let h = (6.0 + lines.len() as f64 * LINE + 7.0).max(NODE_MIN_H);
    (lines, h)
}

/// A boundary's title and caption lines (relative to its box) and its header's height.
fn region_header(location: &Location, w: f64, m: &dyn Measure) -> (Vec<TextLine>, f64) {
    let width = w - 2.0 * PAD;
    let mut lines = Vec::new();
    let mut y = 6.0;
    let (title, instance) = region_heading(location);
    for t in wrap(&title, Font::RegionTitle, width, m) {
        y += 16.0;
        lines.push(TextLine {
            text: t,
            x: PAD,
            y: y - 3.0,
            kind: LineKind::RegionTitle,
        });
    }
    let caption = match instance {
        Some(i) => format!("{i} · {}", region_caption(location)),
        None => region_caption(location),
    };
    for t in wrap(&caption, Font::Caption, width, m) {
        y += 14.0;
        lines.push(TextLine {
            text: t,
            x: PAD,
            y: y - 2.0,
            kind: LineKind::RegionCaption,
        });
    }
    (lines, y + 6.0)
}

/// Lays out `snapshot`, with the run's boundaries `regions`, for a diagram `width` CSS
/// pixels wide, measuring text with `m`.
pub fn layout(regions: &[Location], snapshot: &Snapshot, width: f64, m: &dyn Measure) -> Layout {
    let mut all: Vec<Location> = regions.to_vec();
    for r in &snapshot.regions {
        if !all.contains(r) {
            all.push(r.clone());
        }
    }
    // Only lanes that hold something, then squeezed into the lanes there is room for.
    let mut used: Vec<usize> = all.iter().map(natural_lane).collect();
    used.sort_unstable();
    used.dedup();
    let lanes = lanes_for_width(width, used.len());
    let lane_of = |location: &Location| -> usize {
        let rank = used
            .iter()
            .position(|&l| l == natural_lane(location))
            .unwrap_or(0);
        // With fewer lanes than used, the first lanes fold together (KMS on top of
        // memory), so storage keeps a lane of its own as long as possible.
        rank.saturating_sub(used.len().saturating_sub(lanes))
            .min(lanes - 1)
    };

    // Widths: boundaries as wide as they may be, the rest to the gaps, centred.
    let n = lanes as f64;
    let max_w = if lanes == 1 {
        REGION_MAX_W_ONE_LANE
    } else {
        REGION_MAX_W
    };
    let free = width - 2.0 * MARGIN - gutter(lanes);
    let region_w =
        ((free - (n - 1.0) * GAP_MIN) / n).clamp(REGION_MIN_W.min(free.max(120.0)), max_w);
    let gap = if lanes > 1 {
        ((free - n * region_w) / (n - 1.0)).clamp(GAP_MIN, GAP_MAX)
    } else {
        0.0
    };
    let used_w = 2.0 * MARGIN + gutter(lanes) + n * region_w + (n - 1.0) * gap;
    let offset = ((width - used_w) / 2.0).max(0.0);
    let lane_x = |lane: usize| offset + MARGIN + lane as f64 * (region_w + gap);

    let top = if lanes >= 3 { MARGIN + CHANNEL } else { MARGIN };
    let mut lane_y = vec![top; lanes];
    let mut region_boxes = Vec::new();
    let mut node_boxes: Vec<NodeBox> = Vec::new();
    let mut caller = match snapshot.failure.as_ref().map(|f| &f.from) {
        Some(FailureFrom::Caller(name)) => Some(short_principal(name)),
        _ => None,
    };
    let mut chip = None;
    for location in &all {
        let lane = lane_of(location);
        let x = lane_x(lane);
        let y = lane_y[lane];
        let (lines, header) = region_header(location, region_w, m);
        let mut body = header;
        let mut count = 0;
        for (i, node) in snapshot.nodes.iter().enumerate() {
            if &node.location != location {
                continue;
            }
            let w = region_w - 2.0 * PAD;
            let error = snapshot
                .failure
                .as_ref()
                .filter(|f| f.to.as_deref() == Some(node.id.as_str()))
                .map(|f| f.error.as_str());
            let (lines, mut h) = node_content(node, error, w, m);
            let mut grants = Vec::new();
            for (g, _) in snapshot
                .grants
                .iter()
                .enumerate()
                .filter(|(_, g)| g.key == node.id)
            {
                let lines = grant_lines(snapshot, g, w - 24.0, m);
                let gh = 6.0 + lines.len() as f64 * LINE + 4.0;
                grants.push(GrantBox {
                    grant: g,
                    y: h,
                    h: gh,
                    lines,
                });
                h += gh;
            }
            if !grants.is_empty() {
                h += 6.0;
            }
            node_boxes.push(NodeBox {
                node: i,
                x: x + PAD,
                y: y + body,
                w,
                h,
                lane,
                lines,
                grants,
            });
            body += h + NODE_GAP;
            count += 1;
        }
        let h = if count == 0 {
            header + 22.0 + PAD
        } else {
            body - NODE_GAP + PAD
        };
        region_boxes.push(RegionBox {
            location: location.clone(),
            x,
            y,
            w: region_w,
            h,
            lines,
            body_y: header,
            count,
        });
        lane_y[lane] = y + h + REGION_GAP;
        if *location == Location::Kms {
            if let Some(text) = caller.take() {
                let w = (m.width(&text, Font::Label) + 24.0).min(region_w);
                chip = Some(CallerChip {
                    x,
                    y: lane_y[lane] + 6.0,
                    w,
                    h: 30.0,
                    text,
                });
                lane_y[lane] += 30.0 + 6.0 + REGION_GAP;
            }
        }
    }
    node_boxes.sort_by_key(|b| b.node);

    let find = |id: &str| -> Option<&NodeBox> {
        let i = snapshot.nodes.iter().position(|n| n.id == id)?;
        node_boxes.iter().find(|b| b.node == i)
    };
    let lane_count = lanes;
    let mut skips = 0;
    let edges = snapshot
        .edges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let (from, to) = (find(&e.from)?.anchor(), find(&e.to)?.anchor());
            let (d, mid) = route_any(from, to, &mut skips, lane_count);
            let label = e
                .changed
                .then(|| plate(&e.algorithm, Font::Label, mid, width, m));
            Some(EdgePath { edge: i, d, label })
        })
        .collect();

    let failure = snapshot.failure.as_ref().map(|f| {
        let from_node = match &f.from {
            FailureFrom::Node(id) => snapshot.nodes.iter().position(|n| &n.id == id),
            _ => None,
        };
        let from_region = match &f.from {
            FailureFrom::Region(loc) => region_boxes.iter().position(|r| &r.location == loc),
            _ => None,
        };
        let to_node =
            f.to.as_deref()
                .and_then(|id| snapshot.nodes.iter().position(|n| n.id == id));
        let from_anchor = match (&from_node, &from_region, &chip) {
            (Some(i), _, _) => node_boxes
                .iter()
                .find(|b| b.node == *i)
                .map(NodeBox::anchor),
            (_, Some(r), _) => region_boxes.get(*r).map(|r| Anchor {
                x: r.x,
                right: r.x + r.w,
                y: r.y + 20.0,
                lane: lane_of(&r.location),
            }),
            (_, _, Some(c)) => Some(Anchor {
                x: c.x,
                right: c.x + c.w,
                y: c.y + c.h / 2.0,
                lane: 0,
            }),
            _ => None,
        };
        let to_anchor =
            to_node.and_then(|i| node_boxes.iter().find(|b| b.node == i).map(NodeBox::anchor));
        let (d, mid) = match (from_anchor, to_anchor, &chip) {
            // A caller under the KMS boundary: straight up into the key.
            (Some(a), Some(b), Some(c)) if from_node.is_none() && from_region.is_none() => {
                let x = c.x + c.w / 2.0;
                let y1 = c.y;
                let y2 = find_box(&node_boxes, to_node).map_or(b.y, |t| t.y + t.h) + 3.0;
                let _ = a;
                (
                    Some(format!("M{x:.1} {y1:.1} V{y2:.1}")),
                    (x, (y1 + y2) / 2.0),
                )
            }
            (Some(a), Some(b), _) if a != b => {
                let (d, mid) = route_any(a, b, &mut skips, lane_count);
                (Some(d), mid)
            }
            (Some(a), _, _) => (None, (a.right - 12.0, a.y - 12.0)),
            (None, Some(b), _) => (None, (b.right - 12.0, b.y - 12.0)),
            (None, None, _) => (None, (MARGIN + 40.0, MARGIN + 12.0)),
        };
        // By the break, where it hides no node: above, beside, below.
        let w = m.width(&f.error, Font::Badge) + 10.0;
        let candidates = [
            (mid.0, mid.1 - 22.0),
            (mid.0 + 14.0 + w / 2.0, mid.1),
            (mid.0, mid.1 + 22.0),
            (mid.0 - 14.0 - w / 2.0, mid.1),
        ];
        let fits = |l: &Label| {
            l.y >= 2.0
                && l.x >= 2.0
                && l.x + l.w <= width - 2.0
                && !node_boxes
                    .iter()
                    .any(|b| overlap((l.x, l.y, l.w, l.h), (b.x, b.y, b.w, b.h)))
        };
        let label = to_node.is_none().then(|| {
            candidates
                .iter()
                .map(|&at| plate(&f.error, Font::Badge, at, width, m))
                .find(|l| fits(l))
                .unwrap_or_else(|| {
                    let mut l = plate(&f.error, Font::Badge, candidates[1], width, m);
                    l.y = l.y.max(2.0);
                    l
                })
        });
        FailureMark {
            d,
            break_x: mid.0,
            break_y: mid.1,
            label,
            error: f.error.clone(),
            chip: chip.clone(),
            from_node,
            to_node,
            from_region,
        }
    });

    let content_w =
        region_boxes.iter().map(|r| r.x + r.w).fold(0.0, f64::max) + gutter(lanes) + MARGIN;
    let bottom = region_boxes
        .iter()
        .map(|r| r.y + r.h)
        .chain(chip.iter().map(|c| c.y + c.h))
        .fold(MARGIN, f64::max);
    Layout {
        width: width.max(content_w),
        height: bottom + MARGIN,
        lanes,
        regions: region_boxes,
        nodes: node_boxes,
        edges,
        failure,
    }
}

/// The zooms tried, largest first, to fill a tall stage.
const ZOOMS: [f64; 3] = [1.3, 1.2, 1.1];
/// Runs longer than this are not measured for zoom (a hostile edited scenario).
const ZOOM_MAX_STEPS: usize = 80;

/// How much larger than its fonts the diagram can be drawn so that the tallest of its
/// `snapshots` still fits `height` and it keeps the lanes it has at `width`: a large
/// screen is filled, and the zoom is the run's, so it does not jump from step to step.
/// At least 1: text is never drawn smaller than its font.
pub fn zoom_to_fit(
    regions: &[Location],
    snapshots: &[Snapshot],
    width: f64,
    height: f64,
    m: &dyn Measure,
) -> f64 {
    if snapshots.is_empty() || snapshots.len() > ZOOM_MAX_STEPS {
        return 1.0;
    }
    let lanes = layout(regions, &snapshots[0], width, m).lanes;
    ZOOMS
        .into_iter()
        .find(|&z| {
            snapshots.iter().all(|s| {
                let l = layout(regions, s, width / z, m);
                l.lanes == lanes && l.height * z <= height && l.width <= width / z + 0.5
            })
        })
        .unwrap_or(1.0)
}

/// Whether two boxes (left, top, width, height) overlap.
fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn find_box(boxes: &[NodeBox], node: Option<usize>) -> Option<&NodeBox> {
    boxes.iter().find(|b| Some(b.node) == node)
}

/// A label plate centred on `at`, kept inside the diagram.
fn plate(text: &str, font: Font, at: (f64, f64), width: f64, m: &dyn Measure) -> Label {
    let w = m.width(text, font) + 10.0;
    let x = (at.0 - w / 2.0).clamp(2.0, (width - w - 2.0).max(2.0));
    Label {
        x,
        y: at.1 - 9.0,
        w,
        h: 18.0,
        text: text.to_owned(),
    }
}

fn route_any(from: Anchor, to: Anchor, skips: &mut usize, lanes: usize) -> (String, (f64, f64)) {
    if from.lane.abs_diff(to.lane) >= 2 {
        *skips += 1;
        route_over(from, to, *skips - 1)
    } else {
        route(from, to, lanes)
    }
}

fn cubic_mid(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64)) -> (f64, f64) {
    (
        (p0.0 + 3.0 * p1.0 + 3.0 * p2.0 + p3.0) / 8.0,
        (p0.1 + 3.0 * p1.1 + 3.0 * p2.1 + p3.1) / 8.0,
    )
}

/// An arrow from `from` (the ciphertext, or the plaintext a key decrypted) to `to` (the
/// key): across lanes side to side; within a lane, out of the right sides and back.
fn route(from: Anchor, to: Anchor, lanes: usize) -> (String, (f64, f64)) {
    let (y1, y2) = (from.y, to.y);
    let curve = |x1: f64, c1: f64, c2: f64, x2: f64, y1: f64| {
        let mid = cubic_mid((x1, y1), (c1, y1), (c2, y2), (x2, y2));
        (
            format!("M{x1:.1} {y1:.1} C{c1:.1} {y1:.1} {c2:.1} {y2:.1} {x2:.1} {y2:.1}"),
            mid,
        )
    };
    if to.lane < from.lane {
        let (x1, x2) = (from.x, to.right + 3.0);
        let dx = ((x1 - x2) / 2.0).max(30.0);
        curve(x1, x1 - dx, x2 + dx, x2, y1)
    } else if to.lane > from.lane {
        let (x1, x2) = (from.right, to.x - 3.0);
        let dx = ((x2 - x1) / 2.0).max(30.0);
        curve(x1, x1 + dx, x2 - dx, x2, y1)
    } else {
        let (x1, x2) = (from.right, to.right + 3.0);
        let room = if from.lane + 1 == lanes {
            gutter(lanes) - 6.0
        } else {
            GAP_MIN / 2.0
        };
        let bulge = (22.0 + ((y1 - y2).abs() / 8.0).min(54.0)).min(room / 0.75);
        // The start leaves slightly below the middle, so arrows into and out of one
        // node do not share a point.
        curve(x1, x1 + bulge, x2 + bulge, x2, y1 + 6.0)
    }
}

/// An arrow that skips a lane: out into the gap, up into the channel above the
/// boundaries, across, and down to the key. The `k`th such arrow runs a little outside
/// the one before, so they stay apart.
fn route_over(from: Anchor, to: Anchor, k: usize) -> (String, (f64, f64)) {
    let k = (k % 4) as f64;
    let reach = PAD + GAP_MIN * 0.6;
    let leftward = from.lane > to.lane;
    let (x1, gx1, gx2, x2) = if leftward {
        (
            from.x,
            from.x - reach + k * 5.0,
            to.right + reach - k * 5.0,
            to.right + 3.0,
        )
    } else {
        (
            from.right,
            from.right + reach - k * 5.0,
            to.x - reach + k * 5.0,
            to.x - 3.0,
        )
    };
    // The direction of travel along x, for the corners.
    let s = if leftward { -CORNER } else { CORNER };
    let r = CORNER;
    let (y1, y2) = (from.y, to.y);
    let cy = MARGIN + 10.0 + k * 5.0;
    let d = format!(
        "M{x1:.1} {y1:.1} H{:.1} Q{gx1:.1} {y1:.1} {gx1:.1} {:.1} V{:.1} Q{gx1:.1} {cy:.1} {:.1} {cy:.1} \
         H{:.1} Q{gx2:.1} {cy:.1} {gx2:.1} {:.1} V{:.1} Q{gx2:.1} {y2:.1} {:.1} {y2:.1} H{x2:.1}",
        gx1 - s,
        y1 - r,
        cy + r,
        gx1 + s,
        gx2 - s,
        cy + r,
        y2 - r,
        gx2 + s
    );
    (d, ((gx1 + gx2) / 2.0, cy))
}

/// The edges that start or end at `node`.
pub fn edges_of<'a>(snapshot: &'a Snapshot, node: &'a Node) -> impl Iterator<Item = &'a Edge> {
    snapshot
        .edges
        .iter()
        .filter(move |e| e.from == node.id || e.to == node.id)
}

/// Whether an arrow is a decryption (drawn dashed).
pub fn is_unwrap(edge: &Edge) -> bool {
    edge.relation == Relation::Unwraps
}

#[cfg(test)]
mod tests {
    use super::text::Estimate;
    use super::*;
    use kmsplay_core::diagram::{regions_of, snapshot};
    use kmsplay_core::scenario::{builtin, builtins, run};
    use kmsplay_core::trace::{ArtifactKind, Step};

    fn is_kms_key(node: &Node) -> bool {
        node.kind == ArtifactKind::KmsKey
    }

    fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        overlap(a, b)
    }

    fn steps_of(name: &str) -> Vec<Step> {
        let s = builtin(name)
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        run(&s, None).trace.steps
    }

    /// At every width the page uses (a 320 px phone to a 1920 px screen), every step of
    /// every built-in lays out inside its width, without overlaps, with every line of
    /// text inside its box.
    #[test]
    fn every_step_of_every_builtin_fits_its_width_without_overlaps() {
        let m = Estimate;
        for b in builtins() {
            if b.name.contains("legacy") || b.name.contains("asymmetric") {
                continue; // RSA key generation: slow in a debug build; e2e tests cover them
            }
            let steps = steps_of(b.name);
            let regions = regions_of(&steps);
            for width in [288.0, 360.0, 600.0, 940.0, 1400.0] {
                for at in 0..steps.len() {
                    let snap = snapshot(&steps, at);
                    let l = layout(&regions, &snap, width, &m);
                    let what = format!("{} step {at} at {width}", b.name);
                    assert!(l.width <= width + 0.01, "{what}: {} wide", l.width);
                    assert_eq!(l.nodes.len(), snap.nodes.len(), "{what}");
                    assert_eq!(l.regions.len(), regions.len(), "{what}");
                    assert_eq!(l.edges.len(), snap.edges.len(), "{what}");
                    for (i, a) in l.regions.iter().enumerate() {
                        assert!(a.x >= 0.0 && a.x + a.w <= l.width, "{what}");
                        assert!(a.y >= 0.0 && a.y + a.h <= l.height + 0.01, "{what}");
                        for c in &l.regions[i + 1..] {
                            assert!(
                                !overlaps((a.x, a.y, a.w, a.h), (c.x, c.y, c.w, c.h)),
                                "{what}: regions overlap"
                            );
                        }
                        for t in &a.lines {
                            let w = m.width(&t.text, t.kind.font());
                            assert!(t.x + w <= a.w - PAD + 0.5, "{what}: {:?} is cut", t.text);
                        }
                    }
                    for (i, a) in l.nodes.iter().enumerate() {
                        let node = &snap.nodes[a.node];
                        let region = l
                            .regions
                            .iter()
                            .find(|r| r.location == node.location)
                            .expect("its region");
                        assert!(
                            a.x >= region.x && a.x + a.w <= region.x + region.w,
                            "{what}"
                        );
                        assert!(
                            a.y >= region.y && a.y + a.h <= region.y + region.h,
                            "{what}"
                        );
                        for t in a.lines.iter().chain(a.grants.iter().flat_map(|g| &g.lines)) {
                            let w = m.width(&t.text, t.kind.font());
                            assert!(t.x + w <= a.w, "{what}: {:?} is cut", t.text);
                        }
                        for c in &l.nodes[i + 1..] {
                            assert!(
                                !overlaps((a.x, a.y, a.w, a.h), (c.x, c.y, c.w, c.h)),
                                "{what}"
                            );
                        }
                    }
                    if let Some(f) = &l.failure {
                        assert!(
                            f.label
                                .as_ref()
                                .is_none_or(|p| p.x >= 0.0 && p.x + p.w <= l.width + 0.01),
                            "{what}"
                        );
                    }
                    assert_eq!(l.failure.is_some(), steps[at].failed(), "{what}");
                }
            }
        }
    }

    #[test]
    fn lanes_follow_the_key_hierarchy_and_the_width() {
        let steps = steps_of("workmail-basics");
        let regions = regions_of(&steps);
        let last = snapshot(&steps, steps.len() - 1);
        let m = Estimate;
        let wide = layout(&regions, &last, 1200.0, &m);
        assert_eq!(wide.lanes, 3);
        let x_of = |l: &Layout, pred: fn(&Location) -> bool| {
            l.regions
                .iter()
                .find(|r| pred(&r.location))
                .map(|r| r.x)
                .expect("region")
        };
        let kms = x_of(&wide, |l| *l == Location::Kms);
        let memory = x_of(&wide, |l| matches!(l, Location::ServiceMemory { .. }));
        let store = x_of(&wide, |l| matches!(l, Location::MailboxStore { .. }));
        assert!(kms < memory && memory < store);
        let phone = layout(&regions, &last, 360.0, &m);
        assert_eq!(phone.lanes, 1);
        assert!(phone.regions.windows(2).all(|w| w[0].x == w[1].x));
        assert!(phone.height > wide.height);
        // Deterministic.
        assert_eq!(layout(&regions, &last, 1200.0, &m), wide);
        assert_eq!(lanes_for_width(360.0, 3), 1);
        assert_eq!(lanes_for_width(1200.0, 3), 3);
        assert_eq!(lanes_for_width(1200.0, 2), 2);
    }

    #[test]
    fn only_the_steps_own_arrows_are_labelled() {
        let steps = steps_of("workmail-basics");
        let regions = regions_of(&steps);
        for at in 0..steps.len() {
            let snap = snapshot(&steps, at);
            let l = layout(&regions, &snap, 1000.0, &Estimate);
            for e in &l.edges {
                assert_eq!(e.label.is_some(), snap.edges[e.edge].changed);
            }
        }
    }

    #[test]
    fn grants_sit_on_their_key_and_a_failure_is_drawn_between_its_ends() {
        let steps = steps_of("workmail-revoke-grant");
        let regions = regions_of(&steps);
        let refused = steps.iter().position(Step::failed).expect("a refusal");
        let snap = snapshot(&steps, refused);
        let l = layout(&regions, &snap, 1000.0, &Estimate);
        let key = l
            .nodes
            .iter()
            .find(|b| is_kms_key(&snap.nodes[b.node]))
            .expect("the KMS key");
        assert_eq!(key.grants.len(), 1);
        assert!(key.grants[0]
            .lines
            .iter()
            .any(|t| t.kind == LineKind::GrantEnded && t.text.starts_with("revoked at step")));
        let f = l.failure.as_ref().expect("drawn");
        assert!(f.d.is_some(), "a broken arrow");
        assert_eq!(f.to_node, Some(key.node));
        assert!(f.from_node.is_some());
        assert_eq!(f.error, "AccessDeniedException");
        // The error is written in the key that refused the call.
        assert!(f.label.is_none());
        assert!(key
            .lines
            .iter()
            .any(|t| t.kind == LineKind::Error && t.text.ends_with("AccessDeniedException")));

        // A caller with no boundary gets a chip under KMS.
        let steps = steps_of("location-least-privilege");
        let regions = regions_of(&steps);
        let at = steps.iter().position(Step::failed).expect("a refusal");
        let l = layout(&regions, &snapshot(&steps, at), 360.0, &Estimate);
        let f = l.failure.as_ref().expect("drawn");
        let chip = f.chip.as_ref().expect("a chip");
        assert_eq!(chip.text, "role/LocationTeam");
        assert!(f.d.is_some());
    }

    #[test]
    fn a_tall_stage_zooms_the_run_but_never_below_its_fonts() {
        let steps = steps_of("encryption-context");
        let regions = regions_of(&steps);
        let snaps: Vec<Snapshot> = (0..steps.len()).map(|i| snapshot(&steps, i)).collect();
        let m = Estimate;
        let big = zoom_to_fit(&regions, &snaps, 1400.0, 900.0, &m);
        assert!(big > 1.0, "{big}");
        for s in &snaps {
            let l = layout(&regions, s, 1400.0 / big, &m);
            assert!(l.height * big <= 900.0);
        }
        assert_eq!(zoom_to_fit(&regions, &snaps, 1400.0, 100.0, &m), 1.0);
        assert_eq!(zoom_to_fit(&regions, &[], 1400.0, 900.0, &m), 1.0);
    }

    #[test]
    fn an_empty_snapshot_still_draws_kms() {
        let snap = snapshot(&[], 0);
        let l = layout(&[Location::Kms], &snap, 800.0, &Estimate);
        assert_eq!(l.regions.len(), 1);
        assert!(l.width > 0.0 && l.height > 0.0);
    }

    #[test]
    fn labels_split() {
        assert_eq!(
            split_label("Encrypted mailbox key (alice@example.com)"),
            ("Encrypted mailbox key", Some("alice@example.com"))
        );
        assert_eq!(
            split_label("Message \"Old habits\""),
            ("Message", Some("\"Old habits\""))
        );
        assert_eq!(
            split_label("KMS key \"Customer managed key (experiment)\""),
            ("KMS key", Some("\"Customer managed key (experiment)\""))
        );
        assert_eq!(split_label("KMS key"), ("KMS key", None));
    }
}
