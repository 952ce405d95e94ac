//! What the key-wrapping diagram shows at a step, computed from the trace.
//!
//! Folding the material events of steps `0..=n` gives, for each trust boundary
//! ([`Location`]), the keys and ciphertexts it holds after step `n`, which of them step `n`
//! touched, which it erased, and which key wraps which ciphertext. The page draws this;
//! tests assert on it; going back a step is just the fold of fewer steps.

use crate::record::{ArtifactId, ArtifactKind, Location, MaterialAction, Step};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a node appears at the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeState {
    /// Present, not touched by this step.
    Present,
    /// Created, moved or used by this step.
    Changed,
    /// Erased or deleted by this step (drawn fading out).
    Erased,
}

/// A key, ciphertext or message at one location.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Unique in the snapshot: `artifact@location`.
    pub id: String,
    /// The artifact's id in the trace.
    pub artifact: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its label.
    pub label: String,
    /// Where it is.
    pub location: Location,
    /// Plaintext key material or data.
    pub secret: bool,
    /// Plaintext that exists only for a moment (in a process's memory).
    pub transient: bool,
    /// Length in bytes.
    pub length: usize,
    /// Hex of public bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// User content preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    /// What the step did to it.
    pub state: NodeState,
    /// The last thing that happened to it, up to this step.
    pub last_action: MaterialAction,
    /// The step that last changed it.
    pub last_step: usize,
}

/// "`from` is encrypted under `to`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    /// The ciphertext (or unwrapped plaintext) node.
    pub from: String,
    /// The key node.
    pub to: String,
    /// The algorithm.
    pub algorithm: String,
    /// Whether this step drew it.
    pub changed: bool,
    /// `wraps` for encryption, `unwraps` for decryption.
    pub relation: String,
}

/// The diagram at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The step shown.
    pub step: usize,
    /// The trust boundaries to draw, in a stable order (KMS first).
    pub regions: Vec<Location>,
    /// The nodes.
    pub nodes: Vec<Node>,
    /// The arrows.
    pub edges: Vec<Edge>,
}

fn region_rank(l: &Location) -> u8 {
    match l {
        Location::Kms => 0,
        Location::ServiceMemory { .. } => 1,
        Location::Cache { .. } => 2,
        Location::MailboxStore { .. } => 3,
        Location::S3 { .. } => 4,
        Location::CallerMemory { .. } => 5,
    }
}

fn node_id(artifact: &ArtifactId, location: &Location) -> String {
    format!("{artifact}@{}", location.label())
}

