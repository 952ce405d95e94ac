//! The checker on the seeds' presets and their broken variants: verdicts, fixes that make
//! the flow pass, and warnings.

use super::*;
use crate::scenario::experiment::policy_presets;
use crate::scenario::presets;
use serde_json::json;

const ACCOUNT: &str = "111122223333";

fn report(policy: &str) -> Report {
    let doc = PolicyDocument::parse(policy).expect("a policy");
    check(policy, &names_from(&doc)).expect("checked")
}

fn verdict<'a>(r: &'a Report, slug: &str) -> &'a Verdict {
    r.verdicts
        .iter()
        .find(|v| v.slug == slug)
        .unwrap_or_else(|| {
            panic!(
                "no verdict {slug}: {:?}",
                r.verdicts.iter().map(|v| &v.slug).collect::<Vec<_>>()
            )
        })
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.warnings.iter().map(|w| w.code).collect()
}

/// Applying the fix makes the flow pass, and the report of the fixed policy agrees.
fn fix_passes(r: &Report, slug: &str) -> Report {
    let fix = verdict(r, slug)
        .fix
        .clone()
        .unwrap_or_else(|| panic!("{slug} has no fix"));
    let fixed = report(&fix.policy);
    assert!(
        verdict(&fixed, slug).allowed,
        "{slug} after {:?}: {:?}",
        fix.changes,
        verdict(&fixed, slug).refusal
    );
    fixed
}

fn preset(name: &str) -> String {
    policy_presets("us-east-1", ACCOUNT)
        .into_iter()
        .find(|(n, _)| n.starts_with(name))
        .map(|(_, p)| p)
        .expect("preset")
}

#[test]
fn the_ses_preset_allows_ses_and_nothing_else_it_does_not_name() {
    let r = report(&preset("SES receiving"));
    let ses = verdict(&r, "ses");
    assert!(ses.allowed, "{:?}", ses.refusal);
    let gdk = ses
        .calls
        .iter()
        .find(|c| c.action == "kms:GenerateDataKey")
        .expect("SES's call");
    assert_eq!(gdk.caller, "ses.amazonaws.com");
    assert_eq!(
        gdk.statements[0].sid.as_deref(),
        Some("AllowSESToEncryptMessagesBelongingToThisAccount")
    );
    // Root delegation + the flows' IAM policies let WorkMail and Location through; the
    // CloudTrail service principal has no IAM policy and no statement.
    assert!(verdict(&r, "workmail").allowed);
    let ct = verdict(&r, "cloudtrail");
    assert!(!ct.allowed);
    assert_eq!(
        ct.refusal.as_ref().map(|r| r.error.as_str()),
        Some("AccessDeniedException")
    );
    let fixed = fix_passes(&r, "cloudtrail");
    assert!(verdict(&fixed, "ses").allowed);
    // The documentation's SES statement binds the account through the context only.
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "MISSING_SOURCE_CONDITION")
        .expect("finding");
    assert_eq!(w.severity, Severity::Suggestion);
    assert!(!codes(&r).contains(&"LOCKOUT"));
}

#[test]
fn a_missing_ses_statement_is_refused_and_the_fix_adds_the_documented_one() {
    let policy = presets::policy_with(ACCOUNT, vec![]);
    let r = report(&policy);
    let ses = verdict(&r, "ses");
    assert!(!ses.allowed);
    let refusal = ses.refusal.as_ref().expect("refusal");
    assert_eq!(refusal.error, "AccessDeniedException");
    assert_eq!(refusal.call.as_deref(), Some("kms:GenerateDataKey"));
    assert!(refusal.caller.contains("ses.amazonaws.com"), "{refusal:?}");
    let fix = ses.fix.as_ref().expect("fix");
    assert!(
        fix.label
            .contains("AllowSESToEncryptMessagesBelongingToThisAccount"),
        "{fix:?}"
    );
    fix_passes(&r, "ses");
    // The scenario opens in the diagram at the refused call.
    let s = Scenario::from_value(&ses.scenario).expect("a scenario");
    let run = run(&s, None);
    assert!(run.trace.steps[ses.open_at].failed());
}

