//! Where the diagram draws each trust boundary, node and arrow: a deterministic layout
//! from a [`Snapshot`], pure so it is tested natively.
//!
//! Boundaries go in lanes, left to right in the order keys protect each other: KMS;
//! memory (services, caches, callers); storage at rest (mailbox stores, S3). Inside a
//! lane, boundaries stack in the run's order; inside a boundary, nodes stack in the
//! snapshot's order. Every boundary the run ever uses keeps its place for the whole run.
//! Narrow screens get fewer lanes (one on a phone: everything stacked).

use kmsplay_core::diagram::{Edge, Node, Snapshot};
use kmsplay_core::trace::Location;

/// A node's width.
pub const NODE_W: f64 = 240.0;
/// A node's height.
pub const NODE_H: f64 = 50.0;
/// Space between nodes.
pub const NODE_GAP: f64 = 10.0;
/// Padding inside a boundary.
pub const PAD: f64 = 12.0;
/// A boundary's title area.
pub const HEADER: f64 = 46.0;
/// The height of an empty boundary's body.
pub const EMPTY_H: f64 = 26.0;
/// A boundary's width.
pub const REGION_W: f64 = NODE_W + 2.0 * PAD;
/// Space between boundaries of one lane.
pub const REGION_GAP: f64 = 18.0;
/// Space between lanes, where arrows and their labels run.
pub const LANE_GAP: f64 = 128.0;
/// The margin around everything.
pub const MARGIN: f64 = 12.0;
/// Room right of the last lane for arrows between nodes of one lane.
pub const GUTTER: f64 = 112.0;
/// Room above the boundaries, in three lanes, for arrows that skip the middle lane.
pub const CHANNEL: f64 = 34.0;
/// Rounding of the corners of arrows that skip a lane.
const CORNER: f64 = 8.0;

/// A trust boundary's box.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBox {
    /// The boundary.
    pub location: Location,
    /// Top left corner.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// How many nodes it holds at this step.
    pub count: usize,
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
    /// Its lane.
    pub lane: usize,
}

impl NodeBox {
    fn right(&self) -> f64 {
        self.x + NODE_W
    }
    fn mid_y(&self) -> f64 {
        self.y + NODE_H / 2.0
    }
}

/// Which way an arrow's label runs from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSide {
    /// Left of the anchor (text ends there).
    Left,
    /// Right of the anchor (text starts there).
    Right,
}

/// An arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePath {
    /// Index into the snapshot's edges.
    pub edge: usize,
    /// The SVG path.
    pub d: String,
    /// Where its label goes.
    pub label_x: f64,
    /// Where its label goes (baseline).
    pub label_y: f64,
    /// Which way the label runs.
    pub side: LabelSide,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The viewBox width.
    pub width: f64,
    /// The viewBox height.
    pub height: f64,
    /// The boundaries.
    pub regions: Vec<RegionBox>,
    /// The nodes, in snapshot order (only nodes of known boundaries).
    pub nodes: Vec<NodeBox>,
    /// The arrows whose ends are both drawn.
    pub edges: Vec<EdgePath>,
}

/// The lane of a boundary in the full three-lane layout.
pub fn natural_lane(location: &Location) -> usize {
    match location {
        Location::Kms => 0,
        Location::ServiceMemory { .. } | Location::Cache { .. } | Location::CallerMemory { .. } => {
            1
        }
        Location::MailboxStore { .. } | Location::S3 { .. } => 2,
    }
}

/// The number of lanes for a diagram `width` CSS pixels wide.
pub fn lanes_for_width(width: f64) -> usize {
    if width >= 760.0 {
        3
    } else if width >= 560.0 {
        2
    } else {
        1
    }
}

