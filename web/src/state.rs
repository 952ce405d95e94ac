//! The page's one state object: which scenario ran, its run, the step shown, and what the
//! views show of it. [`State`] changes only through [`Action`]s in [`Reducible::reduce`],
//! which is pure: no browser APIs, so every transition is unit-tested natively.
//!
//! Running a scenario is two actions so the page can say "Running…" first: loading a
//! scenario leaves a [`PendingRun`] in the state; an effect in the app runs it
//! ([`PendingRun::run`], deterministic) and hands the result back as [`Action::Finished`].

use std::rc::Rc;

use kmsplay_core::cloudtrail::CloudTrailEvent;
use kmsplay_core::scenario::{self, builtin, builtins, RunResult, Scenario, ScenarioError};
use kmsplay_core::trace::{Location, Step};
use yew::Reducible;

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
    /// Every trust boundary the run ever uses, in the diagram's order (KMS first), so a
    /// region keeps its place from the first step to the last.
    pub regions: Vec<Location>,
    /// For each CloudTrail event of the run, the trace step that recorded it.
    pub event_steps: Vec<Option<usize>>,
    /// The step to show first.
    pub start_step: usize,
}

/// Two runs are the same view when they are the same request.
impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Loaded {
    fn new(pending: &PendingRun, run: RunResult) -> Self {
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
}

/// The diagram's order of trust boundaries: KMS, service memory, caches, stores, S3,
/// callers (the order of [`Location`]'s variants); within a kind, first use first.
pub fn regions_of(steps: &[Step]) -> Vec<Location> {
    let mut regions = vec![Location::Kms];
    for m in steps.iter().flat_map(|s| s.material.iter()) {
        if !regions.contains(&m.location) {
            regions.push(m.location.clone());
        }
    }
    regions.sort_by_key(region_rank);
    regions
}

/// The rank of a boundary's kind in the diagram.
pub fn region_rank(location: &Location) -> u8 {
    match location {
        Location::Kms => 0,
        Location::ServiceMemory { .. } => 1,
        Location::Cache { .. } => 2,
        Location::CallerMemory { .. } => 3,
        Location::MailboxStore { .. } => 4,
        Location::S3 { .. } => 5,
    }
}

/// The inspector's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The API request and response (or error).
    Call,
    /// The authorization decision.
    Authorization,
    /// The CloudTrail event.
    CloudTrail,
    /// The bytes the step touched.
    Bytes,
    /// The selected diagram node.
    Selected,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Call,
        Tab::Authorization,
        Tab::CloudTrail,
        Tab::Bytes,
        Tab::Selected,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Call => "Request & response",
            Tab::Authorization => "Authorization",
            Tab::CloudTrail => "CloudTrail event",
            Tab::Bytes => "Bytes",
            Tab::Selected => "Selected item",
        }
    }

    /// A stable id fragment.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Call => "call",
            Tab::Authorization => "authorization",
            Tab::CloudTrail => "cloudtrail",
            Tab::Bytes => "bytes",
            Tab::Selected => "selected",
        }
    }
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

/// What the page asks for when it opens (from its URL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Initial {
    /// A built-in scenario's name.
    pub scenario: Option<String>,
    /// A step to show, 0-based.
    pub step: Option<usize>,
    /// A seed overriding the scenarios' own.
    pub seed: Option<u64>,
}

impl Initial {
    /// Reads `?scenario=NAME&step=N&seed=N` (step 1-based, as the page shows it).
    /// Unknown keys and malformed values are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut initial = Initial::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "scenario" if !value.is_empty() => initial.scenario = Some(value.to_owned()),
                "step" => initial.step = value.parse::<usize>().ok().and_then(|n| n.checked_sub(1)),
                "seed" => initial.seed = value.parse().ok(),
                _ => {}
            }
        }
        initial
    }
}

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
    /// The editor's text.
    pub editor: String,
    /// Why the editor's text was not run.
    pub editor_error: Option<ScenarioError>,
    /// The CloudTrail log's filter.
    pub filter: TrailFilter,
    /// A seed overriding the scenarios' own, for every run.
    pub seed: Option<u64>,
    /// A built-in that could not be opened (an unknown name in the URL).
    pub notice: Option<String>,
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
    /// Put the running scenario's text back into the editor.
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
    /// Filter the CloudTrail log by event name.
    FilterEventName(Option<String>),
    /// Filter the CloudTrail log by outcome.
    FilterOutcome(OutcomeFilter),
}

