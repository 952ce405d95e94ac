//! "Check my key policy": the pasted policy, the names its flows use, and the engine's
//! report on them. The report is computed when typing pauses ([`Action::RunCheck`]);
//! "Open as scenario" opens a verdict's flow in the stage.

use std::rc::Rc;

use kmsplay_core::authz::PolicyDocument;
use kmsplay_core::check::{check, names_from, Names, Report};
use kmsplay_core::permalink::CheckView;
use kmsplay_core::scenario::experiment::policy_presets;
use kmsplay_core::scenario::ScenarioError;

use super::{Initial, State};

/// A name the flows use, as the form edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    /// The account.
    Account,
    /// The Region.
    Region,
    /// The SES rule set.
    RuleSet,
    /// The SES rule.
    Rule,
    /// The WorkMail organization.
    Organization,
    /// The WorkMail administrator's ARN.
    WorkMailAdmin,
    /// The Amazon Location tracker.
    Tracker,
    /// The Location role's ARN.
    LocationRole,
    /// The CloudTrail trail.
    Trail,
}

impl NameField {
    /// Every field, in the form's order.
    pub const ALL: [NameField; 9] = [
        NameField::Account,
        NameField::Region,
        NameField::RuleSet,
        NameField::Rule,
        NameField::Organization,
        NameField::WorkMailAdmin,
        NameField::Tracker,
        NameField::LocationRole,
        NameField::Trail,
    ];

    /// The field's label.
    pub fn label(self) -> &'static str {
        match self {
            NameField::Account => "Account",
            NameField::Region => "Region",
            NameField::RuleSet => "SES rule set",
            NameField::Rule => "SES rule",
            NameField::Organization => "WorkMail organization",
            NameField::WorkMailAdmin => "WorkMail administrator",
            NameField::Tracker => "Location tracker",
            NameField::LocationRole => "Location role",
            NameField::Trail => "CloudTrail trail",
        }
    }

    /// A stable id fragment.
    pub fn slug(self) -> &'static str {
        match self {
            NameField::Account => "account",
            NameField::Region => "region",
            NameField::RuleSet => "rule-set",
            NameField::Rule => "rule",
            NameField::Organization => "organization",
            NameField::WorkMailAdmin => "workmail-admin",
            NameField::Tracker => "tracker",
            NameField::LocationRole => "location-role",
            NameField::Trail => "trail",
        }
    }

    /// The field's value in `names`.
    pub fn get(self, names: &Names) -> &str {
        match self {
            NameField::Account => &names.account,
            NameField::Region => &names.region,
            NameField::RuleSet => &names.rule_set,
            NameField::Rule => &names.rule,
            NameField::Organization => &names.organization,
            NameField::WorkMailAdmin => &names.workmail_admin,
            NameField::Tracker => &names.tracker,
            NameField::LocationRole => &names.location_role,
            NameField::Trail => &names.trail,
        }
    }

    fn slot(self, names: &mut Names) -> &mut String {
        match self {
            NameField::Account => &mut names.account,
            NameField::Region => &mut names.region,
            NameField::RuleSet => &mut names.rule_set,
            NameField::Rule => &mut names.rule,
            NameField::Organization => &mut names.organization,
            NameField::WorkMailAdmin => &mut names.workmail_admin,
            NameField::Tracker => &mut names.tracker,
            NameField::LocationRole => &mut names.location_role,
            NameField::Trail => &mut names.trail,
        }
    }
}

/// The policy check's state.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCheck {
    /// The policy as typed.
    pub text: String,
    /// The names the flows use.
    pub names: Names,
    /// Whether the names were edited (otherwise they follow the policy).
    pub names_edited: bool,
    /// The report on `text` and `names` as they were when last checked, or why they could
    /// not be checked.
    pub result: Result<Rc<Report>, ScenarioError>,
    /// The text and names the result is for.
    pub checked: (String, Names),
    /// The fix last applied (its label), said over the verdicts.
    pub applied: Option<String>,
}

impl PolicyCheck {
    /// A check of `text`, with `names` or the policy's own.
    pub fn new(text: String, names: Option<Names>) -> Self {
        let names_edited = names.is_some();
        let names = names.unwrap_or_else(|| names_of(&text).unwrap_or_default());
        let mut c = PolicyCheck {
            result: Err(ScenarioError {
                path: String::new(),
                message: String::new(),
            }),
            checked: (String::new(), names.clone()),
            text,
            names,
            names_edited,
            applied: None,
        };
        c.run();
        c
    }

    /// Checks the text and names as they are now.
    pub fn run(&mut self) {
        if self.checked == (self.text.clone(), self.names.clone()) && self.result.is_ok() {
            return;
        }
        self.result = check(&self.text, &self.names).map(Rc::new);
        self.checked = (self.text.clone(), self.names.clone());
    }

    /// Whether what is typed differs from what was checked.
    pub fn stale(&self) -> bool {
        self.checked != (self.text.clone(), self.names.clone())
    }

    /// The view a link holds.
    pub fn view(&self) -> CheckView {
        CheckView {
            policy: self.text.clone(),
            names: self.names_edited.then(|| self.names.clone()),
        }
    }

    /// New text: the names follow it unless they were edited.
    pub fn input(&mut self, text: String) {
        if !self.names_edited {
            if let Some(names) = names_of(&text) {
                self.names = names;
            }
        }
        self.text = text;
        self.applied = None;
    }

    /// One name edited.
    pub fn set_name(&mut self, field: NameField, value: String) {
        *field.slot(&mut self.names) = value;
        self.names_edited = true;
        self.applied = None;
    }

    /// The names read from the policy again.
    pub fn names_from_policy(&mut self) {
        self.names = names_of(&self.text).unwrap_or_default();
        self.names_edited = false;
    }

    /// Applies the fix of verdict `index`: its policy, checked at once (the flow re-runs).
    pub fn apply_fix(&mut self, index: usize) -> bool {
        let Some(fix) = self
            .result
            .as_ref()
            .ok()
            .and_then(|r| r.verdicts.get(index))
            .and_then(|v| v.fix.clone())
        else {
            return false;
        };
        self.text = fix.policy;
        self.run();
        self.applied = Some(fix.label);
        true
    }
}

/// The names a policy text refers to, if it is a policy.
fn names_of(text: &str) -> Option<Names> {
    PolicyDocument::parse(text).ok().map(|d| names_from(&d))
}

/// The policy the checker opens with: the SES preset (the seeds' most asked question).
fn starting_policy() -> String {
    policy_presets("us-east-1", kmsplay_core::check::names::DEFAULT_ACCOUNT)
        .into_iter()
        .find(|(name, _)| name.starts_with("SES"))
        .map(|(_, text)| text)
        .unwrap_or_default()
}

impl State {
    /// Opens the checker (with what was there, or the starting policy).
    pub(super) fn open_check(&mut self) {
        if self.check.is_none() {
            self.check = Some(PolicyCheck::new(starting_policy(), None));
        }
        self.checking = true;
        self.playing = false;
    }

    /// Opens a verdict's flow in the stage, at its refusal (or first checked call).
    pub(super) fn open_verdict(&mut self, index: usize) -> bool {
        let Some(v) = self
            .check
            .as_ref()
            .and_then(|c| c.result.as_ref().ok())
            .and_then(|r| r.verdicts.get(index))
        else {
            return false;
        };
        let initial = Initial {
            custom: Some(v.scenario.clone()),
            step: Some(v.open_at),
            ..Initial::default()
        };
        self.checking = false;
        self.open(initial);
        true
    }
}