/// Lays out `snapshot` with the run's boundaries `regions` in at most `max_lanes` lanes.
pub fn layout(regions: &[Location], snapshot: &Snapshot, max_lanes: usize) -> Layout {
    let max_lanes = max_lanes.clamp(1, 3);
    let mut all: Vec<Location> = regions.to_vec();
    for r in &snapshot.regions {
        if !all.contains(r) {
            all.push(r.clone());
        }
    }
    // Only lanes that hold something, then squeezed into `max_lanes`.
    let mut used: Vec<usize> = all.iter().map(natural_lane).collect();
    used.sort_unstable();
    used.dedup();
    let lane_of = |location: &Location| -> usize {
        let rank = used
            .iter()
            .position(|&l| l == natural_lane(location))
            .unwrap_or(0);
        // Squeeze: with fewer lanes than used, the first lanes fold together (KMS on
        // top of memory), so storage keeps a lane of its own as long as possible.
        rank.saturating_sub(used.len().saturating_sub(max_lanes))
    };
    let lanes = used.len().clamp(1, max_lanes);

    let lane_x = |lane: usize| MARGIN + lane as f64 * (REGION_W + LANE_GAP);
    // With three lanes, arrows from storage to KMS run above everything (through the
    // middle lane they would pass behind its nodes).
    let top = if lanes >= 3 { MARGIN + CHANNEL } else { MARGIN };
    let mut lane_y = vec![top; lanes];
    let mut region_boxes = Vec::new();
    let mut node_boxes = Vec::new();
    for location in &all {
        let lane = lane_of(location).min(lanes - 1);
        let members: Vec<usize> = snapshot
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| &n.location == location)
            .map(|(i, _)| i)
            .collect();
        let body = if members.is_empty() {
            EMPTY_H
        } else {
            members.len() as f64 * (NODE_H + NODE_GAP) - NODE_GAP
        };
        let x = lane_x(lane);
        let y = lane_y[lane];
        let h = HEADER + body + PAD;
        for (k, &node) in members.iter().enumerate() {
            node_boxes.push(NodeBox {
                node,
                x: x + PAD,
                y: y + HEADER + k as f64 * (NODE_H + NODE_GAP),
                lane,
            });
        }
        region_boxes.push(RegionBox {
            location: location.clone(),
            x,
            y,
            w: REGION_W,
            h,
            count: members.len(),
        });
        lane_y[lane] = y + h + REGION_GAP;
    }
    node_boxes.sort_by_key(|b| b.node);

    let find = |id: &str| -> Option<&NodeBox> {
        snapshot
            .nodes
            .iter()
            .position(|n| n.id == id)
            .and_then(|i| node_boxes.iter().find(|b| b.node == i))
    };
    let mut skips = 0;
    let edges = snapshot
        .edges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let (from, to) = (find(&e.from)?, find(&e.to)?);
            if from.lane.abs_diff(to.lane) >= 2 {
                skips += 1;
                Some(route_over(i, from, to, skips - 1))
            } else {
                Some(route(i, from, to))
            }
        })
        .collect();

    let width = lane_x(lanes - 1) + REGION_W + GUTTER;
    let height = lane_y.iter().copied().fold(MARGIN, f64::max) - REGION_GAP + MARGIN;
    Layout {
        width,
        height: height.max(2.0 * MARGIN + HEADER),
        regions: region_boxes,
        nodes: node_boxes,
        edges,
    }
}