/// The default scenario: the WorkMail encrypt/decrypt flow.
pub fn default_builtin() -> &'static str {
    builtins()
        .first()
        .map(|b| b.name)
        .unwrap_or("workmail-basics")
}

impl State {
    /// The state of a page that just opened: the requested (or default) built-in is
    /// pending.
    pub fn new(initial: Initial) -> Self {
        let mut state = State {
            loaded: None,
            pending: None,
            next_id: 1,
            step: 0,
            playing: false,
            selected: None,
            tab: Tab::Call,
            editor: String::new(),
            editor_error: None,
            filter: TrailFilter::default(),
            seed: initial.seed,
            notice: None,
        };
        let requested = initial.scenario.as_deref().unwrap_or(default_builtin());
        let name = match builtin(requested) {
            Some(b) => b.name,
            None => {
                state.notice = Some(format!(
                    "There is no built-in scenario called \"{requested}\"; showing the default one."
                ));
                default_builtin()
            }
        };
        state.open_builtin(name, initial.step.unwrap_or(0));
        state
    }

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

    fn request(&mut self, origin: Origin, scenario: Scenario, text: String, start_step: usize) {
        let id = self.next_id;
        self.next_id += 1;
        self.playing = false;
        self.pending = Some(Rc::new(PendingRun {
            id,
            origin,
            scenario,
            text,
            seed: self.seed,
            start_step,
        }));
    }

    fn open_builtin(&mut self, name: &str, start_step: usize) {
        let Some(b) = builtin(name) else {
            self.notice = Some(format!("There is no built-in scenario called \"{name}\"."));
            return;
        };
        self.editor = b.source.to_owned();
        match b.scenario() {
            Ok(scenario) => {
                self.editor_error = None;
                self.request(
                    Origin::Builtin(b.name),
                    scenario,
                    b.source.to_owned(),
                    start_step,
                );
            }
            // A built-in always parses (core's tests say so); if one did not, the editor
            // shows why, as for any other text.
            Err(e) => self.editor_error = Some(e),
        }
    }

