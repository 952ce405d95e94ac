//! The combination rule of the authorizer, case by case, each following the AWS page it
//! cites. Every case checks that the fast decision and the explained one agree.
//!
//! - Cross-account: AWS KMS developer guide, *Allowing users in other accounts to use a KMS
//!   key* (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>):
//!   "Neither the key policy nor the IAM policy alone is sufficient".
//! - IAM User Guide, *Cross-account policy evaluation logic*
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>).
//! - IAM User Guide, *Policy evaluation logic*
//!   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//!   SCPs, permissions boundaries, session policies.

use super::authorizer::*;
use super::caller::Caller;
use super::context::RequestContext;
use super::grant::{Grant, GrantConstraints, NewGrant};
use super::policy::{parse_policy, PolicyDocument, PolicyKind};
use crate::context::EncryptionContext;
use serde_json::{json, Value};

const KEY_ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ALICE: &str = "arn:aws:iam::444455556666:user/Alice";

fn key_policy(statements: Value) -> PolicyDocument {
    parse_policy(
        &json!({"Version": "2012-10-17", "Statement": statements}),
        PolicyKind::Resource,
    )
    .unwrap()
}

fn iam(statements: Value) -> PolicyDocument {
    parse_policy(
        &json!({"Version": "2012-10-17", "Statement": statements}),
        PolicyKind::Identity,
    )
    .unwrap()
}

/// The default key policy: the key's account root, which enables IAM policies.
fn own_root() -> Value {
    json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
           "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
           "Action": "kms:*", "Resource": "*"})
}

fn allow_decrypt() -> PolicyDocument {
    iam(json!([{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}]))
}

/// Decides `kms:Decrypt` on [`KEY`] by `caller`, checking that both paths agree.
fn decide_for(
    caller: &Caller,
    key: &PolicyDocument,
    policies: &CallerPolicies<'_>,
    grants: &[&Grant],
    ctx: RequestContext,
) -> Decision {
    let req = AuthRequest {
        caller,
        context: &ctx,
        grant_operation: "Decrypt",
        resource_account: KEY_ACCOUNT,
        encryption_context: None,
        new_grant: None,
    };
    let d = decide(&req, Some(key), policies, grants);
    assert_eq!(
        decide_outcome(&req, Some(key), policies, grants),
        d.outcome,
        "fast and explained decisions agree: {}",
        d.reason
    );
    d
}

fn decrypt(caller: &Caller, key: &PolicyDocument, policies: &CallerPolicies<'_>) -> Decision {
    let ctx = RequestContext::new(caller.principal.clone(), "kms:Decrypt", KEY)
        .with("kms:CallerAccount", caller.account().unwrap_or_default());
    decide_for(caller, key, policies, &[], ctx)
}

fn verdict_of(d: &Decision, t: PolicyType) -> Option<Verdict> {
    d.policy_types
        .iter()
        .find(|r| r.policy_type == t)
        .map(|r| r.verdict)
}

/// Issue case 1: an external user named directly in the key policy, with no IAM policy of
/// its own, is denied; its account's missing policy is named.
#[test]
fn external_user_named_in_key_policy_needs_its_own_iam_policy() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root(), {"Sid": "Alice", "Effect": "Allow",
        "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*"}]));
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&[]));
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(d.decided_by(), Some(PolicyType::IdentityPolicy));
    assert_eq!(d.missing_in_account.as_deref(), Some(OTHER));
    assert!(d.reason.contains("account 444455556666"), "{}", d.reason);
    assert_eq!(verdict_of(&d, PolicyType::KeyPolicy), Some(Verdict::Allow));
    assert_eq!(
        verdict_of(&d, PolicyType::IdentityPolicy),
        Some(Verdict::NoAllow)
    );
    assert!(
        d.aws_denial()
            .ends_with("because no identity-based policy allows the kms:Decrypt action"),
        "{}",
        d.aws_denial()
    );

    // With an IAM policy that allows, both accounts allow.
    let allow = [allow_decrypt()];
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&allow));
    assert_eq!(d.outcome, Outcome::Allowed, "{}", d.reason);
}

