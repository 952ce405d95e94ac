//! What KMS remembers of the ciphertexts it issued, to explain a failed Decrypt.
//!
//! Real KMS answers a wrong encryption context and a modified blob alike: an
//! `InvalidCiphertextException` with no detail. The simulation can say which it was: it
//! keeps, for the ciphertexts it issued most recently, the encryption context each was
//! sealed with, found by the blob's authentication tag. The record is never consulted to
//! decide anything, only to explain; it is bounded, so a long-running server does not
//! grow without limit (older ciphertexts are then explained as "modified or not issued
//! here").

use crate::context::EncryptionContext;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// How many issued ciphertexts are remembered.
pub const REMEMBERED: usize = 16_384;

/// Hashes an AES-GCM authentication tag: its two halves folded and multiplied once (a
/// tag is already uniformly distributed, being a MAC under a fresh nonce, so it needs
/// no keyed mixing; the multiply spreads even patterned tags, as a test's counters are,
/// over the table's buckets and control bytes).
#[derive(Default)]
struct TagHasher(u64);

impl Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            let x = (self.0.rotate_left(29) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            self.0 = x ^ (x >> 32);
        }
    }

    fn write_usize(&mut self, _len: usize) {
        // The length prefix of `[u8; 16]` is the same for every tag.
    }
}

/// The encryption contexts of recently issued ciphertexts, by authentication tag.
#[derive(Debug, Default)]
pub(crate) struct IssuedContexts {
    by_tag: HashMap<[u8; 16], EncryptionContext, BuildHasherDefault<TagHasher>>,
    order: VecDeque<[u8; 16]>,
}

impl IssuedContexts {
    /// Remembers that the ciphertext with `tag` was sealed with `context`.
    pub fn remember(&mut self, tag: [u8; 16], context: EncryptionContext) {
        if self.by_tag.insert(tag, context).is_none() {
            self.order.push_back(tag);
            if self.order.len() > REMEMBERED {
                if let Some(oldest) = self.order.pop_front() {
                    self.by_tag.remove(&oldest);
                }
            }
        }
    }

    /// The context the ciphertext with `tag` was sealed with, if it is remembered.
    pub fn context(&self, tag: &[u8]) -> Option<&EncryptionContext> {
        let tag: [u8; 16] = tag.try_into().ok()?;
        self.by_tag.get(&tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_newest_and_forgets_the_oldest() {
        let mut issued = IssuedContexts::default();
        for i in 0..=REMEMBERED as u32 {
            let mut tag = [0u8; 16];
            tag[..4].copy_from_slice(&i.to_be_bytes());
            issued.remember(tag, EncryptionContext::from_pairs([("n", i.to_string())]));
        }
        assert!(
            issued.context(&[0u8; 16]).is_none(),
            "the oldest is forgotten"
        );
        let mut newest = [0u8; 16];
        newest[..4].copy_from_slice(&(REMEMBERED as u32).to_be_bytes());
        assert_eq!(
            issued.context(&newest).and_then(|c| c.get("n")),
            Some(REMEMBERED.to_string().as_str())
        );
        assert!(issued.context(&[1, 2, 3]).is_none(), "not a tag");
    }
}
