//! The page's one state object: which scenario ran, its run, the step shown, and what the
//! views show of it. [`State`] changes only through [`Action`]s in [`Reducible::reduce`],
//! which is pure: no browser APIs, so every transition is unit-tested natively. Domain
//! rules are the engine's (`kmsplay_core`); this holds state and calls them.
//!
//! Running a scenario is two actions so the page can say "Running…" first: loading a
//! scenario leaves a [`PendingRun`] in the state; an effect in the app runs it
//! ([`PendingRun::run`], deterministic) and hands the result back as [`Action::Finished`].
//!
//! An experiment is a run too: the base scenario with one change, run beside the
//! unmodified run it is compared with ([`ExperimentRun`]); resetting it shows the
//! unmodified run again without running anything.
//!
//! By concern: [`run`] is a run and what views need of it, [`view`] the view's own state
//! (tab, filter, drawer), [`initial`] what a URL asks for, `open` running scenarios,
//! `experiment` experiments and the key policy editor.

mod check;
mod experiment;
mod initial;
mod open;
mod run;
mod view;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use kmsplay_core::scenario::experiment::Experiment;
use kmsplay_core::scenario::{builtins, ScenarioError};
use kmsplay_core::trace::Step;
use yew::Reducible;

pub use check::{NameField, PolicyCheck};
pub use initial::Initial;
pub use run::{ExperimentRun, Loaded, Origin, PendingExperiment, PendingRun};
pub use view::{OutcomeFilter, Panel, Placement, PolicyDraft, Tab, TrailFilter};

/// The page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The last good run (kept when the editor's text does not parse).
    pub loaded: Option<Rc<Loaded>>,
    /// A scenario waiting to run.
    pub pending: Option<Rc<PendingRun>>,
    /// The id of the next run request.
    pub next_id: u64,
    /// The trace step shown.
    pub step: usize,
    /// Whether autoplay is on.
    pub playing: bool,
    /// The selected diagram node's id.
    pub selected: Option<String>,
    /// The inspector's tab.
    pub tab: Tab,
    /// What the drawer shows, when open.
    pub drawer: Option<Panel>,
    /// The editor's text.
    pub editor: String,
    /// Why the editor's text was not run.
    pub editor_error: Option<ScenarioError>,
    /// The CloudTrail log's filter.
    pub filter: TrailFilter,
    /// A seed overriding the scenarios' own, for every run.
    pub seed: Option<u64>,
    /// Something the reader should know: an unknown built-in in the URL, a link that
    /// could not be read. Dismissable.
    pub notice: Option<String>,
    /// Why the last experiment could not be applied.
    pub experiment_error: Option<ScenarioError>,
    /// Where an inserted experiment step goes.
    pub placement: Placement,
    /// The key policy editor, while open.
    pub policy: Option<PolicyDraft>,
    /// An experiment (from a link) to apply when the pending base run finishes, and the
    /// step to show then.
    pub queued: Option<(Experiment, usize)>,
    /// Start playing when the pending run finishes.
    pub autoplay: bool,
    /// "Check my key policy", once opened (kept while the stage is shown).
    pub check: Option<PolicyCheck>,
    /// Whether the page shows the policy check rather than the stage.
    pub checking: bool,
}

/// Everything that can happen to the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open a built-in scenario by name.
    OpenBuiltin(String),
    /// The editor's text changed.
    EditorInput(String),
    /// Run the editor's text.
    RunEditor,
    /// Put the running scenario's text back in the editor.
    ResetEditor,
    /// A pending run finished.
    Finished(Rc<Loaded>),
    /// Go to the first step.
    First,
    /// Go one step back.
    Previous,
    /// Go one step forward.
    Next,
    /// Go to the last step.
    Last,
    /// Go to a step.
    GoTo(usize),
    /// Start or stop autoplay.
    TogglePlay,
    /// Autoplay's timer fired.
    Tick,
    /// Select a diagram node (or clear the selection).
    Select(Option<String>),
    /// Show an inspector tab.
    ShowTab(Tab),
    /// Open the drawer at a panel, or close it.
    OpenDrawer(Option<Panel>),
    /// Filter the CloudTrail log by event name.
    FilterEventName(Option<String>),
    /// Filter the CloudTrail log by outcome.
    FilterOutcome(OutcomeFilter),
    /// Run the base scenario with one change.
    ApplyExperiment {
        /// Its label.
        label: String,
        /// The change (an inserting one goes where [`State::placement`] says).
        experiment: Experiment,
    },
    /// Show the unmodified run again.
    ResetExperiment,
    /// Choose where inserted experiment steps go.
    Place(Placement),
    /// Open the key policy editor (the "Edit the key policy" experiment).
    OpenPolicyEditor,
    /// The policy editor's text changed.
    PolicyInput(String),
    /// Apply the policy editor's text (after a pause in typing).
    ApplyPolicy,
    /// Close the policy editor.
    ClosePolicyEditor,
    /// Hide the notice.
    DismissNotice,
    /// Open a file the reader picked or dropped (a scenario, or a recording written by
    /// `kmsplay serve --record`): its name, and its text or why it could not be read.
    OpenFile {
        /// The file's name.
        name: String,
        /// Its text, or why it was not read.
        contents: Result<String, String>,
    },
    /// Show what a URL asks for (a permalink pasted into the address bar).
    Restore(Initial),
    /// Show "Check my key policy".
    OpenCheck,
    /// Back to the stage.
    CloseCheck,
    /// The checked policy's text changed.
    CheckInput(String),
    /// A name the flows use changed.
    CheckName(NameField, String),
    /// Read the names from the policy again.
    CheckNamesFromPolicy,
    /// Check what is typed (after a pause in typing).
    RunCheck,
    /// Apply the fix of a verdict (by index) and check again.
    ApplyFix(usize),
    /// Open a verdict's flow (by index) in the stage.
    OpenVerdict(usize),
}