/// An arrow from `from` (the ciphertext, or the plaintext a key decrypted) to `to` (the
/// key): across lanes side to side; within a lane, out of the right sides and back.
fn route(edge: usize, from: &NodeBox, to: &NodeBox) -> EdgePath {
    let (y1, y2) = (from.mid_y(), to.mid_y());
    if to.lane < from.lane {
        let (x1, x2) = (from.x, to.right() + 3.0);
        let dx = ((x1 - x2) / 2.0).max(30.0);
        EdgePath {
            edge,
            d: format!(
                "M{x1:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
                x1 - dx,
                x2 + dx
            ),
            label_x: x1 - 6.0,
            label_y: y1 - 6.0,
            side: LabelSide::Left,
        }
    } else if to.lane > from.lane {
        let (x1, x2) = (from.right(), to.x - 3.0);
        let dx = ((x2 - x1) / 2.0).max(30.0);
        EdgePath {
            edge,
            d: format!(
                "M{x1:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
                x1 + dx,
                x2 - dx
            ),
            label_x: x1 + 6.0,
            label_y: y1 - 6.0,
            side: LabelSide::Right,
        }
    } else {
        let (x1, x2) = (from.right(), to.right() + 3.0);
        let bulge = 26.0 + ((y1 - y2).abs() / 8.0).min(54.0);
        // The start leaves slightly below the middle, so arrows into and out of one
        // node do not share a point.
        let y1 = y1 + 6.0;
        EdgePath {
            edge,
            d: format!(
                "M{x1:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
                x1 + bulge,
                x2 + bulge
            ),
            label_x: x1 + 6.0,
            label_y: y1 + 14.0,
            side: LabelSide::Right,
        }
    }
}

/// An arrow that skips a lane: out into the gap, up into the channel above the
/// boundaries, across, and down to the key. The `k`th such arrow runs a little outside
/// the one before, so they stay apart.
fn route_over(edge: usize, from: &NodeBox, to: &NodeBox, k: usize) -> EdgePath {
    let k = (k % 4) as f64;
    let reach = PAD + LANE_GAP * 0.78;
    let leftward = from.lane > to.lane;
    let (x1, gx1, gx2, x2) = if leftward {
        (
            from.x,
            from.x - reach + k * 5.0,
            to.right() + reach - k * 5.0,
            to.right() + 3.0,
        )
    } else {
        (
            from.right(),
            from.right() + reach - k * 5.0,
            to.x - reach + k * 5.0,
            to.x - 3.0,
        )
    };
    // The direction of travel along x, for the corners.
    let s = if leftward { -CORNER } else { CORNER };
    let r = CORNER;
    let (y1, y2) = (from.mid_y(), to.mid_y());
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
    let (label_x, side) = if leftward {
        (x1 - 6.0, LabelSide::Left)
    } else {
        (x1 + 6.0, LabelSide::Right)
    };
    EdgePath {
        edge,
        d,
        label_x,
        label_y: y1 - 6.0,
        side,
    }
}

/// A node's title and detail lines: `Encrypted mailbox key (alice@example.com)` becomes
/// `Encrypted mailbox key` and `alice@example.com`; `Message "Hi"` becomes `Message` and
/// `"Hi"`.
pub fn split_label(label: &str) -> (&str, Option<&str>) {
    if let Some(open) = label.find(" (") {
        if label.ends_with(')') {
            return (&label[..open], Some(&label[open + 2..label.len() - 1]));
        }
    }
    if let Some(quote) = label.find(" \"") {
        return (&label[..quote], Some(&label[quote + 1..]));
    }
    (label, None)
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `text` cut to at most `max` characters at a word boundary (a space or a hyphen), with
/// an ellipsis when cut: what is shown is then whole words of `text`, which a voice user
/// can say and which the accessible name (the whole text) contains.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    // The last word boundary in the second half; a single long word is cut where it must.
    let mut out = match head.rfind([' ', '-']) {
        Some(i) if i > head.len() / 2 => head[..i].to_owned(),
        _ => head,
    };
    out.push('…');
    out
}

