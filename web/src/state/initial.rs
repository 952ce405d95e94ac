//! What the page asks for when it opens, from its URL.

use kmsplay_core::permalink::CheckView;
use kmsplay_core::scenario::experiment::Experiment;
use serde_json::Value;

use super::view::Tab;

/// What the page asks for when it opens (from its URL: a `#v1:` permalink or the query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Initial {
    /// A built-in scenario's name.
    pub scenario: Option<String>,
    /// A whole scenario (from a permalink of an edited one); wins over `scenario`.
    pub custom: Option<Value>,
    /// A step to show, 0-based.
    pub step: Option<usize>,
    /// A seed overriding the scenarios' own.
    pub seed: Option<u64>,
    /// An experiment to apply once the scenario has run.
    pub experiment: Option<Experiment>,
    /// The inspector tab to show.
    pub tab: Option<Tab>,
    /// Start playing once the scenario has run.
    pub autoplay: bool,
    /// Something to tell the reader first (a link that could not be read).
    pub notice: Option<String>,
    /// "Check my key policy", from a `#check1:` link: shown over the default scenario.
    pub check: Option<Box<CheckView>>,
}

impl Initial {
    /// Reads `?scenario=NAME&step=N&seed=N&autoplay` (step 1-based, as the page shows
    /// it). Unknown keys and malformed values are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut initial = Initial::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "scenario" if !value.is_empty() => initial.scenario = Some(value.to_owned()),
                "step" => initial.step = value.parse::<usize>().ok().and_then(|n| n.checked_sub(1)),
                "seed" => initial.seed = value.parse().ok(),
                "autoplay" => initial.autoplay = !matches!(value, "0" | "false" | "no"),
                _ => {}
            }
        }
        initial
    }
}