/// Issue case 1, with an explicit deny in the external account: "an explicit deny in any
/// of these policies overrides the allow".
#[test]
fn an_explicit_deny_in_the_external_account_wins() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root(), {"Effect": "Allow",
        "Principal": {"AWS": ALICE}, "Action": "kms:Decrypt", "Resource": "*"}]));
    let deny = [iam(
        json!([{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]),
    )];
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&deny));
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert_eq!(d.decided_by(), Some(PolicyType::IdentityPolicy));
    assert_eq!(
        verdict_of(&d, PolicyType::IdentityPolicy),
        Some(Verdict::Deny)
    );
    assert!(
        d.aws_denial()
            .ends_with("with an explicit deny in an identity-based policy"),
        "{}",
        d.aws_denial()
    );
}

/// Issue case 2: `Principal: "*"` with `kms:CallerAccount` reaches an external user, who
/// still needs its own IAM policy.
#[test]
fn wildcard_principal_with_caller_account_needs_the_external_iam_policy() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root(), {"Effect": "Allow", "Principal": "*",
        "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": OTHER}}}]));
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&[]));
    assert_eq!(d.outcome, Outcome::ImplicitDeny, "{}", d.reason);
    assert_eq!(d.missing_in_account.as_deref(), Some(OTHER));
    let allow = [allow_decrypt()];
    assert!(decrypt(&alice, &key, &CallerPolicies::identity(&allow)).is_allowed());
}

/// Issue case 3: the correct setup, the external account root in the key policy plus an
/// IAM allow in that account, is allowed; the explanation names both accounts.
#[test]
fn external_root_in_key_policy_plus_iam_allow_is_allowed() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root(), {"Sid": "External", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]));
    let allow = [allow_decrypt()];
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&allow));
    assert_eq!(d.outcome, Outcome::Allowed, "{}", d.reason);
    assert_eq!(d.decided_by(), Some(PolicyType::KeyPolicy));
    assert!(
        d.reason.contains(KEY_ACCOUNT) && d.reason.contains(OTHER),
        "{}",
        d.reason
    );
    let key_row = d
        .policy_types
        .iter()
        .find(|r| r.policy_type == PolicyType::KeyPolicy)
        .unwrap();
    assert_eq!(key_row.account, KEY_ACCOUNT);
    let iam_row = d
        .policy_types
        .iter()
        .find(|r| r.policy_type == PolicyType::IdentityPolicy)
        .unwrap();
    assert_eq!(
        (iam_row.account.as_str(), iam_row.verdict),
        (OTHER, Verdict::Allow)
    );

    // Without the IAM policy: the external account's policy is missing.
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&[]));
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(d.missing_in_account.as_deref(), Some(OTHER));
}

/// The other classic mistake: an IAM allow in the external account, but a key policy that
/// does not name it. The key's account is the one missing a policy.
#[test]
fn iam_allow_without_the_key_policy_is_denied_naming_the_key_account() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root()]));
    let allow = [allow_decrypt()];
    let d = decrypt(&alice, &key, &CallerPolicies::identity(&allow));
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(d.decided_by(), Some(PolicyType::KeyPolicy));
    assert_eq!(d.missing_in_account.as_deref(), Some(KEY_ACCOUNT));
    assert!(d
        .aws_denial()
        .ends_with("because no resource-based policy allows the kms:Decrypt action"));
}

/// The external account's root user has every permission of its own account: the key
/// policy naming its account is enough for it.
#[test]
fn external_root_user_needs_only_the_key_policy() {
    let root = Caller::root(OTHER);
    let key = key_policy(json!([own_root(), {"Effect": "Allow",
        "Principal": {"AWS": OTHER}, "Action": "kms:Decrypt", "Resource": "*"}]));
    let d = decrypt(&root, &key, &CallerPolicies::identity(&[]));
    assert_eq!(d.outcome, Outcome::Allowed, "{}", d.reason);
}

