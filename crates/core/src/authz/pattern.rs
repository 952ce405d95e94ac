//! Value matchers shared by the policy elements and condition operators: IAM's `*`/`?`
//! wildcards, ARN component matching, dates, numbers and CIDR blocks.
//!
//! Every function here takes user text on both sides, so none of them may panic: all
//! slice access goes through `get`, and arithmetic on parsed numbers is checked.

use std::net::IpAddr;

/// IAM wildcard match: `*` matches any run of characters (including none), `?` exactly
/// one character; everything else matches itself, case-sensitively.
///
/// Greedy matching with single-star backtracking: linear in practice, never recursive.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` seen and the text position it was tried at.
    let mut backtrack: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(&pc) if pc == '?' || pc == tc => {
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
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// [`glob_match`] ignoring case, as IAM compares action names ("kms:decrypt" is
/// "kms:Decrypt").
pub(crate) fn glob_match_ignore_case(pattern: &str, text: &str) -> bool {
    glob_match(&pattern.to_lowercase(), &text.to_lowercase())
}

/// `ArnLike` / `ArnEquals`: both values split into the six colon-separated ARN
/// components (the sixth keeps any further colons) and each component is matched on its
/// own, with wildcards allowed per component. A value with fewer than six components is
/// not an ARN and never matches.
pub(crate) fn arn_match(pattern: &str, value: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let v: Vec<&str> = value.splitn(6, ':').collect();
    p.len() == 6 && v.len() == 6 && p.iter().zip(&v).all(|(p, v)| glob_match(p, v))
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