/// The label of the "Edit the key policy" experiment.
pub const EDIT_POLICY: &str = "Edit the key policy";

/// The default scenario: the WorkMail encrypt/decrypt flow.
pub fn default_builtin() -> &'static str {
    builtins()
        .first()
        .map(|b| b.name)
        .unwrap_or("workmail-basics")
}

impl State {
    /// The number of trace steps of the run shown.
    pub fn len(&self) -> usize {
        self.loaded.as_ref().map_or(0, |l| l.steps().len())
    }

    /// The trace step shown.
    pub fn current(&self) -> Option<&Step> {
        self.loaded.as_ref().and_then(|l| l.step(self.step))
    }

    /// Whether a scenario is waiting to run.
    pub fn is_running(&self) -> bool {
        self.pending.is_some()
    }

    /// The experiment shown, if any.
    pub fn experiment(&self) -> Option<&ExperimentRun> {
        self.loaded.as_ref().and_then(|l| l.experiment.as_ref())
    }

    /// The scenario step (0-based) before which [`Placement::BeforeCurrent`] inserts: the
    /// one that produced the trace step shown. Only for an unmodified run, whose steps
    /// are the base scenario's.
    pub fn current_scenario_step(&self) -> Option<usize> {
        if self.experiment().is_some() {
            return None;
        }
        self.current().map(|s| s.action)
    }

    fn go_to(&mut self, step: usize) {
        self.step = step.min(self.len().saturating_sub(1));
    }

    fn toggle_play(&mut self) {
        if self.playing {
            self.playing = false;
        } else if self.len() > 1 {
            if self.step + 1 >= self.len() {
                self.step = 0;
            }
            self.playing = true;
        }
    }

    fn tick(&mut self) {
        if self.playing {
            if self.step + 1 < self.len() {
                self.step += 1;
            }
            if self.step + 1 >= self.len() {
                self.playing = false;
            }
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::OpenBuiltin(name) => next.open_picked(&name),
            Action::EditorInput(text) => next.editor = text,
            Action::RunEditor => next.run_editor(),
            Action::ResetEditor => next.reset_editor(),
            Action::Finished(loaded) => {
                if next.pending.as_ref().map(|p| p.id) != Some(loaded.id) {
                    // A newer request replaced this one.
                    return self;
                }
                next.finished(loaded);
            }
            Action::First => next.go_to(0),
            Action::Previous => next.go_to(next.step.saturating_sub(1)),
            Action::Next => next.go_to(next.step.saturating_add(1)),
            Action::Last => next.go_to(usize::MAX),
            Action::GoTo(step) => next.go_to(step),
            Action::TogglePlay => next.toggle_play(),
            Action::Tick => next.tick(),
            Action::Select(id) => {
                if id.is_some() {
                    next.tab = Tab::Bytes;
                }
                next.selected = id;
            }
            Action::ShowTab(tab) => next.tab = tab,
            Action::OpenDrawer(panel) => next.drawer = panel,
            Action::FilterEventName(name) => next.filter.event_name = name,
            Action::FilterOutcome(outcome) => next.filter.outcome = outcome,
            Action::ApplyExperiment { label, experiment } => {
                if !next.apply_experiment(label, experiment) {
                    return self;
                }
            }
            Action::ResetExperiment => next.reset_experiment(),
            Action::Place(placement) => next.placement = placement,
            Action::OpenPolicyEditor => next.open_policy_editor(),
            Action::PolicyInput(text) => {
                if let Some(draft) = &mut next.policy {
                    draft.text = text;
                }
            }
            Action::ApplyPolicy => {
                if !next.apply_policy() {
                    return self;
                }
            }
            Action::ClosePolicyEditor => {
                next.policy = None;
                if next.drawer == Some(Panel::Policy) {
                    next.drawer = None;
                }
            }
            Action::DismissNotice => next.notice = None,
            Action::OpenFile { name, contents } => next.open_file(&name, contents),
            Action::Restore(initial) => next.open(initial),
            Action::OpenCheck => next.open_check(),
            Action::CloseCheck => next.checking = false,
            Action::CheckInput(text) => {
                if let Some(c) = &mut next.check {
                    c.input(text);
                }
            }
            Action::CheckName(field, value) => {
                if let Some(c) = &mut next.check {
                    c.set_name(field, value);
                }
            }
            Action::CheckNamesFromPolicy => {
                if let Some(c) = &mut next.check {
                    c.names_from_policy();
                }
            }
            Action::RunCheck => {
                if let Some(c) = &mut next.check {
                    c.run();
                }
            }
            Action::ApplyFix(i) => {
                if !next.check.as_mut().is_some_and(|c| c.apply_fix(i)) {
                    return self;
                }
            }
            Action::OpenVerdict(i) => {
                if !next.open_verdict(i) {
                    return self;
                }
            }
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}
