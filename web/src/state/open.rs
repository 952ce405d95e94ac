//! Opening and running scenarios: what a URL asks for, a built-in from the picker, the
//! editor's text, and a finished run arriving.

use std::rc::Rc;

use kmsplay_core::scenario::experiment::label_for;
use kmsplay_core::scenario::{builtin, Scenario};

use super::{
    default_builtin, Initial, Loaded, Origin, PendingExperiment, PendingRun, Placement, State, Tab,
    TrailFilter,
};

impl State {
    /// The state of a page that just opened: the requested (or default) scenario is
    /// pending.
    pub fn new(initial: Initial) -> Self {
        let mut state = State {
            loaded: None,
            pending: None,
            next_id: 1,
            step: 0,
            playing: false,
            selected: None,
            tab: Tab::Step,
            drawer: None,
            editor: String::new(),
            editor_error: None,
            filter: TrailFilter::default(),
            seed: None,
            notice: None,
            experiment_error: None,
            placement: Placement::Default,
            policy: None,
            queued: None,
            autoplay: false,
            check: None,
            checking: false,
        };
        state.open(initial);
        state
    }

    /// Opens what a URL asks for: a scenario (built-in or whole), a seed, a step, a tab,
    /// an experiment; anything that cannot be opened is said in the notice and the
    /// default built-in is shown instead.
    pub(super) fn open(&mut self, initial: Initial) {
        self.seed = initial.seed;
        self.notice = initial.notice;
        self.tab = initial.tab.unwrap_or(Tab::Step);
        self.selected = None;
        self.experiment_error = None;
        self.policy = None;
        self.autoplay = initial.autoplay;
        self.checking = initial.check.is_some();
        if let Some(view) = initial.check {
            let view = *view;
            self.check = Some(super::PolicyCheck::new(view.policy, view.names));
        }
        let step = initial.step.unwrap_or(0);
        self.queued = initial.experiment.map(|e| (e, step));
        if let Some(custom) = initial.custom {
            match Scenario::from_value(&custom) {
                Ok(scenario) => {
                    let text = serde_json::to_string_pretty(&custom).unwrap_or_default();
                    self.editor = text.clone();
                    self.editor_error = None;
                    self.request_run(Origin::Edited, scenario, text, step, None);
                    return;
                }
                Err(e) => {
                    self.queued = None;
                    self.notice = Some(format!(
                        "The link's scenario is not valid ({e}); showing the default one."
                    ));
                    self.open_builtin(default_builtin(), 0);
                    return;
                }
            }
        }
        let requested = initial.scenario.as_deref().unwrap_or(default_builtin());
        match builtin(requested) {
            Some(b) => self.open_builtin(b.name, step),
            None => {
                self.queued = None;
                self.notice = Some(format!(
                    "There is no built-in scenario called \"{requested}\"; showing the default one."
                ));
                self.open_builtin(default_builtin(), 0);
            }
        }
    }

    /// A built-in picked from the list: a fresh start, without experiment.
    pub(super) fn open_picked(&mut self, name: &str) {
        self.checking = false;
        self.notice = None;
        self.experiment_error = None;
        self.policy = None;
        self.queued = None;
        if self.drawer == Some(super::Panel::Policy) {
            self.drawer = None;
        }
        self.open_builtin(name, 0);
    }

    pub(super) fn request_run(
        &mut self,
        origin: Origin,
        scenario: Scenario,
        text: String,
        start_step: usize,
        experiment: Option<PendingExperiment>,
    ) {
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
            jump_to_difference: experiment.is_some(),
            experiment,
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
                self.request_run(
                    Origin::Builtin(b.name),
                    scenario,
                    b.source.to_owned(),
                    start_step,
                    None,
                );
            }
            // A built-in always parses (core's tests say so); if one did not, the editor
            // shows why, as for any other text.
            Err(e) => self.editor_error = Some(e),
        }
    }

    pub(super) fn run_editor(&mut self) {
        match Scenario::parse(&self.editor) {
            Ok(scenario) => {
                self.editor_error = None;
                self.notice = None;
                self.experiment_error = None;
                self.policy = None;
                self.queued = None;
                let text = self.editor.clone();
                let step = self.step;
                self.request_run(Origin::Edited, scenario, text, step, None);
            }
            Err(e) => self.editor_error = Some(e),
        }
    }

    /// A file the reader opened: run it from its first step, as if typed into the editor
    /// (so the editor holds it and a link carries it). Anything that cannot be opened is
    /// said in the notice, and the view shown stays.
    pub(super) fn open_file(&mut self, name: &str, contents: Result<String, String>) {
        self.checking = false;
        let text = match contents {
            Ok(text) => text,
            Err(why) => {
                self.notice = Some(format!(
                    "Could not open {name}: {why}. The view shown is unchanged."
                ));
                return;
            }
        };
        match Scenario::parse(&text) {
            Ok(scenario) => {
                self.editor = text.clone();
                self.editor_error = None;
                self.notice = None;
                self.experiment_error = None;
                self.policy = None;
                self.queued = None;
                self.request_run(Origin::Edited, scenario, text, 0, None);
            }
            Err(e) => {
                self.notice = Some(format!(
                    "{name} is not a scenario or a recording of kmsplay serve: {e}. The view shown is unchanged."
                ));
            }
        }
    }

    pub(super) fn reset_editor(&mut self) {
        if let Some(loaded) = &self.loaded {
            self.editor = loaded.text.clone();
            self.editor_error = None;
        }
    }

    /// The pending run finished: show it at its start step (an experiment's at its first
    /// difference), then apply the experiment a link asked for, or start autoplay.
    pub(super) fn finished(&mut self, loaded: Rc<Loaded>) {
        let same_scenario = self
            .loaded
            .as_ref()
            .is_some_and(|old| old.scenario.name == loaded.scenario.name);
        let pending = self.pending.take();
        let step = match (&loaded.experiment, &pending) {
            (Some(e), Some(p)) if p.jump_to_difference => {
                e.first_difference.unwrap_or(loaded.start_step)
            }
            _ => loaded.start_step,
        };
        self.loaded = Some(loaded.clone());
        self.go_to(step);
        self.playing = false;
        if !same_scenario {
            self.selected = None;
            self.filter = TrailFilter::default();
        }
        if let Some((experiment, step)) = self.queued.take() {
            let label = label_for(&loaded.scenario.source, &experiment);
            if let Err(e) = self.try_experiment(loaded, label, experiment, Some(step), false) {
                self.notice = Some(format!(
                    "The link's experiment could not be applied ({e}); showing the scenario without it."
                ));
            }
        } else if self.autoplay {
            self.autoplay = false;
            self.playing = self.len() > 1 && self.step + 1 < self.len();
        }
    }
}