    fn go_to(&mut self, step: usize) {
        self.step = step.min(self.len().saturating_sub(1));
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::OpenBuiltin(name) => {
                next.notice = None;
                next.open_builtin(&name, 0);
            }
            Action::EditorInput(text) => next.editor = text,
            Action::RunEditor => match Scenario::parse(&next.editor) {
                Ok(scenario) => {
                    next.editor_error = None;
                    next.notice = None;
                    let text = next.editor.clone();
                    let step = next.step;
                    next.request(Origin::Edited, scenario, text, step);
                }
                Err(e) => next.editor_error = Some(e),
            },
            Action::ResetEditor => {
                if let Some(loaded) = &next.loaded {
                    next.editor = loaded.text.clone();
                    next.editor_error = None;
                }
            }
            Action::Finished(loaded) => {
                if next.pending.as_ref().map(|p| p.id) != Some(loaded.id) {
                    // A newer request replaced this one.
                    return self;
                }
                let same_scenario = next
                    .loaded
                    .as_ref()
                    .is_some_and(|old| old.scenario.name == loaded.scenario.name);
                next.pending = None;
                next.step = loaded.start_step;
                next.loaded = Some(loaded);
                next.go_to(next.step);
                next.playing = false;
                if !same_scenario {
                    next.selected = None;
                    next.filter = TrailFilter::default();
                }
            }
            Action::First => next.go_to(0),
            Action::Previous => next.go_to(next.step.saturating_sub(1)),
            Action::Next => next.go_to(next.step.saturating_add(1)),
            Action::Last => next.go_to(usize::MAX),
            Action::GoTo(step) => next.go_to(step),
            Action::TogglePlay => {
                if next.playing {
                    next.playing = false;
                } else if next.len() > 1 {
                    if next.step + 1 >= next.len() {
                        next.step = 0;
                    }
                    next.playing = true;
                }
            }
            Action::Tick => {
                if next.playing {
                    if next.step + 1 < next.len() {
                        next.step += 1;
                    }
                    if next.step + 1 >= next.len() {
                        next.playing = false;
                    }
                }
            }
            Action::Select(id) => {
                if id.is_some() {
                    next.tab = Tab::Selected;
                }
                next.selected = id;
            }
            Action::ShowTab(tab) => next.tab = tab,
            Action::FilterEventName(name) => next.filter.event_name = name,
            Action::FilterOutcome(outcome) => next.filter.outcome = outcome,
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

/// The first sentence of a description: the one-line summary in the scenario picker.
pub fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut search = 0;
    while let Some(found) = text[search..].find(". ") {
        let end = search + found + 1;
        // Not after a one-letter abbreviation such as "e.g." or an initial.
        let before = &text[..end - 1];
        let word = before.rsplit([' ', '(']).next().unwrap_or("");
        if word.len() > 1 && !word.contains('.') {
            return &text[..end];
        }
        search = end;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs whatever is pending, as the app's effect does.
    fn settle(state: Rc<State>) -> Rc<State> {
        match state.pending.clone() {
            Some(pending) => state.reduce(Action::Finished(Rc::new(pending.run()))),
            None => state,
        }
    }

    fn opened(name: &str) -> Rc<State> {
        settle(Rc::new(State::new(Initial {
            scenario: Some(name.to_owned()),
            ..Initial::default()
        })))
    }

    #[test]
    fn the_page_opens_the_workmail_flow_by_default() {
        let state = Rc::new(State::new(Initial::default()));
        assert!(state.is_running());
        assert!(state.loaded.is_none());
        let state = settle(state);
        let loaded = state.loaded.as_ref().expect("ran");
        assert_eq!(loaded.builtin_name(), Some("workmail-basics"));
        assert_eq!(state.step, 0);
        assert!(state.len() > 5);
        assert!(!state.is_running());
        assert_eq!(state.editor, loaded.text);
        assert_eq!(loaded.regions.first(), Some(&Location::Kms));
    }

    #[test]
    fn stepping_stays_in_range() {
        let s = opened("workmail-basics");
        let n = s.len();
        let s = s.reduce(Action::Previous);
        assert_eq!(s.step, 0);
        let s = s.reduce(Action::Next).reduce(Action::Next);
        assert_eq!(s.step, 2);
        let s = s.reduce(Action::Last);
        assert_eq!(s.step, n - 1);
        let s = s.reduce(Action::Next);
        assert_eq!(s.step, n - 1);
        let s = s.reduce(Action::GoTo(usize::MAX));
        assert_eq!(s.step, n - 1);
        let s = s.reduce(Action::First);
        assert_eq!(s.step, 0);
        let s = s.reduce(Action::GoTo(3));
        assert_eq!(s.step, 3);
        assert_eq!(s.current().map(|c| c.index), Some(3));
    }

    #[test]
    fn autoplay_advances_and_stops_at_the_end() {
        let s = opened("ses-missing-statement");
        let n = s.len();
        let mut s = s.reduce(Action::TogglePlay);
        assert!(s.playing);
        for _ in 0..n + 3 {
            s = s.reduce(Action::Tick);
        }
        assert_eq!(s.step, n - 1);
        assert!(!s.playing, "autoplay stops at the last step");
        // Playing again from the end starts over.
        let s = s.reduce(Action::TogglePlay);
        assert!(s.playing);
        assert_eq!(s.step, 0);
        let s = s.reduce(Action::TogglePlay);
        assert!(!s.playing);
        // A tick that arrives after pausing does nothing.
        let s2 = s.clone().reduce(Action::Tick);
        assert!(Rc::ptr_eq(&s, &s2));
    }

    #[test]
    fn a_broken_scenario_is_rejected_and_the_last_run_kept() {
        let s = opened("workmail-basics").reduce(Action::GoTo(4));
        let before = s.loaded.clone().expect("ran");
        let s = s.reduce(Action::EditorInput("{ \"steps\": [ }".into()));
        let s = s.reduce(Action::RunEditor);
        let error = s.editor_error.clone().expect("rejected");
        assert!(error.path.starts_with("line 1"), "{error:?}");
        assert!(!s.is_running());
        assert!(Rc::ptr_eq(s.loaded.as_ref().expect("kept"), &before));
        assert_eq!(s.step, 4);

        let s = s.reduce(Action::EditorInput(
            r#"{"steps": [{"call": "kms:Nope"}]}"#.into(),
        ));
        let s = s.reduce(Action::RunEditor);
        let error = s.editor_error.clone().expect("rejected");
        assert_eq!(error.path, "steps[0].call");
        assert!(Rc::ptr_eq(s.loaded.as_ref().expect("kept"), &before));

        // Reset puts the running scenario's text back and clears the error.
        let s = s.reduce(Action::ResetEditor);
        assert_eq!(s.editor, before.text);
        assert!(s.editor_error.is_none());
    }

    #[test]
    fn an_edited_scenario_runs_and_keeps_the_step() {
        let s = opened("workmail-basics").reduce(Action::GoTo(3));
        let text = s.editor.replacen("Quarterly numbers", "Annual numbers", 1);
        let s = s
            .reduce(Action::EditorInput(text))
            .reduce(Action::RunEditor);
        assert!(s.is_running());
        let s = settle(s);
        let loaded = s.loaded.as_ref().expect("ran");
        assert_eq!(loaded.origin, Origin::Edited);
        assert_eq!(s.step, 3);
        // The expectation on the subject now fails, and the run says so.
        assert!(!loaded.run.all_met());
    }

    #[test]
    fn a_stale_result_is_ignored() {
        let s = Rc::new(State::new(Initial::default()));
        let first = s.pending.clone().expect("pending");
        let s = s.reduce(Action::OpenBuiltin("ses-receive".into()));
        let stale = Rc::new(first.run());
        let s = s.reduce(Action::Finished(stale));
        assert!(s.loaded.is_none());
        let s = settle(s);
        assert_eq!(
            s.loaded.as_ref().and_then(|l| l.builtin_name()),
            Some("ses-receive")
        );
    }

    #[test]
    fn the_url_picks_scenario_step_and_seed() {
        let initial = Initial::from_query("?scenario=ses-receive&step=3&seed=42&x");
        assert_eq!(initial.scenario.as_deref(), Some("ses-receive"));
        assert_eq!(initial.step, Some(2));
        assert_eq!(initial.seed, Some(42));
        let s = settle(Rc::new(State::new(initial)));
        assert_eq!(s.step, 2);
        assert_eq!(s.loaded.as_ref().map(|l| l.seed), Some(42));
        assert_eq!(Initial::from_query("step=0&seed=-1"), Initial::default());

        let s = settle(Rc::new(State::new(Initial::from_query("scenario=nope"))));
        assert!(s.notice.is_some());
        assert_eq!(
            s.loaded.as_ref().and_then(|l| l.builtin_name()),
            Some(default_builtin())
        );
    }

    #[test]
    fn selecting_a_node_shows_it_and_a_new_scenario_clears_it() {
        let s = opened("workmail-basics").reduce(Action::Select(Some("x@y".into())));
        assert_eq!(s.tab, Tab::Selected);
        assert_eq!(s.selected.as_deref(), Some("x@y"));
        let s = s.reduce(Action::ShowTab(Tab::Bytes));
        assert_eq!(s.tab, Tab::Bytes);
        let s = s.reduce(Action::FilterOutcome(OutcomeFilter::Error));
        let s = settle(s.reduce(Action::OpenBuiltin("ses-receive".into())));
        assert!(s.selected.is_none());
        assert_eq!(s.filter, TrailFilter::default());
    }

    #[test]
    fn the_trail_filter_matches_name_and_outcome() {
        let s = opened("workmail-disabled-key");
        let loaded = s.loaded.as_ref().expect("ran");
        let events = &loaded.run.cloudtrail;
        let errors = TrailFilter {
            event_name: None,
            outcome: OutcomeFilter::Error,
        };
        let failed: Vec<_> = events.iter().filter(|e| errors.matches(e)).collect();
        assert!(!failed.is_empty());
        assert!(failed.iter().all(|e| e.error_code.is_some()));
        let decrypts = TrailFilter {
            event_name: Some("Decrypt".into()),
            outcome: OutcomeFilter::Success,
        };
        assert!(events
            .iter()
            .filter(|e| decrypts.matches(e))
            .all(|e| e.event_name == "Decrypt" && e.error_code.is_none()));
        // Every event maps to the step that recorded it.
        assert!(loaded.event_steps.iter().all(Option::is_some));
    }

    #[test]
    fn every_builtin_runs_and_steps_to_its_end() {
        for b in builtins() {
            let mut s = opened(b.name);
            assert!(s.len() > 0, "{} has steps", b.name);
            while s.step + 1 < s.len() {
                let before = s.step;
                s = s.reduce(Action::Next);
                assert_eq!(s.step, before + 1);
            }
            assert!(s.current().is_some());
        }
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("  Only one  "), "Only one");
        assert_eq!(first_sentence("Use e.g. this. Then."), "Use e.g. this.");
        assert_eq!(first_sentence(""), "");
        for b in builtins() {
            let s = b.scenario().expect("parses");
            let line = first_sentence(&s.description);
            assert!(!line.is_empty() && line.len() <= s.description.len());
        }
    }
}
