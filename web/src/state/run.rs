//! A run the page shows: the scenario, its trace, and what the views need of it; a run
//! waiting to happen; and an experiment's run beside the unmodified one it changes.

use std::rc::Rc;

use kmsplay_core::diagram::regions_of;
use kmsplay_core::scenario::experiment::{first_difference, first_failure, Experiment};
use kmsplay_core::scenario::{self, RunResult, Scenario};
use kmsplay_core::trace::{Location, Step};

/// Where the running scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A built-in scenario, by name.
    Builtin(&'static str),
    /// The editor's text.
    Edited,
}

/// A scenario waiting to be run.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRun {
    /// Identifies this request; a stale result is ignored.
    pub id: u64,
    /// Where it came from.
    pub origin: Origin,
    /// The parsed scenario.
    pub scenario: Scenario,
    /// Its text, for the editor.
    pub text: String,
    /// A seed overriding the scenario's own (from the URL).
    pub seed: Option<u64>,
    /// The step to show once it has run (clamped).
    pub start_step: usize,
    /// The change, when this run is an experiment.
    pub experiment: Option<PendingExperiment>,
    /// Show the step where the experiment first differs instead of `start_step`.
    pub jump_to_difference: bool,
}

/// What makes a pending run an experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingExperiment {
    /// Its label, e.g. "Revoke WorkMail's grant".
    pub label: String,
    /// The change.
    pub experiment: Experiment,
    /// The unmodified run.
    pub base: Rc<Loaded>,
    /// Whether the reader asked for it (then the outcome takes focus), rather than a link.
    pub asked: bool,
}

/// An experiment's run: which change, and the unmodified run it is compared with.
#[derive(Debug)]
pub struct ExperimentRun {
    /// Its label.
    pub label: String,
    /// The change.
    pub experiment: Experiment,
    /// The unmodified run (shown again by "Reset experiment").
    pub base: Rc<Loaded>,
    /// The first trace step at which the two runs differ.
    pub first_difference: Option<usize>,
    /// Whether the reader asked for it (the outcome takes focus).
    pub asked: bool,
}

impl PendingRun {
    /// Runs the scenario in a fresh world. Deterministic; may take a second for
    /// scenarios that generate RSA keys.
    pub fn run(&self) -> Loaded {
        let run = scenario::run(&self.scenario, self.seed);
        Loaded::new(self, run)
    }
}

/// A scenario that ran, and what the views need to show it.
#[derive(Debug)]
pub struct Loaded {
    /// The id of the request that produced it.
    pub id: u64,
    /// Where the scenario came from.
    pub origin: Origin,
    /// The scenario.
    pub scenario: Scenario,
    /// Its text.
    pub text: String,
    /// The seed the world used.
    pub seed: u64,
    /// The run.
    pub run: RunResult,
    /// Every trust boundary the run ever uses, in the diagram's order, so a boundary
    /// keeps its place from the first step to the last.
    pub regions: Vec<Location>,
    /// For each CloudTrail event of the run, the trace step that recorded it.
    pub event_steps: Vec<Option<usize>>,
    /// The step to show first.
    pub start_step: usize,
    /// The change, when this run is an experiment.
    pub experiment: Option<ExperimentRun>,
}

/// Two runs are the same view when they are the same request.
impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Loaded {
    fn new(pending: &PendingRun, run: RunResult) -> Self {
        let experiment = pending.experiment.as_ref().map(|e| ExperimentRun {
            label: e.label.clone(),
            experiment: e.experiment.clone(),
            first_difference: first_difference(e.base.steps(), &run.trace.steps),
            base: e.base.clone(),
            asked: e.asked,
        });
        let regions = regions_of(&run.trace.steps);
        let event_steps = run
            .cloudtrail
            .iter()
            .map(|event| {
                run.trace.steps.iter().position(|s| {
                    s.event
                        .as_ref()
                        .is_some_and(|e| e.event_id == event.event_id)
                })
            })
            .collect();
        Loaded {
            id: pending.id,
            origin: pending.origin.clone(),
            scenario: pending.scenario.clone(),
            text: pending.text.clone(),
            seed: pending.seed.unwrap_or(pending.scenario.seed),
            run,
            regions,
            event_steps,
            start_step: pending.start_step,
            experiment,
        }
    }

    /// The trace steps: what the user steps through.
    pub fn steps(&self) -> &[Step] {
        &self.run.trace.steps
    }

    /// The trace step at `index`, if any.
    pub fn step(&self, index: usize) -> Option<&Step> {
        self.run.trace.steps.get(index)
    }

    /// The built-in's name, if it is one.
    pub fn builtin_name(&self) -> Option<&'static str> {
        match self.origin {
            Origin::Builtin(name) => Some(name),
            Origin::Edited => None,
        }
    }

    /// The unmodified run: this one, or the one an experiment changed.
    pub fn base(self: &Rc<Self>) -> Rc<Loaded> {
        match &self.experiment {
            Some(e) => e.base.clone(),
            None => self.clone(),
        }
    }

    /// The first failure the experiment caused: the first failing step at or after the
    /// first difference.
    pub fn experiment_failure(&self) -> Option<&Step> {
        let from = self.experiment.as_ref()?.first_difference?;
        first_failure(self.steps(), from)
    }
}