/// The diagram after `steps[..=at]` (clamped to the last step).
pub fn snapshot(steps: &[Step], at: usize) -> Snapshot {
    let at = at.min(steps.len().saturating_sub(1));
    // Insertion order keeps the layout stable from one step to the next.
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut edges: Vec<Edge> = Vec::new();
    let mut kms_keys: Vec<ArtifactId> = Vec::new();
    for (i, step) in steps.iter().enumerate().take(at + 1) {
        let current = i == at;
        // Last step's erasures are gone now.
        if current {
            for n in nodes.iter_mut() {
                if n.state == NodeState::Changed {
                    n.state = NodeState::Present;
                }
            }
            for e in edges.iter_mut() {
                e.changed = false;
            }
        } else {
            for n in nodes.iter_mut() {
                n.state = NodeState::Present;
            }
        }
        for m in &step.material {
            if let Some(u) = &m.under {
                if matches!(u, ArtifactId::KmsKey(_)) && !kms_keys.contains(u) {
                    kms_keys.push(u.clone());
                }
            }
            if m.kind == ArtifactKind::KmsKey && !kms_keys.contains(&m.artifact) {
                kms_keys.push(m.artifact.clone());
            }
            for k in &kms_keys {
                let id = node_id(k, &Location::Kms);
                if !index.contains_key(&id) {
                    index.insert(id.clone(), nodes.len());
                    nodes.push(Node {
                        id,
                        artifact: k.to_string(),
                        kind: ArtifactKind::KmsKey,
                        label: k
                            .subject()
                            .get(..8)
                            .map(|id| format!("KMS key {id}…"))
                            .unwrap_or_else(|| "KMS key".to_owned()),
                        location: Location::Kms,
                        secret: false,
                        transient: false,
                        length: 32,
                        hex: None,
                        preview: None,
                        state: NodeState::Present,
                        last_action: MaterialAction::Generated,
                        last_step: i,
                    });
                }
            }
            let id = node_id(&m.artifact, &m.location);
            let state = if current {
                if matches!(m.action, MaterialAction::Erased | MaterialAction::Deleted) {
                    NodeState::Erased
                } else {
                    NodeState::Changed
                }
            } else {
                NodeState::Present
            };
            let gone = matches!(m.action, MaterialAction::Erased | MaterialAction::Deleted);
            match index.get(&id).copied() {
                Some(ix) if gone && !current => {
                    nodes.remove(ix);
                    index = nodes
                        .iter()
                        .enumerate()
                        .map(|(j, n)| (n.id.clone(), j))
                        .collect();
                    edges.retain(|e| e.from != id && e.to != id);
                }
                Some(ix) => {
                    let n = &mut nodes[ix];
                    n.state = state;
                    n.last_action = m.action;
                    n.last_step = i;
                    if m.kind != ArtifactKind::KmsKey {
                        n.label = m.label.clone();
                    }
                    if m.hex.is_some() {
                        n.hex = m.hex.clone();
                        n.length = m.length;
                    }
                }
                // Erasing what is not drawn here (a key used from the cache) draws nothing.
                None if gone => {}
                None => {
                    let secret = m.kind.is_secret();
                    let transient = secret
                        && matches!(
                            m.location,
                            Location::ServiceMemory { .. } | Location::CallerMemory { .. }
                        );
                    index.insert(id.clone(), nodes.len());
                    nodes.push(Node {
                        id: id.clone(),
                        artifact: m.artifact.to_string(),
                        kind: m.kind,
                        label: m.label.clone(),
                        location: m.location.clone(),
                        secret,
                        transient,
                        length: m.length,
                        hex: m.hex.clone(),
                        preview: m.preview.clone(),
                        state,
                        last_action: m.action,
                        last_step: i,
                    });
                }
            }
            if let (Some(under), Some(alg)) = (&m.under, &m.algorithm) {
                if !gone {
                    let relation = if m.action == MaterialAction::Unwrapped {
                        "unwraps"
                    } else {
                        "wraps"
                    };
                    // Point at the key where it is: prefer the same location, then KMS, then any.
                    let target = nodes
                        .iter()
                        .filter(|n| n.artifact == under.to_string())
                        .min_by_key(|n| {
                            if n.location == m.location {
                                0
                            } else if n.location == Location::Kms {
                                1
                            } else {
                                2
                            }
                        })
                        .map(|n| n.id.clone());
                    if let Some(to) = target {
                        edges.retain(|e| e.from != id);
                        edges.push(Edge {
                            from: id.clone(),
                            to,
                            algorithm: alg.clone(),
                            changed: current,
                            relation: relation.to_owned(),
                        });
                    }
                }
            }
        }
    }
    let mut regions: Vec<Location> = vec![Location::Kms];
    for n in &nodes {
        if !regions.contains(&n.location) {
            regions.push(n.location.clone());
        }
    }
    regions.sort_by_key(region_rank);
    let live: std::collections::BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    edges.retain(|e| live.contains(e.from.as_str()) && live.contains(e.to.as_str()));
    Snapshot {
        step: at,
        regions,
        nodes,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, run};

    fn run_builtin(name: &str) -> Vec<Step> {
        let s = builtin(name)
            .and_then(|b| b.scenario().ok())
            .expect("builtin");
        run(&s, None).trace.steps
    }

    #[test]
    fn workmail_read_shows_the_whole_hierarchy() {
        let steps = run_builtin("workmail-basics");
        let last = snapshot(&steps, steps.len() - 1);
        let has = |prefix: &str, loc: fn(&Location) -> bool| {
            last.nodes
                .iter()
                .any(|n| n.artifact.starts_with(prefix) && loc(&n.location))
        };
        assert!(has("kms-key:", |l| *l == Location::Kms));
        assert!(has("mailbox-key-ct:", |l| matches!(
            l,
            Location::MailboxStore { .. }
        )));
        assert!(has("message-ct:", |l| matches!(
            l,
            Location::MailboxStore { .. }
        )));
        assert!(
            has("mailbox-key:", |l| matches!(l, Location::Cache { .. })),
            "the read cached the mailbox key"
        );
        // The stored encrypted mailbox key is drawn wrapped under the KMS key.
        let ct = last
            .nodes
            .iter()
            .find(|n| {
                n.artifact.starts_with("mailbox-key-ct:")
                    && matches!(n.location, Location::MailboxStore { .. })
            })
            .unwrap();
        let edge = last.edges.iter().find(|e| e.from == ct.id).unwrap();
        assert!(edge.to.starts_with("kms-key:"));
        assert_eq!(last.regions[0], Location::Kms);
        // No secret node carries bytes.
        assert!(last
            .nodes
            .iter()
            .filter(|n| n.secret)
            .all(|n| n.hex.is_none()));
    }

    #[test]
    fn erased_keys_fade_then_disappear_and_going_back_is_identical() {
        let steps = run_builtin("workmail-basics");
        let store = steps
            .iter()
            .position(|s| s.title == "Store the encrypted mailbox key")
            .unwrap();
        let at = snapshot(&steps, store);
        let erased = at
            .nodes
            .iter()
            .find(|n| {
                n.artifact.starts_with("mailbox-key:")
                    && matches!(n.location, Location::ServiceMemory { .. })
            })
            .unwrap();
        assert_eq!(erased.state, NodeState::Erased);
        let after = snapshot(&steps, store + 1);
        assert!(
            !after.nodes.iter().any(|n| n.id == erased.id),
            "gone one step later"
        );
        assert_eq!(
            snapshot(&steps, store),
            at,
            "the same step always gives the same view"
        );
    }

    #[test]
    fn cache_expiry_erases_the_cached_key() {
        let steps = run_builtin("workmail-cache");
        let exp = steps
            .iter()
            .position(|s| s.title == "Cached mailbox key expires")
            .unwrap();
        let s = snapshot(&steps, exp);
        assert!(s
            .nodes
            .iter()
            .any(|n| matches!(n.location, Location::Cache { .. }) && n.state == NodeState::Erased));
    }

    #[test]
    fn out_of_range_and_empty_do_not_panic() {
        assert!(snapshot(&[], 5).nodes.is_empty());
        let steps = run_builtin("ses-receive");
        assert_eq!(snapshot(&steps, 10_000).step, steps.len() - 1);
    }
}
