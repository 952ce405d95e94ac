//! The built-in scenarios, shipped as JSON files in `crates/core/scenarios/`.

use super::{Scenario, ScenarioError};

/// A built-in scenario: its name and file text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// The name (file stem), e.g. `workmail-basics`.
    pub name: &'static str,
    /// The scenario file.
    pub source: &'static str,
}

impl Builtin {
    /// Parses it.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::parse(self.source)
    }
}

macro_rules! builtins {
    ($($name:literal),* $(,)?) => {
        /// Every built-in scenario, the default (WorkMail encrypt/decrypt) first.
        pub fn builtins() -> &'static [Builtin] {
            const ALL: &[Builtin] = &[$(Builtin { name: $name, source: include_str!(concat!("../../scenarios/", $name, ".json")) }),*];
            ALL
        }
    };
}

builtins!(
    "workmail-basics",
    "workmail-cache",
    "workmail-revoke-grant",
    "workmail-disabled-key",
    "workmail-legacy-mailbox",
    "workmail-asymmetric-key",
    "ses-receive",
    "ses-missing-statement",
    "ses-managed-key",
    "encryption-context",
    "key-rotation",
    "location-least-privilege",
    "cloudtrail-confused-deputy",
    "cross-account-key",
);

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<Builtin> {
    builtins().iter().copied().find(|b| b.name == name)
}
