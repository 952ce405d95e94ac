//! The per-client mailbox-key cache.
//!
//! "Each plaintext mailbox key is cached per client for at most one minute, then erased; a
//! cache hit makes no KMS call. Plaintext keys are never written to disk" (AWS KMS
//! developer guide, *How Amazon WorkMail uses AWS KMS*). An entry lives 60 s from the moment
//! it was cached (a hit does not extend it) and is zeroized when it expires.

use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// How long a plaintext mailbox key may stay cached, in milliseconds.
pub const CACHE_TTL_MS: u64 = 60_000;

/// A cached key: the plaintext bytes (zeroized on drop) and when they expire.
pub(crate) struct CachedKey {
    pub key: Zeroizing<Vec<u8>>,
    pub expires_ms: u64,
}

/// The caches of all clients, keyed by client then mailbox.
#[derive(Default)]
pub(crate) struct MailboxKeyCache {
    entries: BTreeMap<(String, String), CachedKey>,
}

impl std::fmt::Debug for MailboxKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MailboxKeyCache(<{} entries redacted>)",
            self.entries.len()
        )
    }
}

impl MailboxKeyCache {
    /// The live key of `mailbox` in `client`'s cache.
    pub fn get(&self, client: &str, mailbox: &str, now_ms: u64) -> Option<&CachedKey> {
        self.entries
            .get(&(client.to_owned(), mailbox.to_owned()))
            .filter(|e| e.expires_ms > now_ms)
    }

    /// Caches a key for 60 s.
    pub fn put(
        &mut self,
        client: &str,
        mailbox: &str,
        key: Zeroizing<Vec<u8>>,
        now_ms: u64,
    ) -> u64 {
        let expires_ms = now_ms.saturating_add(CACHE_TTL_MS);
        self.entries.insert(
            (client.to_owned(), mailbox.to_owned()),
            CachedKey { key, expires_ms },
        );
        expires_ms
    }

    /// Removes (and so zeroizes) every expired entry; returns which (client, mailbox) went.
    pub fn expire(&mut self, now_ms: u64) -> Vec<(String, String)> {
        let gone: Vec<(String, String)> = self
            .entries
            .iter()
            .filter(|(_, e)| e.expires_ms <= now_ms)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            self.entries.remove(k);
        }
        gone
    }

    /// Number of live entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_sixty_seconds_and_hits_do_not_extend() {
        let mut c = MailboxKeyCache::default();
        c.put("laptop", "a@x", Zeroizing::new(vec![1; 32]), 1_000);
        assert!(c.get("laptop", "a@x", 60_999).is_some());
        assert!(c.get("laptop", "a@x", 61_000).is_none());
        assert!(
            c.get("phone", "a@x", 2_000).is_none(),
            "caches are per client"
        );
        assert_eq!(c.expire(60_999), vec![]);
        assert_eq!(
            c.expire(61_000),
            vec![("laptop".to_owned(), "a@x".to_owned())]
        );
        assert_eq!(c.len(), 0);
    }
}
