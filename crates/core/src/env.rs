//! The simulated world's only sources of time and randomness.
//!
//! Nothing in the simulation reads the wall clock or the operating system's randomness:
//! the same seed and the same actions give byte-identical keys, ciphertexts, ids and
//! CloudTrail events, which is what makes stepping back (re-running to an earlier step)
//! and permalinks possible.

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};
use zeroize::Zeroizing;

/// 2026-01-01T00:00:00Z, where every simulated clock starts unless told otherwise.
pub const DEFAULT_EPOCH_MS: u64 = 1_767_225_600_000;

/// A virtual clock in milliseconds since the Unix epoch. It moves only when told to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    now_ms: u64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            now_ms: DEFAULT_EPOCH_MS,
        }
    }
}

impl Clock {
    /// A clock that reads `now_ms`.
    pub fn at(now_ms: u64) -> Self {
        Clock { now_ms }
    }
    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
    /// Whole seconds since the Unix epoch.
    pub fn now_secs(&self) -> u64 {
        self.now_ms / 1000
    }
    /// Moves time forward (saturating: time never wraps).
    pub fn advance_ms(&mut self, ms: u64) {
        self.now_ms = self.now_ms.saturating_add(ms);
    }
    /// The current time as CloudTrail writes it: `2019-02-19T10:01:09Z`.
    pub fn iso8601(&self) -> String {
        iso8601(self.now_secs())
    }
}

/// Formats whole seconds since the epoch as an ISO 8601 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601(secs: u64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "9999-12-31T23:59:59Z".to_owned())
}

/// The seeded random source for every key, nonce and id in the world (ChaCha20).
#[derive(Debug, Clone)]
pub struct SimRng {
    inner: ChaCha20Rng,
    /// Every secret handed out, so tests can check none of them is ever recorded.
    #[cfg(test)]
    pub(crate) issued_secrets: Vec<Vec<u8>>,
}

impl SimRng {
    /// A generator whose whole output is fixed by `seed`.
    pub fn from_seed(seed: u64) -> Self {
        SimRng {
            inner: ChaCha20Rng::seed_from_u64(seed),
            #[cfg(test)]
            issued_secrets: Vec::new(),
        }
    }
    /// Fresh secret bytes (zeroized when dropped).
    pub fn secret<const N: usize>(&mut self) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0u8; N]);
        self.inner.fill_bytes(out.as_mut());
        #[cfg(test)]
        self.issued_secrets.push(out.to_vec());
        out
    }
    /// Fresh public bytes (nonces, ids).
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.inner.fill_bytes(&mut out);
        out
    }
    /// Fills `buf` with fresh secret bytes (data keys of any length).
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.inner.fill_bytes(buf);
        #[cfg(test)]
        self.issued_secrets.push(buf.to_vec());
    }
    /// A random version-4 UUID in its 36-character text form, as KMS key ids and
    /// CloudTrail request/event ids are.
    pub fn uuid(&mut self) -> String {
        uuid_text(&self.uuid_bytes())
    }
    /// A random version-4 UUID as 16 bytes.
    pub fn uuid_bytes(&mut self) -> [u8; 16] {
        let mut b: [u8; 16] = self.bytes();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        b
    }
    /// `n` random bytes as lowercase hex (WorkMail organization ids are `m-` + 32 hex).
    pub fn hex(&mut self, n: usize) -> String {
        let mut buf = vec![0u8; n];
        self.inner.fill_bytes(&mut buf);
        hex::encode(buf)
    }
}

impl RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.inner.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.inner.try_fill_bytes(dest)
    }
}

impl CryptoRng for SimRng {}

/// Formats 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn uuid_text(b: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Parses the 36-character text form of a UUID; `None` if it is not one.
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let compact: String = s.chars().filter(|c| *c != '-').collect();
    let mut out = [0u8; 16];
    hex::decode_to_slice(compact, &mut out).ok()?;
    Some(out)
}

/// Time and randomness, passed to every service operation.
#[derive(Debug, Clone)]
pub struct Env {
    /// The virtual clock.
    pub clock: Clock,
    /// The seeded random source.
    pub rng: SimRng,
}

impl Env {
    /// A fresh environment: the default epoch and a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Env {
            clock: Clock::default(),
            rng: SimRng::from_seed(seed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::from_seed(7);
        let mut b = SimRng::from_seed(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(*a.secret::<32>(), *b.secret::<32>());
        assert_ne!(SimRng::from_seed(8).uuid(), SimRng::from_seed(7).uuid());
    }

    #[test]
    fn uuid_round_trips_and_is_v4() {
        let mut r = SimRng::from_seed(1);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(uuid_text(&parse_uuid(&u).unwrap()), u);
        assert_eq!(parse_uuid("not-a-uuid"), None);
        assert_eq!(parse_uuid("1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4dx"), None);
        assert_eq!(parse_uuid("1a2b3c4d_5e6f-1a2b-3c4d-5e6f1a2b3c4d"), None);
    }

    #[test]
    fn iso8601_formats_cloudtrail_style() {
        assert_eq!(iso8601(1_550_570_469), "2019-02-19T10:01:09Z");
        assert_eq!(Clock::default().iso8601(), "2026-01-01T00:00:00Z");
        let mut c = Clock::default();
        c.advance_ms(61_000);
        assert_eq!(c.iso8601(), "2026-01-01T00:01:01Z");
    }
}
