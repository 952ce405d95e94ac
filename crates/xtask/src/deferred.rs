//! `cargo xtask deferred-profile`: renews web/deferred-keep.txt, the functions that stay
//! in the page's first module when `cargo xtask dist` splits its wasm (`dist::split_page`).
//!
//! 1. `cargo xtask dist`, which leaves the page's module with its names in staging;
//! 2. binaryen's `wasm-split --instrument` of that module, served in place of the page's
//!    with the rest of dist/;
//! 3. Chromium loads it in a few visits (looked at, walked through its first flow, on a
//!    laptop and a phone, embedded; crates/xtask/bench/deferred-profile.mjs), and reads
//!    a profile out of each, merged into one;
//! 4. `wasm-split --profile` of the named module, whose symbol map names what the
//!    profile kept: those names are the list.

use std::fs;
use std::process::Command;

use crate::dist::{self, DEFERRED_KEEP_LIST, DEFERRED_WASM};
use crate::serve::StaticServer;
use crate::{dist_dir, prereq, root, run_status, target_dir, Result};

pub fn profile() -> Result<()> {
    let keep = root().join(DEFERRED_KEEP_LIST);
    if !keep.is_file() {
        // The first build splits everything off; the profile only needs the named module.
        fs::write(&keep, "").map_err(|e| format!("cannot write {}: {e}", keep.display()))?;
    }
    dist::build()?;
    let wasm_split = prereq::ensure_wasm_split()?;
    let named = dist::named_page_module();
    let work = target_dir().join("deferred-profile");
    dist::recreate_dir(&work)?;
    let site = work.join("site");
    dist::copy_tree(&dist_dir(), &site)?;
    // The instrumented module is the whole page: nothing is deferred.
    fs::remove_file(site.join(DEFERRED_WASM))
        .map_err(|e| format!("cannot remove the deferred module from the profile's site: {e}"))?;
    run_status(
        Command::new(&wasm_split)
            .args(dist::WASM_FEATURES)
            .arg("--instrument")
            .arg(&named)
            .arg("-o")
            .arg(site.join(dist::PAGE_WASM)),
        "wasm-split --instrument",
    )?;
    prereq::ensure_npm_packages()?;
    prereq::ensure_chromium()?;
    let server = StaticServer::start(&site, 0)?;
    let visits = work.join("visits");
    fs::create_dir_all(&visits).map_err(|e| format!("cannot create {}: {e}", visits.display()))?;
    run_status(
        Command::new("node")
            .current_dir(root())
            .arg(root().join("crates/xtask/bench/deferred-profile.mjs"))
            .arg(server.url())
            .arg(&visits),
        "the profile run in Chromium",
    )?;
    drop(server);
    let mut profiles = Vec::new();
    for entry in
        fs::read_dir(&visits).map_err(|e| format!("cannot list {}: {e}", visits.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        profiles.push(fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?);
    }
    let profile = work.join("page.profile");
    fs::write(&profile, merge_profiles(&profiles)?)
        .map_err(|e| format!("cannot write {}: {e}", profile.display()))?;
    let primary = work.join("primary.wasm");
    run_status(
        Command::new(&wasm_split)
            .args(dist::WASM_FEATURES)
            .arg(&named)
            .arg(format!("--profile={}", profile.display()))
            .arg("--symbolmap")
            .arg("-o1")
            .arg(&primary)
            .arg("-o2")
            .arg(work.join("deferred.wasm")),
        "wasm-split --profile",
    )?;
    let symbols = work.join("primary.wasm.symbols");
    let map = fs::read_to_string(&symbols)
        .map_err(|e| format!("cannot read {}: {e}", symbols.display()))?;
    let names = keep_list(&map);
    fs::write(&keep, names.join("\n") + "\n")
        .map_err(|e| format!("cannot write {}: {e}", keep.display()))?;
    println!(
        "deferred-profile: {} functions kept in the first module, written to {DEFERRED_KEEP_LIST}; \
         run `cargo xtask dist` to split by it",
        names.len()
    );
    Ok(())
}

/// One profile from several of wasm-split's (`--instrument`): an 8-byte hash of the module,
/// then one little-endian u32 per function, the order of its first call (0: never
/// called). The merge keeps the hash and, per function, the latest of the first calls, so
/// a function any visit ran is kept.
fn merge_profiles(profiles: &[Vec<u8>]) -> Result<Vec<u8>> {
    let first = profiles.first().ok_or("the profile run wrote no profile")?;
    if first.len() < 8 || (first.len() - 8) % 4 != 0 {
        return Err(format!(
            "a profile of {} bytes is not wasm-split's",
            first.len()
        ));
    }
    if profiles
        .iter()
        .any(|p| p.len() != first.len() || p[..8] != first[..8])
    {
        return Err("the profiles are of different modules".into());
    }
    let mut merged = first[..8].to_vec();
    for at in (8..first.len()).step_by(4) {
        let latest = profiles
            .iter()
            .map(|p| u32::from_le_bytes([p[at], p[at + 1], p[at + 2], p[at + 3]]))
            .max()
            .unwrap_or(0);
        merged.extend_from_slice(&latest.to_le_bytes());
    }
    Ok(merged)
}

/// The names of a wasm-split symbol map (`index:name` lines), sorted, without the
/// placeholders it made, which the next split makes again.
fn keep_list(map: &str) -> Vec<&str> {
    let mut names: Vec<&str> = map
        .lines()
        .filter_map(|line| line.split_once(':').map(|(_, name)| name))
        .filter(|name| !name.is_empty() && !name.starts_with("placeholder_"))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_any_visit_called_is_kept() {
        let hash = [1, 2, 3, 4, 5, 6, 7, 8];
        let profile = |calls: [u32; 3]| {
            let mut p = hash.to_vec();
            for c in calls {
                p.extend_from_slice(&c.to_le_bytes());
            }
            p
        };
        let merged = merge_profiles(&[profile([0, 5, 0]), profile([2, 0, 0])]).expect("merges");
        assert_eq!(merged, profile([2, 5, 0]));
        let mut other = profile([0, 0, 0]);
        other[0] = 9;
        assert!(merge_profiles(&[profile([1, 1, 1]), other]).is_err());
        assert!(merge_profiles(&[hash[..5].to_vec()]).is_err());
        assert!(merge_profiles(&[]).is_err());
    }

    #[test]
    fn the_list_is_the_symbol_names_sorted_once_each() {
        let map = "0:zeta::f::h1\n1:alpha::<impl core::fmt::Debug for (A, B)>::fmt::h2\n2:zeta::f::h1\n3:\nnot a symbol line\n";
        assert_eq!(
            keep_list(map),
            [
                "alpha::<impl core::fmt::Debug for (A, B)>::fmt::h2",
                "zeta::f::h1"
            ]
        );
    }
}
