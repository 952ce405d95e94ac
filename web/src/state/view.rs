//! What the page shows of a run, as the reducer holds it: the inspector's tab, the
//! CloudTrail log's filter, the drawer's panel, where an experiment goes, the key policy
//! being edited.

use kmsplay_core::cloudtrail::CloudTrailEvent;
use kmsplay_core::scenario::ScenarioError;

/// The inspector's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The step: what happened, the error if any, the request and response.
    Step,
    /// The authorization decision.
    Authorization,
    /// The bytes the step touched, or the selected diagram node's.
    Bytes,
    /// The CloudTrail event.
    CloudTrail,
    /// Every step of the run.
    Steps,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Step,
        Tab::Authorization,
        Tab::Bytes,
        Tab::CloudTrail,
        Tab::Steps,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Step => "Step",
            Tab::Authorization => "Authorization",
            Tab::Bytes => "Bytes",
            Tab::CloudTrail => "CloudTrail",
            Tab::Steps => "All steps",
        }
    }

    /// The tab with this [`Tab::slug`] (and `selected`, the old name of the bytes of a
    /// selected node, from older links).
    pub fn from_slug(slug: &str) -> Option<Tab> {
        if slug == "selected" {
            return Some(Tab::Bytes);
        }
        Tab::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// A stable id fragment (and the permalink's `panel`).
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Step => "call",
            Tab::Authorization => "authorization",
            Tab::Bytes => "bytes",
            Tab::CloudTrail => "cloudtrail",
            Tab::Steps => "steps",
        }
    }
}

/// What the drawer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// The run's whole CloudTrail log.
    Log,
    /// The scenario editor.
    Editor,
    /// The key policy editor (the "Edit the key policy" experiment).
    Policy,
}

/// Which CloudTrail events the log shows, by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutcomeFilter {
    /// All events.
    #[default]
    All,
    /// Events without an error code.
    Success,
    /// Events with an error code.
    Error,
}

impl OutcomeFilter {
    /// Parses the `<select>` value.
    pub fn from_value(value: &str) -> Self {
        match value {
            "success" => OutcomeFilter::Success,
            "error" => OutcomeFilter::Error,
            _ => OutcomeFilter::All,
        }
    }

    /// The `<select>` value.
    pub fn value(self) -> &'static str {
        match self {
            OutcomeFilter::All => "all",
            OutcomeFilter::Success => "success",
            OutcomeFilter::Error => "error",
        }
    }
}

/// The CloudTrail log's filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrailFilter {
    /// Only events with this `eventName`.
    pub event_name: Option<String>,
    /// Only successes or only errors.
    pub outcome: OutcomeFilter,
}

impl TrailFilter {
    /// Whether `event` passes.
    pub fn matches(&self, event: &CloudTrailEvent) -> bool {
        let name_ok = self
            .event_name
            .as_ref()
            .is_none_or(|name| &event.event_name == name);
        let outcome_ok = match self.outcome {
            OutcomeFilter::All => true,
            OutcomeFilter::Success => event.error_code.is_none(),
            OutcomeFilter::Error => event.error_code.is_some(),
        };
        name_ok && outcome_ok
    }
}

/// Where an experiment that inserts a step (revoke, disable, advance the clock, flip a
/// byte) inserts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// Where the experiment shows best (the engine's default, e.g. before the last read).
    #[default]
    Default,
    /// Before the scenario step that produced the trace step shown.
    BeforeCurrent,
}

/// The key policy being edited for the "Edit the key policy" experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDraft {
    /// The policy document as typed.
    pub text: String,
    /// Why the text was not applied (JSON or policy grammar), with its path.
    pub error: Option<ScenarioError>,
}
