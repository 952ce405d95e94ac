//! Experiments and the key policy editor: run the base scenario with one change, show the
//! unmodified run again, edit the key policy and re-run as the text settles.

use std::rc::Rc;

use kmsplay_core::scenario::experiment::{self, check_policy, initial_policy, Experiment};
use kmsplay_core::scenario::{Scenario, ScenarioError};

use super::{
    ExperimentRun, Loaded, Panel, PendingExperiment, Placement, PolicyDraft, State, EDIT_POLICY,
};

impl State {
    /// Runs `base` with `experiment`; an experiment that cannot be applied (or whose
    /// result is not a valid scenario) is refused with the reason. `start_step` is a
    /// link's step (else the page goes to the first difference); `asked` whether the
    /// reader asked for it.
    pub(super) fn try_experiment(
        &mut self,
        base: Rc<Loaded>,
        label: String,
        experiment: Experiment,
        start_step: Option<usize>,
        asked: bool,
    ) -> Result<(), ScenarioError> {
        let changed = experiment::apply(&base.scenario.source, &experiment)?;
        let scenario = Scenario::from_value(&changed)?;
        let origin = base.origin.clone();
        let text = base.text.clone();
        self.request_run(
            origin,
            scenario,
            text,
            start_step.unwrap_or(self.step),
            Some(PendingExperiment {
                label,
                experiment,
                base,
                asked,
            }),
        );
        if let (Some(step), Some(pending)) = (start_step, &mut self.pending) {
            // From a link: the step it names, not the first difference.
            Rc::make_mut(pending).start_step = step;
            Rc::make_mut(pending).jump_to_difference = false;
        }
        Ok(())
    }

    /// The reader picked an experiment; false when there is no run to change.
    pub(super) fn apply_experiment(&mut self, label: String, experiment: Experiment) -> bool {
        let Some(loaded) = self.loaded.clone() else {
            return false;
        };
        let before = match self.placement {
            Placement::BeforeCurrent if experiment.inserts_a_step() => self.current_scenario_step(),
            _ => None,
        };
        let experiment = match before {
            Some(at) => experiment.placed_before(at),
            None => experiment,
        };
        if !matches!(experiment, Experiment::EditPolicy { .. }) {
            self.policy = None;
        }
        self.experiment_error = self
            .try_experiment(loaded.base(), label, experiment, None, true)
            .err();
        true
    }

    pub(super) fn reset_experiment(&mut self) {
        self.policy = None;
        if self.drawer == Some(Panel::Policy) {
            self.drawer = None;
        }
        self.experiment_error = None;
        if let Some(loaded) = &self.loaded {
            if loaded.experiment.is_some() {
                self.loaded = Some(loaded.base());
                self.go_to(self.step);
            }
        }
        // A pending experiment is dropped: its result will be ignored.
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.experiment.is_some())
        {
            self.pending = None;
        }
    }

    pub(super) fn open_policy_editor(&mut self) {
        self.drawer = Some(Panel::Policy);
        if self.policy.is_some() {
            return;
        }
        if let Some(loaded) = &self.loaded {
            let text = match &loaded.experiment {
                Some(ExperimentRun {
                    experiment: Experiment::EditPolicy { policy },
                    ..
                }) => policy.clone(),
                _ => {
                    let base = loaded.base();
                    initial_policy(
                        &base.scenario.source,
                        &base.scenario.region,
                        &base.scenario.account,
                    )
                }
            };
            self.policy = Some(PolicyDraft { text, error: None });
        }
    }

    /// Applies the policy editor's text, unless it is what runs (or is about to) already;
    /// false when there is nothing to apply.
    pub(super) fn apply_policy(&mut self) -> bool {
        let (Some(draft), Some(loaded)) = (self.policy.clone(), self.loaded.clone()) else {
            return false;
        };
        let is_text = |e: &Experiment| matches!(e, Experiment::EditPolicy { policy } if *policy == draft.text);
        let already = loaded
            .experiment
            .as_ref()
            .is_some_and(|e| is_text(&e.experiment))
            || self
                .pending
                .as_ref()
                .and_then(|p| p.experiment.as_ref())
                .is_some_and(|e| is_text(&e.experiment));
        if !already {
            let error = check_policy(&draft.text).err().or_else(|| {
                self.try_experiment(
                    loaded.base(),
                    EDIT_POLICY.to_owned(),
                    Experiment::EditPolicy {
                        policy: draft.text.clone(),
                    },
                    None,
                    true,
                )
                .err()
            });
            if let Some(policy) = &mut self.policy {
                policy.error = error;
            }
            self.experiment_error = None;
        }
        true
    }
}