/// Within the key's account, a user named directly in the key policy needs no IAM policy
/// ("the key policy alone" suffices, developer guide, *Determining access*).
#[test]
fn same_account_user_named_in_key_policy_needs_no_iam_policy() {
    let bob = Caller::iam("arn:aws:iam::111122223333:user/Bob");
    let key = key_policy(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
        "Action": "kms:Decrypt", "Resource": "*"}]));
    let d = decrypt(&bob, &key, &CallerPolicies::identity(&[]));
    assert_eq!(d.outcome, Outcome::Allowed, "{}", d.reason);
    assert_eq!(d.decided_by(), Some(PolicyType::KeyPolicy));
    assert_eq!(d.missing_in_account, None);
}

/// A grant to an external principal allows without an IAM policy ("or use grants"), but
/// an explicit deny in its account still wins.
#[test]
fn grants_allow_external_principals_unless_their_account_denies() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root()]));
    let grant = Grant {
        grant_id: "g".repeat(64),
        grant_token: String::new(),
        key_arn: KEY.into(),
        name: None,
        creation_date: 0,
        grantee_principal: ALICE.into(),
        retiring_principal: None,
        issuing_account: KEY_ACCOUNT.into(),
        operations: vec!["Decrypt".into()],
        constraints: None,
        service_grantee: false,
        service_retiring: false,
    };
    let ctx = || RequestContext::new(alice.principal.clone(), "kms:Decrypt", KEY);
    let d = decide_for(
        &alice,
        &key,
        &CallerPolicies::identity(&[]),
        &[&grant],
        ctx(),
    );
    assert_eq!(
        (d.outcome, d.decided_by()),
        (Outcome::Allowed, Some(PolicyType::Grant))
    );
    let deny = [iam(
        json!([{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]),
    )];
    let d = decide_for(
        &alice,
        &key,
        &CallerPolicies::identity(&deny),
        &[&grant],
        ctx(),
    );
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
}

