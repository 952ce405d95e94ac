//! Runs a test command, passing its output through, and counts what its summary lines
//! say: libtest's (`cargo test`, the wasm-bindgen test runner) and Playwright's.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitStatus, Stdio};

use crate::Result;

/// Tests counted from a runner's summary lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// Which summary format a runner prints.
#[derive(Clone, Copy)]
pub enum Format {
    /// `test result: ok. 3 passed; 0 failed; 1 ignored; ...`
    Libtest,
    /// `  3 passed (2.1s)`, `  1 failed`, `  1 skipped`, `  1 flaky`
    Playwright,
    /// `1 failed, 12 passed, 1 skipped in 4.82s` (pytest's last line, `=`s around it
    /// unless `-q`)
    Pytest,
}

/// Runs `cmd` with stdout teed through us; stderr is inherited.
pub fn run(cmd: &mut Command, what: &str, format: Format) -> Result<(ExitStatus, Tally)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    let mut tally = Tally::default();
    if let Some(stdout) = child.stdout.take() {
        let out = std::io::stdout();
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            {
                let mut out = out.lock();
                let _ = out.write_all(&line);
                let _ = out.write_all(b"\n");
                let _ = out.flush();
            }
            tally += parse_line(&strip_ansi(&String::from_utf8_lossy(&line)), format);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("could not wait for {what}: {e}"))?;
    Ok((status, tally))
}

fn parse_line(line: &str, format: Format) -> Tally {
    let mut tally = Tally::default();
    match format {
        Format::Libtest => {
            let Some(rest) = line.trim().strip_prefix("test result: ") else {
                return tally;
            };
            // "ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s"
            let counts = rest.split_once(". ").map_or(rest, |(_, counts)| counts);
            for part in counts.split(';') {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                    if let Ok(n) = n.parse::<u64>() {
                        add(&mut tally, kind, n);
                    }
                }
            }
        }
        Format::Pytest => {
            let line = line.trim().trim_matches('=').trim();
            let Some((counts, time)) = line.rsplit_once(" in ") else {
                return tally;
            };
            if !time
                .split_whitespace()
                .next()
                .is_some_and(|t| t.ends_with('s'))
            {
                return tally;
            }
            let mut parsed = Tally::default();
            for part in counts.split(", ") {
                let mut words = part.split_whitespace();
                match (
                    words.next().and_then(|n| n.parse::<u64>().ok()),
                    words.next(),
                    words.next(),
                ) {
                    (Some(n), Some(kind), None) => add(&mut parsed, kind.trim_end_matches('s'), n),
                    _ => return tally,
                }
            }
            tally = parsed;
        }
        Format::Playwright => {
            let words: Vec<&str> = line.split_whitespace().collect();
            let duration_ok = words.get(2).is_none_or(|w| w.starts_with('('));
            if let (Some(n), Some(kind), true, true) =
                (words.first(), words.get(1), duration_ok, words.len() <= 3)
            {
                if let Ok(n) = n.parse::<u64>() {
                    add(&mut tally, kind, n);
                }
            }
        }
    }
    tally
}

fn add(tally: &mut Tally, kind: &str, n: u64) {
    match kind {
        "passed" | "flaky" => tally.passed += n,
        "failed" | "error" => tally.failed += n,
        "ignored" | "skipped" => tally.skipped += n,
        _ => {}
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_summaries() {
        let line = "test result: ok. 3 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(
            parse_line(line, Format::Libtest),
            Tally {
                passed: 3,
                failed: 1,
                skipped: 2
            }
        );
        assert_eq!(
            parse_line("test foo ... ok", Format::Libtest),
            Tally::default()
        );
    }

    #[test]
    fn reads_pytest_summaries() {
        let quiet = "1 failed, 12 passed, 1 skipped, 2 warnings in 4.82s";
        assert_eq!(
            parse_line(quiet, Format::Pytest),
            Tally {
                passed: 12,
                failed: 1,
                skipped: 1
            }
        );
        let framed = "===== 13 passed, 2 errors in 61.63s (0:01:01) =====";
        assert_eq!(
            parse_line(framed, Format::Pytest),
            Tally {
                passed: 13,
                failed: 2,
                skipped: 0
            }
        );
        assert_eq!(
            parse_line("test_moto.py passed in the end", Format::Pytest),
            Tally::default()
        );
    }

    #[test]
    fn reads_playwright_summaries() {
        assert_eq!(
            parse_line("  2 passed (3.1s)", Format::Playwright).passed,
            2
        );
        assert_eq!(parse_line("  1 failed", Format::Playwright).failed, 1);
        assert_eq!(
            parse_line("\u{1b}[31m  1 failed\u{1b}[39m", Format::Playwright),
            Tally::default()
        );
        assert_eq!(
            parse_line(
                &strip_ansi("\u{1b}[31m  1 failed\u{1b}[39m"),
                Format::Playwright
            )
            .failed,
            1
        );
        assert_eq!(
            parse_line(
                "  ✓  1 [chromium] › smoke.spec.ts:3:1 › page renders (1.2s)",
                Format::Playwright
            ),
            Tally::default()
        );
    }
}
