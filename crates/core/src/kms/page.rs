//! Pagination of the List operations: `Limit`, `Marker`, and the `NextMarker` /
//! `Truncated` of the response (API reference, each List operation: "When this value is
//! present, KMS does not return more than the specified number of items, but it might
//! return fewer").

use super::error::{ErrorCode, KmsError, Result};
use base64::Engine as _;

/// How a List operation pages: its default page size, and the most it returns in one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paging {
    /// Items returned when the request gives no `Limit`.
    pub default: usize,
    /// The documented maximum (`Limit` above it returns this many).
    pub max: usize,
}

/// ListKeys, ListKeyRotations, ListKeyPolicies: 100 by default, at most 1000.
pub(super) const KEYS: Paging = Paging {
    default: 100,
    max: 1000,
};
/// ListAliases, ListGrants, ListRetirableGrants: 50 by default, at most 100.
pub(super) const GRANTS: Paging = Paging {
    default: 50,
    max: 100,
};
/// ListResourceTags: 50 by default, at most 50.
pub(super) const TAGS: Paging = Paging {
    default: 50,
    max: 50,
};

const MARKER_PREFIX: &str = "kmsplay-page:";

/// One page of `items`, starting where `marker` says, with the `NextMarker` of the rest.
pub(super) fn page<T>(
    items: Vec<T>,
    limit: Option<u32>,
    marker: Option<&str>,
    paging: Paging,
) -> Result<(Vec<T>, Option<String>, bool)> {
    let start = match marker {
        None => 0,
        Some(m) => parse_marker(m).ok_or_else(|| {
            KmsError::bare(ErrorCode::InvalidMarkerException).help(format!(
                "The Marker '{m}' is not one this List operation returned. Pass the NextMarker of the previous page exactly, or omit Marker to start from the first page."
            ))
        })?,
    };
    let size = limit
        .map(|l| (l as usize).min(paging.max))
        .unwrap_or(paging.default)
        .max(1);
    let total = items.len();
    let end = start.saturating_add(size).min(total);
    let page: Vec<T> = items
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    let truncated = end < total;
    let next = truncated.then(|| make_marker(end));
    Ok((page, next, truncated))
}

fn make_marker(index: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{MARKER_PREFIX}{index}"))
}

fn parse_marker(marker: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(marker)
        .ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    text.strip_prefix(MARKER_PREFIX)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_markers_to_the_end() {
        let items: Vec<u32> = (0..7).collect();
        let (first, next, truncated) = page(items.clone(), Some(3), None, KEYS).unwrap();
        assert_eq!(first, [0, 1, 2]);
        assert!(truncated);
        let (second, next, _) = page(items.clone(), Some(3), next.as_deref(), KEYS).unwrap();
        assert_eq!(second, [3, 4, 5]);
        let (third, next, truncated) = page(items.clone(), Some(3), next.as_deref(), KEYS).unwrap();
        assert_eq!(third, [6]);
        assert_eq!((next, truncated), (None, false));
        let (all, _, truncated) = page(items, None, None, KEYS).unwrap();
        assert_eq!(all.len(), 7);
        assert!(!truncated);
    }

    #[test]
    fn limits_are_capped_and_bad_markers_refused() {
        let items: Vec<u32> = (0..80).collect();
        assert_eq!(
            page(items.clone(), Some(1000), None, TAGS).unwrap().0.len(),
            50
        );
        assert_eq!(page(items.clone(), None, None, GRANTS).unwrap().0.len(), 50);
        let e = page(items, None, Some("not-a-marker"), KEYS).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidMarkerException);
        assert_eq!(e.message, None);
    }
}
