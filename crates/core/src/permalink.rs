//! Permalinks: the whole view of the page in the URL fragment, versioned and compressed.
//!
//! `#v1:<base64url(deflate(JSON))>` where the JSON is a [`ViewState`]. Decoding never
//! panics and never trusts its input: the compressed data is bounded, the inflated JSON is
//! bounded (no decompression bombs), and an unknown version or a corrupt payload is an
//! error that says what to do, so the page can show it and fall back to the default view.

use crate::scenario::experiment::Experiment;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The current permalink format version.
pub const VERSION: &str = "v1";
/// Longest fragment accepted (characters).
pub const MAX_FRAGMENT: usize = 256 * 1024;
/// Largest inflated state accepted (bytes): a maximal 1 MiB scenario plus room.
pub const MAX_STATE: usize = (1 << 20) + 64 * 1024;

/// Which scenario a view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScenarioRef {
    /// A built-in, by name.
    Builtin(String),
    /// A scenario file, in full.
    Custom(Value),
}

/// Everything a view is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewState {
    /// The scenario.
    pub scenario: ScenarioRef,
    /// A seed overriding the scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The trace step shown.
    #[serde(default)]
    pub step: usize,
    /// An experiment applied to the scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<Experiment>,
    /// The inspector panel shown, e.g. `decision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<String>,
}

/// Why a fragment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermalinkError {
    /// Not `v<N>:...`, or a version this page does not know.
    #[error("this link uses format \"{0}\", which this version of the playground cannot read; it shows the default view instead (links start with #v1:)")]
    UnknownVersion(String),
    /// The payload is damaged.
    #[error("this link is damaged ({0}); it shows the default view instead. Copy the link again from the page.")]
    Corrupt(String),
}

/// The prefix of a "Check my key policy" link: `#check1:<base64url(deflate(JSON))>` of a
/// [`CheckView`].
pub const CHECK_VERSION: &str = "check1";

/// A "Check my key policy" view: the policy as pasted, and the names when they were
/// edited (otherwise they are read from the policy again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckView {
    /// The key policy text.
    pub policy: String,
    /// The names the flows use, when edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<crate::check::Names>,
}

fn encode_as<T: Serialize>(version: &str, state: &T) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{version}:{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// Reads `version:payload`; `what` names the payload in errors ("a view").
fn decode_as<T: serde::de::DeserializeOwned>(
    version: &str,
    fragment: &str,
    what: &str,
) -> Result<T, PermalinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT {
        return Err(PermalinkError::Corrupt(format!(
            "it is {} characters, more than the {MAX_FRAGMENT} a link may have",
            fragment.len()
        )));
    }
    let (found, payload) = fragment
        .split_once(':')
        .ok_or_else(|| PermalinkError::UnknownVersion(fragment.chars().take(12).collect()))?;
    if found != version {
        return Err(PermalinkError::UnknownVersion(
            found.chars().take(12).collect(),
        ));
    }
    let deflated = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| PermalinkError::Corrupt(format!("not base64url: {e}")))?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_STATE).map_err(|e| {
            PermalinkError::Corrupt(format!(
                "not deflate data, or larger than {MAX_STATE} bytes: {e:?}"
            ))
        })?;
    serde_json::from_slice(&json).map_err(|e| PermalinkError::Corrupt(format!("not {what}: {e}")))
}

/// Encodes a view as a fragment, without the leading `#`.
pub fn encode(state: &ViewState) -> String {
    encode_as(VERSION, state)
}

/// Decodes a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<ViewState, PermalinkError> {
    decode_as(VERSION, fragment, "a view")
}

/// Encodes a policy check as a fragment, without the leading `#`.
pub fn encode_check(state: &CheckView) -> String {
    encode_as(CHECK_VERSION, state)
}

/// Decodes a policy check's fragment (with or without the leading `#`).
pub fn decode_check(fragment: &str) -> Result<CheckView, PermalinkError> {
    decode_as(CHECK_VERSION, fragment, "a policy check")
}

/// Whether a fragment is a policy check's (`check1:...`).
pub fn is_check(fragment: &str) -> bool {
    fragment
        .trim_start_matches('#')
        .starts_with(&format!("{CHECK_VERSION}:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> ViewState {
        ViewState {
            scenario: ScenarioRef::Builtin("workmail-revoke-grant".into()),
            seed: Some(42),
            step: 17,
            experiment: Some(Experiment::AdvanceClock { at: 3, seconds: 61 }),
            panel: Some("decision".into()),
        }
    }

    #[test]
    fn round_trips() {
        let s = sample();
        let f = encode(&s);
        assert!(f.starts_with("v1:"));
        assert!(
            f.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_:".contains(&b)),
            "URL-safe: {f}"
        );
        assert_eq!(decode(&f).unwrap(), s);
        assert_eq!(decode(&format!("#{f}")).unwrap(), s);
        let custom = ViewState {
            scenario: ScenarioRef::Custom(serde_json::json!({"steps": [{"call": "kms:ListKeys"}]})),
            seed: None,
            step: 0,
            experiment: None,
            panel: None,
        };
        assert_eq!(decode(&encode(&custom)).unwrap(), custom);
    }

    #[test]
    fn policy_checks_round_trip_and_are_told_apart() {
        let c = CheckView {
            policy: "{\"Statement\": []}".into(),
            names: Some(crate::check::Names::default()),
        };
        let f = encode_check(&c);
        assert!(is_check(&f) && is_check(&format!("#{f}")));
        assert_eq!(decode_check(&f), Ok(c));
        assert!(!is_check(&encode(&sample())));
        assert!(matches!(decode(&f), Err(PermalinkError::UnknownVersion(v)) if v == "check1"));
        assert!(decode_check("check1:AAAA").is_err());
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        assert!(matches!(decode("v2:abc"), Err(PermalinkError::UnknownVersion(v)) if v == "v2"));
        assert!(matches!(
            decode("hello"),
            Err(PermalinkError::UnknownVersion(_))
        ));
        assert!(matches!(decode("v1:!!!"), Err(PermalinkError::Corrupt(_))));
        assert!(matches!(decode("v1:AAAA"), Err(PermalinkError::Corrupt(_))));
        let not_a_view = format!(
            "v1:{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"{\"nope\":1}", 9))
        );
        assert!(
            matches!(decode(&not_a_view), Err(PermalinkError::Corrupt(m)) if m.contains("not a view"))
        );
        // A decompression bomb: 50 MB of zeros deflates to a few KB and must be refused.
        let bomb = format!(
            "v1:{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
                &vec![b' '; 50 << 20],
                9
            ))
        );
        assert!(bomb.len() < MAX_FRAGMENT);
        assert!(matches!(decode(&bomb), Err(PermalinkError::Corrupt(_))));
        assert!(PermalinkError::UnknownVersion("v9".into())
            .to_string()
            .contains("default view"));
    }

    proptest! {
        #[test]
        fn decode_never_panics(s in ".{0,300}") {
            let _ = decode(&s);
            let _ = decode(&format!("v1:{s}"));
        }
    }
}
