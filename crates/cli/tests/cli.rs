//! The `kmsplay` binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kmsplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsplay"))
        .args(args)
        .output()
        .expect("run kmsplay")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn the_shared_example_runs_as_written() {
    let path = fixture("context-and-grants.json");
    // The fixture is a verbatim copy of ../shared/examples/context-and-grants.json; when the
    // shared folder is beside the checkout, check the copy has not drifted.
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/examples/context-and-grants.json");
    if let Ok(original) = std::fs::read_to_string(&shared) {
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            original,
            "the fixture differs from shared/examples"
        );
    }
    let out = kmsplay(&["run", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("6 expectations met, 0 failed"), "{stdout}");
}

#[test]
fn every_builtin_passes_and_json_is_byte_identical() {
    let list = String::from_utf8(kmsplay(&["scenarios"]).stdout).unwrap();
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(names.len() >= 13, "{list}");
    assert_eq!(names[0], "workmail-basics");
    for name in names {
        let a = kmsplay(&["run", name, "--json"]);
        assert!(
            a.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&a.stdout)
        );
        let b = kmsplay(&["run", name, "--json"]);
        assert_eq!(a.stdout, b.stdout, "{name}: two runs differ");
        let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
        assert_eq!(v["scenario"], name);
        assert!(v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["expectation"] != "failed"));
        assert!(!v["cloudtrail"].as_array().unwrap().is_empty() || name == "nothing");
    }
}

#[test]
fn a_ciphertext_from_one_run_decrypts_in_a_fresh_run_with_the_same_seed() {
    let out = kmsplay(&["run", "encryption-context", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let blob = v["steps"][1]["ok"]["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_owned();
    let scenario = serde_json::json!({
        "seed": 1,
        "principals": {"admin": {"arn": "arn:aws:iam::111122223333:role/KeyAdmin", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]}},
        "steps": [
            {"call": "kms:CreateKey", "as": "admin", "request": {"Description": "example key", "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT"}},
            {"call": "kms:Decrypt", "as": "admin", "request": {"CiphertextBlob": blob, "EncryptionContext": {"tenant": "blue", "purpose": "demo"}}, "expect": {"ok": {"Plaintext": "aGVsbG8gd29ybGQ="}}}
        ]
    });
    let dir = std::env::temp_dir().join(format!("kmsplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fresh.json");
    std::fs::write(&file, scenario.to_string()).unwrap();
    let out = kmsplay(&["run", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A different seed makes a different key: the same blob names a key that does not
    // exist there, which KMS answers as AWS does.
    let out = kmsplay(&["run", file.to_str().unwrap(), "--seed", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "AccessDeniedException: The ciphertext refers to a customer master key that does not exist"
    ));
}

#[test]
fn malformed_scenarios_are_rejected_with_the_path() {
    let dir = std::env::temp_dir().join(format!("kmsplay-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("{ not json", "line 1"),
        (
            r#"{"steps": [{"call": "kms:Frobnicate"}]}"#,
            "steps[0].call",
        ),
        (
            r#"{"steps": [{"call": "kms:Decrypt", "request": {"CiphertextBlob": "${nope.CiphertextBlob}"}}]}"#,
            "steps[0].request.CiphertextBlob",
        ),
        (
            r#"{"steps": [{"id": "a", "call": "kms:Decrypt", "request": {"CiphertextBlob": "${a.CiphertextBlob}"}}]}"#,
            "its own step",
        ),
        (
            r#"{"steps": [{"call": "kms:ListKeys", "as": "ghost"}]}"#,
            "steps[0].as",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let f = dir.join(format!("bad{i}.json"));
        std::fs::write(&f, text).unwrap();
        let out = kmsplay(&["run", f.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{text}: {err}");
    }
    assert_eq!(
        kmsplay(&["run", "no-such-file-or-builtin"]).status.code(),
        Some(2)
    );
    assert_eq!(kmsplay(&["show", "nope"]).status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&kmsplay(&["show", "ses-receive"]).stdout)
            .contains("\"name\": \"ses-receive\"")
    );
}

/// A reader that stops early (`kmsplay run … | head -1`) ends the output, not in a panic.
#[test]
fn a_closed_stdout_is_not_a_crash() {
    for args in [
        &["run", "workmail-cache"][..],
        &["run", "workmail-cache", "--json"],
        &["scenarios"],
        &["show", "ses-receive"],
        &["code", "key-rotation"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmsplay"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kmsplay starts");
        // Close the read end at once: every write then fails with EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("kmsplay ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}