#[test]
fn a_wrong_account_in_the_ses_condition_is_fixed_by_changing_the_value() {
    let mut ses = presets::ses_statement("444455556666");
    ses["Sid"] = json!("SES for the wrong account");
    let r = report(&presets::policy_with(ACCOUNT, vec![ses]));
    let v = verdict(&r, "ses");
    assert!(!v.allowed);
    let refusal = v.refusal.as_ref().expect("refusal");
    let st = refusal
        .statement
        .as_ref()
        .expect("the statement meant for SES");
    assert_eq!(st.sid.as_deref(), Some("SES for the wrong account"));
    let failing: Vec<_> = st.conditions.iter().filter(|c| !c.matched).collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(
        failing[0].key,
        "kms:EncryptionContext:aws:ses:source-account"
    );
    assert_eq!(failing[0].expected, vec!["444455556666"]);
    assert_eq!(failing[0].actual, Some(vec![ACCOUNT.to_owned()]));
    let fix = v.fix.as_ref().expect("fix");
    assert!(
        fix.label.contains(
            "set StringEquals kms:EncryptionContext:aws:ses:source-account to 111122223333"
        ),
        "{fix:?}"
    );
    assert_eq!(fix.changes.len(), 1);
    fix_passes(&r, "ses");
}

#[test]
fn a_wrong_source_arn_for_cloudtrail_is_refused_with_expected_and_actual() {
    let policy = preset("CloudTrail").replace(
        "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance",
        "arn:aws:cloudtrail:us-west-2:111122223333:trail/other",
    );
    let doc = PolicyDocument::parse(&policy).expect("policy");
    let mut names = names_from(&doc);
    assert_eq!(names.trail, "other", "the trail comes from the policy");
    names.trail = "finance".into();
    let r = check(&policy, &names).expect("checked");
    let v = verdict(&r, "cloudtrail");
    assert!(!v.allowed);
    let c = v
        .refusal
        .as_ref()
        .and_then(|r| r.statement.as_ref())
        .expect("statement")
        .conditions
        .iter()
        .find(|c| !c.matched)
        .cloned()
        .expect("a failing condition");
    assert_eq!(c.key, "aws:SourceArn");
    assert_eq!(
        c.actual,
        Some(vec![
            "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance".to_owned()
        ])
    );
    let fix = v.fix.as_ref().expect("fix");
    let fixed = check(&fix.policy, &names).expect("checked");
    assert!(verdict(&fixed, "cloudtrail").allowed);
}

#[test]
fn kms_star_to_a_service_is_a_security_finding() {
    let r = report(&presets::policy_with(
        ACCOUNT,
        vec![
            json!({"Sid": "SES may do anything", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}),
        ],
    ));
    assert!(verdict(&r, "ses").allowed);
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "SERVICE_FULL_ACCESS")
        .expect("finding");
    assert_eq!(w.statement, Some(1));
    assert_eq!(w.severity, Severity::Security);
    let guard = r
        .warnings
        .iter()
        .find(|w| w.code == "MISSING_SOURCE_CONDITION")
        .expect("finding");
    assert_eq!(guard.severity, Severity::Security);
}

#[test]
fn the_workmail_managed_policy_and_the_location_preset() {
    let r = report(&preset("WorkMail"));
    assert!(
        verdict(&r, "workmail").allowed,
        "{:?}",
        verdict(&r, "workmail").refusal
    );
    // Statement 2 lets the root only read metadata: no one may change the policy.
    assert!(codes(&r).contains(&"LOCKOUT"), "{:?}", codes(&r));
    let r = report(&preset("Amazon Location"));
    assert_eq!(r.names.region, "us-west-2");
    assert!(
        verdict(&r, "location").allowed,
        "{:?}",
        verdict(&r, "location").refusal
    );
    let role = verdict(&r, "principal-role-locationteam");
    // It may create grants only through Amazon Location, which its flow does.
    assert!(role.allowed, "{:?}", role.refusal);
}

#[test]
fn a_principal_statement_with_a_context_condition_on_describekey_never_matches() {
    let policy = presets::policy_with(
        ACCOUNT,
        vec![json!({"Sid": "Describe with context", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/Auditor"}, "Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:team": "blue"}}})],
    );
    let r = report(&policy);
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "CONDITION_NEVER_MATCHES")
        .expect("finding");
    assert!(
        w.title.contains("DescribeKey") && !w.title.contains("Decrypt,"),
        "{}",
        w.title
    );
    let v = verdict(&r, "principal-role-auditor");
    assert!(!v.allowed);
    assert_eq!(
        v.refusal.as_ref().and_then(|r| r.call.as_deref()),
        Some("kms:DescribeKey")
    );
    fix_passes(&r, "principal-role-auditor");
}

#[test]
fn public_principal_and_unused_statements() {
    let r = report(&presets::policy_with(
        ACCOUNT,
        vec![
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}),
            json!({"Sid": "Never used", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}),
        ],
    ));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.code == "PUBLIC_PRINCIPAL" && w.statement == Some(1)));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.code == "UNUSED_STATEMENT" && w.statement == Some(2)));
    assert!(
        !r.warnings
            .iter()
            .any(|w| w.code == "UNUSED_STATEMENT" && w.statement == Some(0)),
        "root delegation is used"
    );
}