/// SCPs: an SCP deny wins even for the root user; an account with SCPs needs one that
/// allows; SCPs limit, never grant ("SCPs ... don't grant permissions").
#[test]
fn service_control_policies_limit_the_accounts_principals() {
    let bob = Caller::iam("arn:aws:iam::111122223333:user/Bob");
    let key = key_policy(json!([own_root()]));
    let allow = [allow_decrypt()];
    let full = [iam(
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    )];
    let deny = [iam(
        json!([{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]),
    )];
    let only_s3 = [iam(
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    )];
    fn with<'a>(identity: &'a [PolicyDocument], scps: &'a [PolicyDocument]) -> CallerPolicies<'a> {
        CallerPolicies {
            identity,
            service_control_policies: Some(scps),
            ..Default::default()
        }
    }
    assert!(decrypt(&bob, &key, &with(&allow, &full)).is_allowed());
    let d = decrypt(&bob, &key, &with(&allow, &deny));
    assert_eq!(
        (d.outcome, d.decided_by()),
        (
            Outcome::ExplicitDeny,
            Some(PolicyType::ServiceControlPolicy)
        )
    );
    assert!(d
        .aws_denial()
        .contains("with an explicit deny in a service control policy"));
    let d = decrypt(&bob, &key, &with(&allow, &only_s3));
    assert_eq!(
        (d.outcome, d.decided_by()),
        (
            Outcome::ImplicitDeny,
            Some(PolicyType::ServiceControlPolicy)
        )
    );
    // The root user too.
    let d = decrypt(&Caller::root(KEY_ACCOUNT), &key, &with(&[], &deny));
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    // SCPs do not apply to service principals.
    let ses = Caller::service("ses.amazonaws.com");
    let key = key_policy(
        json!([{"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "kms:Decrypt", "Resource": "*"}]),
    );
    let ctx = RequestContext::new(ses.principal.clone(), "kms:Decrypt", KEY);
    assert!(decide_for(&ses, &key, &with(&[], &deny), &[], ctx).is_allowed());
}

/// A permissions boundary caps what identity-based policies (and a key policy statement
/// naming the caller's role) allow; a key policy statement naming an IAM user allows
/// regardless ("Resource-based policies that grant permissions to an IAM user ARN ... are
/// not limited by an implicit deny in a permissions boundary").
#[test]
fn permissions_boundaries_cap_identity_policies() {
    let bob = Caller::iam("arn:aws:iam::111122223333:user/Bob");
    let role = Caller::iam("arn:aws:iam::111122223333:role/App");
    let boundary = iam(json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]));
    let allow = [allow_decrypt()];
    let bounded = |identity| CallerPolicies {
        identity,
        permissions_boundary: Some(&boundary),
        session_policies: None,
        service_control_policies: None,
    };
    let delegated = key_policy(json!([own_root()]));
    let d = decrypt(&bob, &delegated, &bounded(&allow));
    assert_eq!(
        (d.outcome, d.decided_by()),
        (Outcome::ImplicitDeny, Some(PolicyType::PermissionsBoundary))
    );
    assert!(d
        .aws_denial()
        .ends_with("because no permissions boundary allows the kms:Decrypt action"));

    let names_bob = key_policy(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
        "Action": "kms:Decrypt", "Resource": "*"}]));
    assert!(decrypt(&bob, &names_bob, &bounded(&[])).is_allowed());

    let names_role = key_policy(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
        "Action": "kms:Decrypt", "Resource": "*"}]));
    let d = decrypt(&role, &names_role, &bounded(&[]));
    assert_eq!(
        (d.outcome, d.decided_by()),
        (Outcome::ImplicitDeny, Some(PolicyType::PermissionsBoundary))
    );
    assert!(decrypt(&role, &names_role, &CallerPolicies::identity(&[])).is_allowed());
}

/// Session policies: a role session may do only what both its role's policies and its
/// session policies allow.
#[test]
fn session_policies_cap_a_role_session() {
    let session = Caller::iam("arn:aws:sts::111122223333:assumed-role/App/s1");
    let key = key_policy(json!([own_root()]));
    let allow = [allow_decrypt()];
    let encrypt_only = [iam(
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]),
    )];
    let p = CallerPolicies {
        identity: &allow,
        permissions_boundary: None,
        session_policies: Some(&encrypt_only),
        service_control_policies: None,
    };
    let d = decrypt(&session, &key, &p);
    assert_eq!(
        (d.outcome, d.decided_by()),
        (Outcome::ImplicitDeny, Some(PolicyType::SessionPolicy))
    );
    let both = [allow_decrypt()];
    let p = CallerPolicies {
        session_policies: Some(&both),
        ..p
    };
    assert!(decrypt(&session, &key, &p).is_allowed());
}

/// A key policy naming the role a session belongs to names the session ("aws:PrincipalArn
/// ... the ARN of the role").
#[test]
fn a_role_session_is_named_by_its_roles_arn() {
    let session = Caller::iam("arn:aws:sts::111122223333:assumed-role/App/s1");
    let key = key_policy(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
        "Action": "kms:Decrypt", "Resource": "*"}]));
    assert!(decrypt(&session, &key, &CallerPolicies::identity(&[])).is_allowed());
}

