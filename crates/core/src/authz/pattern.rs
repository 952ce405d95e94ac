//! Value matchers shared by the policy elements and condition operators: IAM's `*`/`?`
//! wildcards, ARN component matching, dates, numbers and CIDR blocks.
//!
//! Every function here takes user text on both sides, so none of them may panic: all
//! slice access goes through `get`, and arithmetic on parsed numbers is checked.

use std::net::IpAddr;

/// IAM wildcard match: `*` matches any run of characters (including none), `?` exactly
/// one character; everything else matches itself, case-sensitively.
///
/// Small inputs use greedy matching with single-star backtracking (never recursive, but
/// up to pattern × text steps: `*aaaa…b` against `aaaa…` retries the whole pattern at
/// every text position). Past [`GLOB_BACKTRACK_BUDGET`] such steps, a bit-parallel
/// automaton answers in text × pattern/64 word operations instead, so a 32 KB key policy
/// against a long encryption context value takes milliseconds, not seconds.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        // One byte is one character: match the bytes, with no copy.
        return glob_match_units(pattern.as_bytes(), text.as_bytes(), |b| b);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_match_units(&p, &t, |c| c)
}

/// [`glob_match`] on characters (or, for ASCII, bytes, or [`Unit`]s), each unit compared
/// after `fold` (the identity, or ASCII lower case to ignore case): the units that say
/// so ([`Wildcards`]) are the wildcards.
fn glob_match_units<C: Copy + Ord + Wildcards>(p: &[C], t: &[C], fold: fn(C) -> C) -> bool {
    if p.len().saturating_mul(t.len()) > GLOB_BACKTRACK_BUDGET {
        let p: Vec<C> = p.iter().map(|&c| fold(c)).collect();
        let t: Vec<C> = t.iter().map(|&c| fold(c)).collect();
        return glob_match_bitparallel(&p, &t);
    }
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` seen and the text position it was tried at.
    let mut backtrack: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some(&pc) if pc.star() => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(&pc) if pc.question() || fold(pc) == fold(tc) => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((star_pi, star_ti)) => {
                    // Let the last `*` swallow one more character and retry.
                    pi = star_pi + 1;
                    ti = star_ti + 1;
                    backtrack = Some((star_pi, star_ti + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| c.star()))
}

/// The units a pattern is matched in: characters, the bytes of ASCII text, or
/// [`Unit`]s (a pattern in which some `*` and `?` are literal).
trait Wildcards {
    fn star(self) -> bool;
    fn question(self) -> bool;
}

impl Wildcards for char {
    fn star(self) -> bool {
        self == '*'
    }
    fn question(self) -> bool {
        self == '?'
    }
}

impl Wildcards for u8 {
    fn star(self) -> bool {
        self == b'*'
    }
    fn question(self) -> bool {
        self == b'?'
    }
}

/// One unit of a pattern whose wildcards are marked rather than written: what a policy
/// value becomes once its policy variables are substituted. The policy's own `*` and `?`
/// stay wildcards; a character that came from a variable's value, or from `${*}`, `${?}`
/// or `${$}`, is matched literally (IAM User Guide, *IAM policy elements: Variables and
/// tags*, "Special characters": "inserting an * asterisk in the string would be
/// interpreted as a wildcard ... In these cases, you can use the following predefined
/// policy variables").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Unit {
    /// This character, literally.
    Char(char),
    /// `*`: any run of characters.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

impl Wildcards for Unit {
    fn star(self) -> bool {
        self == Unit::AnyRun
    }
    fn question(self) -> bool {
        self == Unit::AnyOne
    }
}

impl Unit {
    /// The units of policy text, where `*` and `?` are wildcards.
    pub(crate) fn pattern(text: &str) -> impl Iterator<Item = Unit> + '_ {
        text.chars().map(|c| match c {
            '*' => Unit::AnyRun,
            '?' => Unit::AnyOne,
            c => Unit::Char(c),
        })
    }

    /// The units of literal text.
    pub(crate) fn literal(text: &str) -> impl Iterator<Item = Unit> + '_ {
        text.chars().map(Unit::Char)
    }

    /// The character this unit is written as.
    pub(crate) fn as_char(self) -> char {
        match self {
            Unit::Char(c) => c,
            Unit::AnyRun => '*',
            Unit::AnyOne => '?',
        }
    }
}

/// [`glob_match`] for a pattern of [`Unit`]s.
pub(crate) fn glob_match_pattern(pattern: &[Unit], text: &str) -> bool {
    let t: Vec<Unit> = Unit::literal(text).collect();
    glob_match_units(pattern, &t, |u| u)
}

/// [`arn_match`] for a pattern of [`Unit`]s: the pattern splits into its six components at
/// its first five colons, whether written in the policy or substituted.
pub(crate) fn arn_match_pattern(pattern: &[Unit], value: &str) -> bool {
    let mut components: Vec<&[Unit]> = Vec::with_capacity(6);
    let mut rest = pattern;
    while components.len() < 5 {
        match rest.iter().position(|u| *u == Unit::Char(':')) {
            Some(at) => {
                components.push(&rest[..at]);
                rest = &rest[at + 1..];
            }
            None => return false,
        }
    }
    components.push(rest);
    if value.splitn(6, ':').count() != 6 {
        return false;
    }
    components
        .iter()
        .zip(value.splitn(6, ':'))
        .all(|(p, v)| glob_match_pattern(p, v))
}

/// [`resource_match`] for a pattern of [`Unit`]s.
pub(crate) fn resource_match_pattern(pattern: &[Unit], resource: &str) -> bool {
    let colons = pattern.iter().filter(|u| **u == Unit::Char(':')).count();
    if colons >= 5 {
        arn_match_pattern(pattern, resource)
    } else {
        glob_match_pattern(pattern, resource)
    }
}

/// Pattern length × text length above which [`glob_match`] stops backtracking.
const GLOB_BACKTRACK_BUDGET: usize = 1 << 16;

/// [`glob_match`] as a bit-parallel NFA (shift-and): bit `i` of the state says "the first
/// `i` pattern characters match the text read so far". Each text character costs one pass
/// over `pattern.len() / 64 + 1` words, plus, for a literal that occurs at most that many
/// times in the pattern, one bit test per occurrence (literals occurring more often, at
/// most 64 of them, get a dense mask), so time and memory stay linear in the pattern
/// whatever its alphabet.
fn glob_match_bitparallel<C: Copy + Ord + Wildcards>(pattern: &[C], text: &[C]) -> bool {
    use std::collections::BTreeMap;
    enum Positions {
        Dense(Vec<u64>),
        Sparse(Vec<usize>),
    }
    fn set(bits: &mut [u64], i: usize) {
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn get(bits: &[u64], i: usize) -> bool {
        bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    // A run of `*` matches what one `*` matches; with no two stars adjacent, one shift
    // is the whole epsilon closure below.
    let mut p: Vec<C> = Vec::with_capacity(pattern.len());
    for &c in pattern {
        if !(c.star() && p.last().is_some_and(|l| l.star())) {
            p.push(c);
        }
    }
    let words = p.len() / 64 + 1; // bits 0..=p.len()
    let mut stars = vec![0u64; words];
    let mut any = vec![0u64; words];
    let mut by_char: BTreeMap<C, Vec<usize>> = BTreeMap::new();
    for (i, &c) in p.iter().enumerate() {
        if c.star() {
            set(&mut stars, i);
        } else if c.question() {
            set(&mut any, i);
        } else {
            by_char.entry(c).or_default().push(i);
        }
    }
    let literals: BTreeMap<C, Positions> = by_char
        .into_iter()
        .map(|(c, at)| {
            if at.len() > words {
                let mut mask = vec![0u64; words];
                for &i in &at {
                    set(&mut mask, i);
                }
                (c, Positions::Dense(mask))
            } else {
                (c, Positions::Sparse(at))
            }
        })
        .collect();
    // A state at a `*` also stands just past it (the star matching nothing).
    let close = |bits: &mut [u64]| {
        let mut carry = 0u64;
        for (w, s) in bits.iter_mut().zip(&stars) {
            let at_star = *w & s;
            *w |= (at_star << 1) | carry;
            carry = at_star >> 63;
        }
    };
    let mut state = vec![0u64; words];
    set(&mut state, 0);
    close(&mut state);
    let mut next = vec![0u64; words];
    for c in text {
        let literal = literals.get(c);
        let mut carry = 0u64;
        for (w, n) in next.iter_mut().enumerate() {
            let (s, a, st) = (state[w], any[w], stars[w]);
            let mut advance = s & a;
            if let Some(Positions::Dense(mask)) = literal {
                advance |= s & mask[w];
            }
            // Advance past `?` / a matching literal; stay on a `*`, which eats the char.
            *n = (advance << 1) | carry | (s & st);
            carry = advance >> 63;
        }
        if let Some(Positions::Sparse(at)) = literal {
            for &i in at {
                if get(&state, i) {
                    set(&mut next, i + 1);
                }
            }
        }
        close(&mut next);
        std::mem::swap(&mut state, &mut next);
        if state.iter().all(|&w| w == 0) {
            return false;
        }
    }
    get(&state, p.len())
}

/// [`glob_match`] ignoring case, as IAM compares action names ("kms:decrypt" is
/// "kms:Decrypt").
pub(crate) fn glob_match_ignore_case(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern.is_ascii() && text.is_ascii() {
        if !pattern.contains(['*', '?']) {
            return pattern.eq_ignore_ascii_case(text);
        }
        return glob_match_units(pattern.as_bytes(), text.as_bytes(), |b| {
            b.to_ascii_lowercase()
        });
    }
    glob_match(&pattern.to_lowercase(), &text.to_lowercase())
}

/// `ArnLike` / `ArnEquals`: both values split into the six colon-separated ARN
/// components (the sixth keeps any further colons) and each component is matched on its
/// own, with wildcards allowed per component. A value with fewer than six components is
/// not an ARN and never matches.
pub(crate) fn arn_match(pattern: &str, value: &str) -> bool {
    if pattern.splitn(6, ':').count() != 6 || value.splitn(6, ':').count() != 6 {
        return false;
    }
    pattern
        .splitn(6, ':')
        .zip(value.splitn(6, ':'))
        .all(|(p, v)| glob_match(p, v))
}

/// Matches a `Resource` element entry against the requested resource: component-wise
/// when the entry is written as a full ARN, otherwise (e.g. `"*"`) as a plain wildcard.
pub(crate) fn resource_match(pattern: &str, resource: &str) -> bool {
    if pattern.splitn(6, ':').count() == 6 {
        arn_match(pattern, resource)
    } else {
        glob_match(pattern, resource)
    }
}

/// Numeric condition value: IAM accepts integers and decimals.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Date condition value, as milliseconds since the Unix epoch. IAM accepts epoch seconds
/// or ISO 8601 (`2013-12-15`, `2013-12-15T12:00:00Z`, with optional fractional seconds
/// and a `Z`/`±hh:mm` offset; no offset means UTC).
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let mut i = 10;
    if matches!(b.get(i), Some(b'T') | Some(b't')) {
        let hour = digits(b, i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let minute = digits(b, i + 4, 2)?;
        i += 6;
        let mut second = 0;
        if b.get(i) == Some(&b':') {
            second = digits(b, i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                i += 1;
                let start = i;
                let mut fraction_ms = 0i64;
                while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                    if i - start < 3 {
                        fraction_ms = fraction_ms * 10 + i64::from(d - b'0');
                    }
                    i += 1;
                }
                if i == start {
                    return None;
                }
                for _ in (i - start)..3 {
                    fraction_ms *= 10;
                }
                millis += fraction_ms;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        millis += ((hour * 60 + minute) * 60 + second) * 1000;
    }
    match b.get(i) {
        None => Some(millis),
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => Some(millis),
        Some(&sign) if sign == b'+' || sign == b'-' => {
            let hours = digits(b, i + 1, 2)?;
            let rest = if b.get(i + 3) == Some(&b':') {
                i + 4
            } else {
                i + 3
            };
            let minutes = digits(b, rest, 2)?;
            if rest + 2 != b.len() || hours > 23 || minutes > 59 {
                return None;
            }
            let offset = (hours * 60 + minutes) * 60_000;
            Some(if sign == b'+' {
                millis - offset
            } else {
                millis + offset
            })
        }
        Some(_) => None,
    }
}

/// Parses `len` ASCII digits starting at `at`.
fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let slice = b.get(at..at.checked_add(len)?)?;
    slice.iter().try_fold(0i64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `IpAddress`: is `ip` inside `cidr` (`203.0.113.0/24`, `2001:db8::/32`, or a bare
/// address meaning a single host)? An IPv4 address never falls in an IPv6 block.
pub(crate) fn ip_in_cidr(cidr: &str, ip: &str) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let (net, prefix) = match cidr.split_once('/') {
        Some((net, prefix)) => match prefix.parse::<u32>() {
            Ok(prefix) => (net, Some(prefix)),
            Err(_) => return false,
        },
        None => (cidr, None),
    };
    match (net.parse::<IpAddr>(), ip) {
        (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
            let prefix = prefix.unwrap_or(32);
            prefix <= 32 && {
                let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
        }
        (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
            let prefix = prefix.unwrap_or(128);
            prefix <= 128 && {
                let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_wildcards() {
        assert!(glob_match("kms:ReEncrypt*", "kms:ReEncryptFrom"));
        assert!(glob_match("kms:ReEncrypt*", "kms:ReEncrypt"));
        assert!(!glob_match("kms:ReEncrypt*", "kms:Decrypt"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*a*b*", "xxaxxbxx"));
        assert!(!glob_match("*a*b", "xxaxxbxxc"));
        assert!(!glob_match("", "a"));
        assert!(glob_match("", ""));
        assert!(!glob_match("abc", "ABC"));
        assert!(glob_match_ignore_case("KMS:describe*", "kms:DescribeKey"));
    }

    /// Found by fuzzing (fuzz target `kms_request`): a key policy `StringLike` pattern
    /// `*aaaa…b` against an encryption context value `aaaa…` made the backtracking matcher
    /// retry the whole pattern at every text position, seconds per request (minutes for a
    /// 1 MiB scenario). Large inputs now go through the bit-parallel matcher.
    #[test]
    fn glob_long_pattern_and_text_takes_the_automaton_path() {
        // Past the backtracking budget (pattern × text > 2^16) the automaton answers; its
        // speed is the fuzz target's business (a 1 s timeout per input), not a timed test.
        let pattern = format!("*{}b", "a".repeat(400));
        let text = "a".repeat(800);
        assert!(pattern.len() * text.len() > GLOB_BACKTRACK_BUDGET);
        assert!(!glob_match(&pattern, &text));
        assert!(glob_match(&pattern, &format!("{text}b")));
        let text = "a".repeat(5_000);
        assert!(glob_match(&format!("*{}?", "a".repeat(2_000)), &text));
        assert!(!glob_match(&format!("*{}?b", "?a".repeat(1_000)), &text));
    }

    /// The bit-parallel matcher and the backtracking one agree.
    #[test]
    fn glob_bitparallel_agrees_with_backtracking_on_fixed_cases() {
        let cases = [
            ("", ""),
            ("", "a"),
            ("*", ""),
            ("**", "abc"),
            ("a?c", "abc"),
            ("a?c", "ac"),
            ("*a*b*", "xxaxxbxx"),
            ("*a*b", "xxaxxbxxc"),
            ("a*", "a"),
            ("*?", ""),
            ("?*?", "ab"),
            ("kms:ReEncrypt*", "kms:ReEncryptFrom"),
            ("é*ü", "éxü"),
        ];
        for (p, t) in cases {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            assert_eq!(
                glob_match_bitparallel(&pc, &tc),
                glob_match(p, t),
                "pattern {p:?} text {t:?}"
            );
        }
        // Patterns past 64 characters, with literals dense and sparse.
        let long = format!("{}*{}?b*", "ab".repeat(70), "a".repeat(100));
        for t in [
            format!("{}{}xb", "ab".repeat(70), "a".repeat(100)),
            format!("{}z{}xbq", "ab".repeat(70), "a".repeat(100)),
            format!("{}{}b", "ab".repeat(70), "a".repeat(100)),
        ] {
            let (pc, tc): (Vec<char>, Vec<char>) = (long.chars().collect(), t.chars().collect());
            assert_eq!(
                glob_match_bitparallel(&pc, &tc),
                glob_match(&long, &t),
                "{t}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn glob_bitparallel_agrees_with_backtracking(
            p in "[ab?*]{0,80}",
            t in "[abc]{0,120}",
        ) {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            // Both inputs are small enough that `glob_match` backtracks.
            proptest::prop_assert!(pc.len() * tc.len() <= GLOB_BACKTRACK_BUDGET);
            proptest::prop_assert_eq!(glob_match_bitparallel(&pc, &tc), glob_match(&p, &t));
        }

        /// Ignoring case on ASCII bytes is lower-casing both sides, on every path (exact,
        /// backtracking, automaton), and so is the non-ASCII path.
        #[test]
        fn ignoring_case_is_lower_casing_both_sides(
            p in "[aAbB?*:]{0,300}",
            t in "[aAbBcC:é]{0,300}",
        ) {
            let folded: Vec<char> = p.to_lowercase().chars().collect();
            let text: Vec<char> = t.to_lowercase().chars().collect();
            proptest::prop_assert_eq!(
                glob_match_ignore_case(&p, &t),
                glob_match_bitparallel(&folded, &text)
            );
        }
    }

    #[test]
    fn arn_components_are_matched_separately() {
        let trail = "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance";
        assert!(arn_match(
            "arn:aws:cloudtrail:*:111122223333:trail/*",
            trail
        ));
        assert!(!arn_match(
            "arn:aws:cloudtrail:*:444455556666:trail/*",
            trail
        ));
        // A `*` cannot swallow the colon between region and account.
        assert!(!arn_match("arn:aws:cloudtrail:*:trail/*", trail));
        assert!(!arn_match("*", trail));
        assert!(!arn_match(trail, "not-an-arn"));
        // The resource part keeps its own colons.
        assert!(arn_match(
            "arn:aws:logs:*:*:log-group:x:*",
            "arn:aws:logs:r:a:log-group:x:1"
        ));
    }

    #[test]
    fn resource_star_and_arns() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234";
        assert!(resource_match("*", key));
        assert!(resource_match("arn:aws:kms:*:111122223333:key/*", key));
        assert!(!resource_match("arn:aws:kms:*:444455556666:key/*", key));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("0"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date("2013-12-15T12:00:00Z"), Some(1_387_108_800_000));
        assert_eq!(
            parse_date("2013-12-15T13:00:00+01:00"),
            Some(1_387_108_800_000)
        );
        assert_eq!(
            parse_date("2013-12-15T12:00:00.5Z"),
            Some(1_387_108_800_500)
        );
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2013-13-01"), None);
        assert_eq!(parse_date("2013-12-15T12:00:00Q"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn cidr_blocks() {
        assert!(ip_in_cidr("203.0.113.0/24", "203.0.113.7"));
        assert!(!ip_in_cidr("203.0.113.0/24", "203.0.114.7"));
        assert!(ip_in_cidr("0.0.0.0/0", "8.8.8.8"));
        assert!(ip_in_cidr("203.0.113.7", "203.0.113.7"));
        assert!(!ip_in_cidr("203.0.113.0/33", "203.0.113.7"));
        assert!(ip_in_cidr("2001:db8::/32", "2001:db8::1"));
        assert!(!ip_in_cidr("2001:db8::/32", "203.0.113.7"));
        assert!(!ip_in_cidr("garbage", "203.0.113.7"));
    }
}