#[test]
fn an_explicit_deny_is_explained_and_not_fixed() {
    let r = report(&presets::policy_with(
        ACCOUNT,
        vec![
            presets::ses_statement(ACCOUNT),
            json!({"Sid": "No SES", "Effect": "Deny", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}),
        ],
    ));
    let v = verdict(&r, "ses");
    assert!(!v.allowed);
    assert_eq!(
        v.refusal
            .as_ref()
            .and_then(|r| r.statement.as_ref())
            .and_then(|s| s.sid.as_deref()),
        Some("No SES")
    );
    assert!(v.fix.is_none());
}

#[test]
fn bad_input_is_an_error_with_a_path_not_a_panic() {
    let names = Names::default();
    assert!(check("{", &names).is_err_and(|e| e.path.starts_with("line 1")));
    assert!(check(r#"{"Statement": []}"#, &names).is_err());
    assert!(
        check(
            r#"{"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}"#,
            &names
        )
        .is_err(),
        "a key policy statement names its principal"
    );
    let bad = Names {
        account: "x".into(),
        ..Names::default()
    };
    assert!(check(&preset("Default"), &bad).is_err_and(|e| e.path == "names"));
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn statement() -> impl Strategy<Value = serde_json::Value> {
        let principal = prop_oneof![
            Just(json!("*")),
            Just(json!({"AWS": "arn:aws:iam::111122223333:root"})),
            Just(json!({"AWS": "arn:aws:iam::111122223333:role/Admin"})),
            Just(json!({"AWS": "*"})),
            Just(json!({"Service": "ses.amazonaws.com"})),
            Just(json!({"Service": "cloudtrail.amazonaws.com"})),
        ];
        let action = prop_oneof![
            Just(json!("kms:*")),
            Just(json!(["kms:Encrypt", "kms:GenerateDataKey*"])),
            Just(json!("kms:Describe*")),
            Just(json!(["kms:CreateGrant", "kms:PutKeyPolicy"])),
            Just(json!("kms:Decrypt")),
        ];
        let condition = prop_oneof![
            Just(json!(null)),
            Just(json!({"StringEquals": {"kms:ViaService": "workmail.us-east-1.amazonaws.com"}})),
            Just(
                json!({"StringEquals": {"kms:EncryptionContext:aws:ses:source-account": "444455556666"}})
            ),
            Just(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}})
            ),
            Just(json!({"Null": {"kms:EncryptionContextKeys": "true"}})),
            Just(json!({"StringNotEquals": {"kms:CallerAccount": "111122223333"}})),
        ];
        (principal, action, condition, any::<bool>()).prop_map(|(p, a, c, allow)| {
            let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }, "Principal": p, "Action": a, "Resource": "*"});
            if !c.is_null() {
                s["Condition"] = c;
            }
            s
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn any_policy_of_these_parts_is_checked_and_every_fix_passes(statements in proptest::collection::vec(statement(), 1..4)) {
            let policy = serde_json::to_string(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap_or_default();
            let doc = PolicyDocument::parse(&policy).expect("a policy");
            let names = names_from(&doc);
            if let Ok(r) = check(&policy, &names) {
                for v in r.verdicts.iter().filter(|v| v.fix.is_some()) {
                    let fix = v.fix.as_ref().map(|f| f.policy.clone()).unwrap_or_default();
                    let fixed = check(&fix, &names).expect("a fixed policy is a policy");
                    let again = fixed.verdicts.iter().find(|w| w.slug == v.slug).expect("the same flow");
                    prop_assert!(again.allowed, "{} after {:?}", v.slug, v.fix);
                }
            }
        }
    }
}

#[test]
fn the_console_default_policy_gives_its_administrator_and_user_what_it_says() {
    // The policy the KMS console writes (key-consolepolicy-3) for one administrator and
    // one user; the persistent-resources statement is used through an AWS service.
    let r = report(include_str!("console-policy.json"));
    let admin = verdict(&r, "principal-role-keyadmin");
    assert_eq!(admin.title, "Key administrator: role/KeyAdmin");
    assert!(admin.allowed, "{:?}", admin.refusal);
    let user = verdict(&r, "principal-role-keyuser");
    assert_eq!(user.title, "Key user: role/KeyUser");
    assert!(user.allowed, "{:?}", user.refusal);
    let grant = user
        .calls
        .iter()
        .find(|c| c.action == "kms:CreateGrant")
        .expect("CreateGrant");
    assert_eq!(
        grant.statements[0].sid.as_deref(),
        Some("Allow attachment of persistent resources")
    );
    assert!(
        !r.warnings.iter().any(|w| w.code == "UNUSED_STATEMENT"),
        "{:?}",
        r.warnings
    );
}