/// The decision lists every policy type that took part, and exactly one decided.
#[test]
fn the_explanation_lists_the_policy_types_and_the_one_that_decided() {
    let alice = Caller::iam(ALICE);
    let key = key_policy(json!([own_root(), {"Effect": "Allow",
        "Principal": {"AWS": OTHER}, "Action": "kms:Decrypt", "Resource": "*"}]));
    let allow = [allow_decrypt()];
    let boundary = iam(json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]));
    let p = CallerPolicies {
        identity: &allow,
        permissions_boundary: Some(&boundary),
        session_policies: None,
        service_control_policies: None,
    };
    let d = decrypt(&alice, &key, &p);
    assert!(d.is_allowed(), "{}", d.reason);
    let types: Vec<PolicyType> = d.policy_types.iter().map(|r| r.policy_type).collect();
    assert_eq!(
        types,
        [
            PolicyType::KeyPolicy,
            PolicyType::IdentityPolicy,
            PolicyType::PermissionsBoundary
        ]
    );
    assert_eq!(d.policy_types.iter().filter(|r| r.decided).count(), 1);
}

fn grant_with(operations: &[&str], constraints: Option<GrantConstraints>) -> Grant {
    Grant {
        grant_id: "p".repeat(64),
        grant_token: String::new(),
        key_arn: KEY.into(),
        name: Some("parent".into()),
        creation_date: 0,
        grantee_principal: "arn:aws:iam::111122223333:role/Delegate".into(),
        retiring_principal: None,
        issuing_account: KEY_ACCOUNT.into(),
        operations: operations.iter().map(|s| (*s).to_owned()).collect(),
        constraints,
        service_grantee: false,
        service_retiring: false,
    }
}

/// "Granting CreateGrant permission": the grantee may create only grants for some or all
/// of the parent grant's operations, with constraints at least as strict.
#[test]
fn a_grant_that_gives_create_grant_limits_the_grants_it_creates() {
    let delegate = Caller::iam("arn:aws:iam::111122223333:role/Delegate");
    let key = key_policy(json!([own_root()]));
    let subset = |pairs: &[(&str, &str)]| GrantConstraints {
        encryption_context_subset: Some(EncryptionContext::from_pairs(pairs.iter().copied())),
        ..Default::default()
    };
    let parent = grant_with(
        &["CreateGrant", "Decrypt"],
        Some(subset(&[("app", "mail")])),
    );
    let ask = |ops: &[&str], c: Option<GrantConstraints>| -> Decision {
        let ops: Vec<String> = ops.iter().map(|s| (*s).to_owned()).collect();
        let ctx = RequestContext::new(delegate.principal.clone(), "kms:CreateGrant", KEY);
        let context = c.as_ref().and_then(|c| c.encryption_context_subset.clone());
        let req = AuthRequest {
            caller: &delegate,
            context: &ctx,
            grant_operation: "CreateGrant",
            resource_account: KEY_ACCOUNT,
            encryption_context: context.as_ref(),
            new_grant: Some(NewGrant {
                operations: &ops,
                constraints: c.as_ref(),
            }),
        };
        let none = CallerPolicies::identity(&[]);
        let d = decide(&req, Some(&key), &none, &[&parent]);
        assert_eq!(
            decide_outcome(&req, Some(&key), &none, &[&parent]),
            d.outcome
        );
        d
    };
    assert!(ask(&["Decrypt"], Some(subset(&[("app", "mail")]))).is_allowed());
    assert!(ask(
        &["Decrypt"],
        Some(subset(&[("app", "mail"), ("user", "x")]))
    )
    .is_allowed());
    let d = ask(&["Decrypt", "Encrypt"], Some(subset(&[("app", "mail")])));
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert!(
        d.grants[0].summary.contains("adds Encrypt"),
        "{}",
        d.grants[0].summary
    );
    let d = ask(&["Decrypt"], None);
    assert_eq!(
        d.outcome,
        Outcome::ImplicitDeny,
        "no constraint is less strict"
    );
    assert!(
        d.grants[0].summary.contains("less strict"),
        "{}",
        d.grants[0].summary
    );
    assert!(!ask(&["Decrypt"], Some(subset(&[("app", "other")]))).is_allowed());
}
