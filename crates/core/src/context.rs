//! The encryption context: non-secret string pairs bound to a ciphertext.
//!
//! AWS KMS binds the encryption context to the ciphertext as additional authenticated data
//! (AWS KMS developer guide, *Encryption context*): decryption needs exactly the same map,
//! the order of the pairs does not matter, and keys and values are case-sensitive.
//!
//! The bytes bound must be unambiguous, or different maps could share them. A naive join
//! makes `{"a":"bc"}` and `{"ab":"c"}` the same `"abc"`; [`EncryptionContext::canonical_bytes`]
//! sorts the pairs and length-prefixes every key and value, so every distinct map has
//! distinct bytes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An encryption context: a map of non-secret string pairs (keys sorted).
///
/// Shared, not copied: one request's context is read by its authorization (kept for the
/// explanation), bound as AAD and remembered with the ciphertext it sealed, and a copy is
/// a reference count, not a map ([`EncryptionContext::insert`] copies on write).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EncryptionContext(pub Arc<BTreeMap<String, String>>);

impl EncryptionContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a context from pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        // Inserted one by one, not `collect()`ed: `BTreeMap`'s `FromIterator` sorts, and
        // its sort would be copied into every caller's monomorphization (page size).
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.insert(k.into(), v.into());
        }
        EncryptionContext(Arc::new(map))
    }

    /// Adds (or replaces) a pair.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        Arc::make_mut(&mut self.0).insert(key.into(), value.into());
    }

    /// Whether the context has no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The unambiguous byte encoding bound as AAD:
    /// `u32be(count) || for each pair sorted by key bytes: u32be(len k) k u32be(len v) v`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.canonical_len());
        self.write_canonical(&mut out);
        out
    }

    /// The length of [`EncryptionContext::canonical_bytes`].
    pub fn canonical_len(&self) -> usize {
        4 + self
            .0
            .iter()
            .map(|(k, v)| 8 + k.len() + v.len())
            .sum::<usize>()
    }

    /// Appends [`EncryptionContext::canonical_bytes`] to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        let out = &mut *out;
        push_len(out, self.0.len());
        // BTreeMap<String, _> iterates in byte order of the keys.
        for (k, v) in self.0.iter() {
            push_len(out, k.len());
            out.extend_from_slice(k.as_bytes());
            push_len(out, v.len());
            out.extend_from_slice(v.as_bytes());
        }
    }

    /// Whether every pair of `self` is in `other` (the `EncryptionContextSubset` grant
    /// constraint: the grant's pairs must all be in the request's context).
    pub fn is_subset_of(&self, other: &EncryptionContext) -> bool {
        self.0.iter().all(|(k, v)| other.0.get(k) == Some(v))
    }

    /// The pairs in which `self` and `other` differ, in words, for explaining a failure.
    pub fn describe_difference(&self, other: &EncryptionContext) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in self.0.iter() {
            match other.0.get(k) {
                None => out.push(format!("\"{k}\" is missing (expected \"{v}\")")),
                Some(o) if o != v => out.push(format!(
                    "\"{k}\" is \"{o}\" but the ciphertext was sealed with \"{v}\""
                )),
                Some(_) => {}
            }
        }
        for (k, v) in other.0.iter() {
            if !self.0.contains_key(k) {
                out.push(format!(
                    "\"{k}\": \"{v}\" was not in the context the ciphertext was sealed with"
                ));
            }
        }
        out
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    // Request validation bounds contexts far below 4 GiB; saturate rather than wrap.
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn collision_pairs_have_distinct_bytes() {
        let a = EncryptionContext::from_pairs([("a", "bc")]);
        let b = EncryptionContext::from_pairs([("ab", "c")]);
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
        let c = EncryptionContext::from_pairs([("a", "b"), ("c", "d")]);
        let d = EncryptionContext::from_pairs([("a", "bcd")]);
        assert_ne!(c.canonical_bytes(), d.canonical_bytes());
    }

    #[test]
    fn known_encoding() {
        let c = EncryptionContext::from_pairs([("b", "2"), ("a", "1")]);
        assert_eq!(
            hex::encode(c.canonical_bytes()),
            "00000002\
             0000000161\
             0000000131\
             0000000162\
             0000000132"
        );
        assert_eq!(EncryptionContext::new().canonical_bytes(), vec![0, 0, 0, 0]);
    }

    #[test]
    fn order_does_not_matter() {
        let x: EncryptionContext =
            serde_json::from_str(r#"{"tenant":"blue","purpose":"demo"}"#).unwrap();
        let y: EncryptionContext =
            serde_json::from_str(r#"{"purpose":"demo","tenant":"blue"}"#).unwrap();
        assert_eq!(x.canonical_bytes(), y.canonical_bytes());
    }

    #[test]
    fn subset_and_difference() {
        let grant = EncryptionContext::from_pairs([("tenant", "blue")]);
        let req = EncryptionContext::from_pairs([("tenant", "blue"), ("purpose", "demo")]);
        assert!(grant.is_subset_of(&req));
        assert!(!req.is_subset_of(&grant));
        let diff = req.describe_difference(&EncryptionContext::from_pairs([("tenant", "red")]));
        assert_eq!(diff.len(), 2, "{diff:?}");
    }

    proptest! {
        /// Distinct maps never share canonical bytes (the encoding is injective).
        #[test]
        fn canonical_encoding_is_injective(
            a in proptest::collection::btree_map("[a-c]{0,3}", "[a-c]{0,3}", 0..4),
            b in proptest::collection::btree_map("[a-c]{0,3}", "[a-c]{0,3}", 0..4),
        ) {
            let (ca, cb) = (EncryptionContext(Arc::new(a.clone())), EncryptionContext(Arc::new(b.clone())));
            prop_assert_eq!(a == b, ca.canonical_bytes() == cb.canonical_bytes());
        }
    }
}