/// The edges that start or end at `node`.
pub fn edges_of<'a>(snapshot: &'a Snapshot, node: &'a Node) -> impl Iterator<Item = &'a Edge> {
    snapshot
        .edges
        .iter()
        .filter(move |e| e.from == node.id || e.to == node.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmsplay_core::diagram::snapshot;
    use kmsplay_core::scenario::{builtin, builtins, run};

    use crate::state::regions_of;

    fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    }

    #[test]
    fn every_step_of_every_builtin_lays_out_without_overlaps() {
        for b in builtins() {
            let s = b.scenario().expect("parses");
            let steps = run(&s, None).trace.steps;
            let regions = regions_of(&steps);
            for lanes in 1..=3 {
                for at in 0..steps.len() {
                    let snap = snapshot(&steps, at);
                    let l = layout(&regions, &snap, lanes);
                    assert_eq!(l.nodes.len(), snap.nodes.len(), "{} step {at}", b.name);
                    assert_eq!(l.regions.len(), regions.len());
                    for (i, a) in l.regions.iter().enumerate() {
                        assert!(a.x >= 0.0 && a.x + a.w <= l.width);
                        assert!(a.y >= 0.0 && a.y + a.h <= l.height + 0.01);
                        for c in &l.regions[i + 1..] {
                            assert!(
                                !overlaps((a.x, a.y, a.w, a.h), (c.x, c.y, c.w, c.h)),
                                "{} step {at} lanes {lanes}: regions overlap",
                                b.name
                            );
                        }
                    }
                    for (i, a) in l.nodes.iter().enumerate() {
                        let node = &snap.nodes[a.node];
                        let region = l
                            .regions
                            .iter()
                            .find(|r| r.location == node.location)
                            .expect("its region");
                        assert!(a.x >= region.x && a.x + NODE_W <= region.x + region.w);
                        assert!(a.y >= region.y && a.y + NODE_H <= region.y + region.h);
                        for c in &l.nodes[i + 1..] {
                            assert!(!overlaps(
                                (a.x, a.y, NODE_W, NODE_H),
                                (c.x, c.y, NODE_W, NODE_H)
                            ));
                        }
                    }
                    assert_eq!(l.edges.len(), snap.edges.len());
                }
            }
        }
    }

    #[test]
    fn lanes_follow_the_key_hierarchy_and_the_width() {
        let s = builtin("workmail-basics")
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        let steps = run(&s, None).trace.steps;
        let regions = regions_of(&steps);
        let last = snapshot(&steps, steps.len() - 1);
        let wide = layout(&regions, &last, 3);
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
        let phone = layout(&regions, &last, 1);
        assert!(phone.regions.iter().all(|r| r.x == MARGIN));
        assert!(phone.width < 400.0, "fits a phone: {}", phone.width);
        assert!(phone.height > wide.height);
        // Deterministic.
        assert_eq!(layout(&regions, &last, 3), wide);
        assert_eq!(lanes_for_width(360.0), 1);
        assert_eq!(lanes_for_width(1200.0), 3);
    }

    #[test]
    fn an_empty_snapshot_still_draws_kms() {
        let snap = snapshot(&[], 0);
        let l = layout(&[Location::Kms], &snap, 3);
        assert_eq!(l.regions.len(), 1);
        assert!(l.width > 0.0 && l.height > 0.0);
    }

    #[test]
    fn titles_are_cut_between_words() {
        assert_eq!(truncate_words("Mailbox key", 25), "Mailbox key");
        assert_eq!(
            truncate_words("Encrypted mailbox key version two", 25),
            "Encrypted mailbox key…"
        );
        assert_eq!(
            truncate_words("KMS key 9a374450-4560-439e-8670", 25),
            "KMS key 9a374450-4560…"
        );
        // One long word: cut where it must.
        assert_eq!(
            truncate_words("abcdefghijklmnopqrstuvwxyz", 10),
            "abcdefghi…"
        );
    }

    #[test]
    fn labels_split_and_truncate() {
        assert_eq!(
            split_label("Encrypted mailbox key (alice@example.com)"),
            ("Encrypted mailbox key", Some("alice@example.com"))
        );
        assert_eq!(
            split_label("Message \"Old habits\""),
            ("Message", Some("\"Old habits\""))
        );
        assert_eq!(split_label("KMS key 1234…"), ("KMS key 1234…", None));
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }
}
