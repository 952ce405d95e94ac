//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${*}` and the like,
//! replaced by values from the request when a policy is evaluated.
//!
//! Follows the IAM User Guide, *IAM policy elements: Variables and tags*
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>):
//!
//! - Only policies whose `Version` is `2012-10-17` take variables: "If you don't include the
//!   `Version` element and set it to an appropriate version date, variables like
//!   `${aws:username}` are treated as literal strings in the policy."
//! - They are substituted in the `Resource` element, "but only in the resource portion of
//!   the ARN. This portion of the ARN appears after the fifth colon", and in `Condition`
//!   values of string and ARN operators; "You can't use a policy variable with other
//!   operators, such as Numeric, Date, Boolean, Binary, IP Address, or Null operators."
//! - `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`.
//! - `${key, 'default'}` gives a value for a key the request does not carry.
//! - A variable whose key the request does not carry, with no default, "is not present ...
//!   any attempt to match it fails and causes the statement to be invalid": the element it
//!   is in does not match. A key with several values (a multivalued key such as
//!   `aws:TagKeys`) has no single value to substitute; the playground treats it the same way.

use super::context::RequestKeys;
use super::pattern::Unit;

/// The text a variable names: the key and its default, or a literal character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// Policy text, whose `*` and `?` are wildcards.
    Text(&'a str),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: &'a str,
        default: Option<&'a str>,
    },
    /// `${*}`, `${?}` or `${$}`.
    Literal(char),
}

/// Splits `text` into policy text and variables. A `${` with no closing `}` is text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let inner = &after[..end];
        out.push(match inner {
            "*" => Piece::Literal('*'),
            "?" => Piece::Literal('?'),
            "$" => Piece::Literal('$'),
            _ => match inner.split_once(',') {
                Some((key, default)) => {
                    let default = default.trim();
                    let quoted = default
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''));
                    Piece::Variable {
                        key: key.trim(),
                        default: Some(quoted.unwrap_or(default)),
                    }
                }
                None => Piece::Variable {
                    key: inner.trim(),
                    default: None,
                },
            },
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Whether `text` holds a policy variable (`${...}` closed by `}`).
pub(crate) fn has_variables(text: &str) -> bool {
    text.find("${")
        .is_some_and(|start| text[start + 2..].contains('}'))
}

/// The value a variable stands for: the key's single value, else its default.
fn value_of<'c>(key: &str, default: Option<&'c str>, ctx: &'c dyn RequestKeys) -> Option<String> {
    match ctx.get(key).as_deref() {
        Some([one]) => Some((*one).to_owned()),
        _ => default.map(str::to_owned),
    }
}

/// `text` with its variables replaced, as [`Unit`]s: the policy's own `*` and `?` stay
/// wildcards, substituted characters are literal. `None` when a variable has no value.
pub(crate) fn substitute(text: &str, ctx: &dyn RequestKeys) -> Option<Vec<Unit>> {
    let mut units = Vec::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => units.extend(Unit::pattern(t)),
            Piece::Literal(c) => units.push(Unit::Char(c)),
            Piece::Variable { key, default } => {
                units.extend(Unit::literal(&value_of(key, default, ctx)?));
            }
        }
    }
    Some(units)
}

/// A `Resource` entry with its variables replaced: only after the fifth colon of an ARN
/// (before it, `${` is text). `None` when a variable has no value.
pub(crate) fn substitute_resource(pattern: &str, ctx: &dyn RequestKeys) -> Option<Vec<Unit>> {
    let split = pattern
        .match_indices(':')
        .nth(4)
        .map_or(0, |(at, _)| at + 1);
    let (arn_head, resource) = pattern.split_at(split);
    let mut units: Vec<Unit> = Unit::pattern(arn_head).collect();
    units.extend(substitute(resource, ctx)?);
    Some(units)
}

/// The text units spell, for showing a substituted value.
pub(crate) fn text_of(units: &[Unit]) -> String {
    units.iter().map(|u| u.as_char()).collect()
}

#[cfg(test)]
mod tests {
    //! IAM User Guide, *IAM policy elements: Variables and tags*.
    use super::*;
    use crate::authz::context::{CallerPrincipal, RequestContext};
    use crate::authz::pattern::glob_match_pattern;

    fn ctx() -> RequestContext {
        RequestContext::new(
            CallerPrincipal::iam("arn:aws:iam::111122223333:user/David").unwrap(),
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k",
        )
        .with("aws:username", "David")
        .with("aws:PrincipalTag/team", "blue")
        .with_values("aws:TagKeys", &["a", "b"])
    }

    #[test]
    fn variables_are_replaced_by_the_requests_values() {
        let c = ctx();
        let units = substitute("home/${aws:username}/*", &c).unwrap();
        assert_eq!(text_of(&units), "home/David/*");
        assert!(glob_match_pattern(&units, "home/David/notes"));
        assert!(!glob_match_pattern(&units, "home/Adele/notes"));
        // Key names are not case-sensitive.
        let units = substitute("${AWS:PrincipalTag/team}", &c).unwrap();
        assert_eq!(text_of(&units), "blue");
    }

    /// "Special characters": `${*}`, `${?}`, `${$}` are literal, not wildcards.
    #[test]
    fn special_characters_are_literal() {
        let c = ctx();
        let units = substitute("a${*}b${?}c${$}", &c).unwrap();
        assert_eq!(text_of(&units), "a*b?c$");
        assert!(glob_match_pattern(&units, "a*b?c$"));
        assert!(!glob_match_pattern(&units, "axxbycz"));
        // The policy's own wildcards still are.
        let units = substitute("*${*}", &c).unwrap();
        assert!(glob_match_pattern(&units, "anything*"));
        assert!(!glob_match_pattern(&units, "anything"));
    }

    /// "Specifying default values", and a variable without a value.
    #[test]
    fn defaults_and_missing_values() {
        let c = ctx();
        assert_eq!(
            text_of(&substitute("${aws:userid, 'anonymous'}", &c).unwrap()),
            "anonymous"
        );
        assert_eq!(
            text_of(&substitute("${aws:username, 'anonymous'}", &c).unwrap()),
            "David"
        );
        assert_eq!(substitute("x/${aws:userid}", &c), None);
        // A multivalued key has no single value.
        assert_eq!(substitute("${aws:TagKeys}", &c), None);
        // An unclosed `${` is text.
        assert_eq!(text_of(&substitute("a${b", &c).unwrap()), "a${b");
        assert!(!has_variables("a${b"));
        assert!(has_variables("a${b}"));
    }

    /// "only in the resource portion of the ARN. This portion of the ARN appears after the
    /// fifth colon".
    #[test]
    fn resources_take_variables_after_the_fifth_colon() {
        let c = ctx();
        let units = substitute_resource(
            "arn:aws:kms:${aws:username}:111122223333:alias/${aws:username}",
            &c,
        )
        .unwrap();
        assert_eq!(
            text_of(&units),
            "arn:aws:kms:${aws:username}:111122223333:alias/David"
        );
        assert_eq!(text_of(&substitute_resource("*", &c).unwrap()), "*");
    }
}
