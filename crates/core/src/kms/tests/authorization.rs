//! Authorization end to end through the KMS operations: the global and ABAC condition
//! keys KMS sets, the alias ARN, grant limits and cross-account requests.

use super::*;

fn message(e: &KmsError) -> &str {
    e.message.as_deref().unwrap_or_default()
}

fn identity(statements: Value) -> PolicyDocument {
    crate::authz::parse_policy(
        &json!({"Version": "2012-10-17", "Statement": statements}),
        PolicyKind::Identity,
    )
    .unwrap()
}

fn set_policy(f: &mut Fixture, key: &str, statements: Value) {
    let policy = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    f.ok(
        "PutKeyPolicy",
        json!({"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": true}),
    );
}

fn root_statement() -> Value {
    json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
           "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"})
}

/// IAM User Guide, *aws:CurrentTime*: a Deny guardrail on the date fires once the virtual
/// clock passes it.
#[test]
fn a_current_time_guardrail_follows_the_virtual_clock() {
    let mut f = fixture(11);
    let key = f.new_key();
    let guard = identity(json!([
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-02T00:00:00Z"}}}
    ]));
    f.kms.set_identity_policies(f.admin.name(), vec![guard]);
    f.encrypt(&key, b"x", json!({}));
    f.env.clock.advance_ms(2 * 86_400_000);
    let c = f.call("Encrypt", json!({"KeyId": key, "Plaintext": b64(b"x")}));
    let e = c.response.unwrap_err();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        message(&e).contains("explicit deny in an identity-based policy"),
        "{}",
        message(&e)
    );
    let d = &c.decisions[0];
    assert_eq!(d.context["aws:CurrentTime"], ["2026-01-03T00:00:00Z"]);
    assert_eq!(d.context["aws:EpochTime"], ["1767398400"]);
    assert_eq!(d.context["aws:SecureTransport"], ["true"]);
    assert_eq!(d.context["aws:RequestedRegion"], [REGION]);
    assert_eq!(d.context["aws:PrincipalType"], ["AssumedRole"]);
}

/// IAM users get `aws:username`, and `${aws:username}` in an IAM policy's Resource
/// limits each user to aliases named after it.
#[test]
fn username_and_policy_variables_limit_aliases_per_user() {
    let mut f = fixture(12);
    let key = f.new_key();
    let david = Caller::iam("arn:aws:iam::111122223333:user/David");
    f.kms.set_identity_policies(
        david.name(),
        vec![identity(json!([
            {"Effect": "Allow", "Action": "kms:CreateAlias",
             "Resource": ["arn:aws:kms:*:111122223333:alias/${aws:username}-*", key.clone()]}
        ]))],
    );
    let c = f.call_as(
        &david,
        "CreateAlias",
        json!({"AliasName": "alias/David-1", "TargetKeyId": key}),
    );
    assert!(c.is_ok(), "{:?}", c.response);
    assert_eq!(c.decisions[0].context["aws:username"], ["David"]);
    let c = f.call_as(
        &david,
        "CreateAlias",
        json!({"AliasName": "alias/Adele-1", "TargetKeyId": key}),
    );
    let e = c.response.unwrap_err();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        message(&e).contains("alias/Adele-1"),
        "the alias ARN is the resource: {}",
        message(&e)
    );
}

/// Developer guide, *Controlling access to aliases*: CreateAlias needs permission on the
/// alias (IAM policy) as well as on the key (key policy); a key policy alone is not enough.
#[test]
fn create_alias_needs_permission_on_the_alias_arn() {
    let mut f = fixture(13);
    let key = f.new_key();
    let app = Caller::iam("arn:aws:iam::111122223333:user/App");
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow",
        "Principal": {"AWS": app.name()}, "Action": "kms:CreateAlias", "Resource": "*"}]),
    );
    let e = f
        .call_as(
            &app,
            "CreateAlias",
            json!({"AliasName": "alias/app", "TargetKeyId": key}),
        )
        .response
        .unwrap_err();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        message(&e).contains(":alias/app because no identity-based policy"),
        "{}",
        message(&e)
    );
    f.kms.set_identity_policies(
        app.name(),
        vec![identity(
            json!([{"Effect": "Allow", "Action": "kms:CreateAlias",
            "Resource": "arn:aws:kms:us-east-1:111122223333:alias/app"}]),
        )],
    );
    assert!(f
        .call_as(
            &app,
            "CreateAlias",
            json!({"AliasName": "alias/app", "TargetKeyId": key})
        )
        .is_ok());
}

/// ABAC with tags and aliases: `aws:ResourceTag/*` and `kms:ResourceAliases` work in IAM
/// policies and are absent to key policies; `kms:RequestAlias` is the alias the request
/// names.
#[test]
fn tags_and_aliases_control_access_in_iam_policies() {
    let mut f = fixture(14);
    let key = f.new_key();
    f.ok(
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    );
    f.ok(
        "CreateAlias",
        json!({"AliasName": "alias/blue-data", "TargetKeyId": key}),
    );
    let user = Caller::iam("arn:aws:iam::111122223333:user/Ann");
    let by_tag = identity(
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]),
    );
    f.kms.set_identity_policies(user.name(), vec![by_tag]);
    let enc = json!({"KeyId": key, "Plaintext": b64(b"x")});
    let c = f.call_as(&user, "Encrypt", enc.clone());
    assert!(c.is_ok(), "{:?}", c.response);
    assert_eq!(c.decisions[0].context["aws:ResourceTag/team"], ["blue"]);
    assert_eq!(
        c.decisions[0].context["kms:ResourceAliases"],
        ["alias/blue-data"]
    );

    // The same condition in the key policy never matches: the key is absent there.
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow",
        "Principal": {"AWS": user.name()}, "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}]),
    );
    let blob = f.encrypt(&key, b"x", json!({}));
    let c = f.call_as(&user, "Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(code(&c.response.unwrap_err()), "AccessDeniedException");

    let by_alias = identity(
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
        "Condition": {"StringEquals": {"kms:RequestAlias": "alias/blue-data"}}}]),
    );
    f.kms.set_identity_policies(user.name(), vec![by_alias]);
    assert!(
        !f.call_as(&user, "Encrypt", enc).is_ok(),
        "by key id: no kms:RequestAlias"
    );
    let c = f.call_as(
        &user,
        "Encrypt",
        json!({"KeyId": "alias/blue-data", "Plaintext": b64(b"x")}),
    );
    assert!(c.is_ok(), "{:?}", c.response);
}

/// `aws:RequestTag/*` and `aws:TagKeys` on CreateKey and TagResource.
#[test]
fn request_tags_control_tagging() {
    let mut f = fixture(15);
    let user = Caller::iam("arn:aws:iam::111122223333:user/Ann");
    f.kms.set_identity_policies(
        user.name(),
        vec![identity(
            json!([{"Effect": "Allow", "Action": ["kms:CreateKey", "kms:TagResource"],
            "Resource": "*", "Condition": {
                "StringEquals": {"aws:RequestTag/team": "blue"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]),
        )],
    );
    let ok = f.call_as(
        &user,
        "CreateKey",
        json!({"Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    );
    assert!(ok.is_ok(), "{:?}", ok.response);
    let bad = f.call_as(
        &user,
        "CreateKey",
        json!({"Tags": [{"TagKey": "team", "TagValue": "red"}]}),
    );
    assert_eq!(code(&bad.response.unwrap_err()), "AccessDeniedException");
    let extra = f.call_as(
        &user,
        "CreateKey",
        json!({"Tags": [
        {"TagKey": "team", "TagValue": "blue"}, {"TagKey": "cost", "TagValue": "1"}]}),
    );
    assert_eq!(code(&extra.response.unwrap_err()), "AccessDeniedException");
}

/// Developer guide, *Creating grants*, "Granting CreateGrant permission": the grantee of a
/// grant with CreateGrant may create only grants for its operations; adding one is refused
/// with `AccessDeniedException`.
#[test]
fn a_grantee_cannot_widen_the_grant_it_holds() {
    let mut f = fixture(16);
    let key = f.new_key();
    let delegate = Caller::iam("arn:aws:iam::111122223333:role/Delegate");
    f.ok(
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": delegate.name(),
        "Operations": ["CreateGrant", "Decrypt", "DescribeKey"]}),
    );
    let child = |ops: Value| {
        json!({"KeyId": key,
        "GranteePrincipal": "arn:aws:iam::111122223333:role/Other", "Operations": ops})
    };
    assert!(f
        .call_as(&delegate, "CreateGrant", child(json!(["Decrypt"])))
        .is_ok());
    let c = f.call_as(
        &delegate,
        "CreateGrant",
        child(json!(["Decrypt", "Encrypt"])),
    );
    let e = c.response.unwrap_err();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        message(&e).contains("is not authorized to perform: kms:CreateGrant on resource"),
        "{}",
        message(&e)
    );
    assert!(c.decisions[0]
        .grants
        .iter()
        .any(|g| g.summary.contains("adds Encrypt")));
}

/// `kms:GrantIsForAWSResource` applies to ListGrants and RevokeGrant as well as
/// CreateGrant (developer guide, *Controlling access to grants*).
#[test]
fn grant_is_for_aws_resource_is_set_on_list_and_revoke() {
    let mut f = fixture(17);
    let key = f.new_key();
    let user = Caller::iam("arn:aws:iam::111122223333:user/Ann");
    f.kms.set_identity_policies(
        user.name(),
        vec![identity(
            json!([{"Effect": "Allow", "Action": ["kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]),
        )],
    );
    let direct = f.call_as(&user, "ListGrants", json!({"KeyId": key}));
    assert_eq!(code(&direct.response.unwrap_err()), "AccessDeniedException");
    assert_eq!(
        direct.decisions[0].context["kms:GrantIsForAWSResource"],
        ["false"]
    );
    let via = user.clone().via("workmail.us-east-1.amazonaws.com");
    assert!(f.call_as(&via, "ListGrants", json!({"KeyId": key})).is_ok());
}

/// The three cross-account cases, through KMS: the engine has the other
/// account's IAM policies and now consults them.
#[test]
fn cross_account_requests_need_both_accounts() {
    let mut f = fixture(18);
    let key = f.new_key();
    let alice = Caller::iam("arn:aws:iam::444455556666:user/Alice");
    let describe = json!({"KeyId": key});
    // Named directly, no IAM policy: denied, naming the external account.
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow",
        "Principal": {"AWS": alice.name()}, "Action": "kms:DescribeKey", "Resource": "*"}]),
    );
    let c = f.call_as(&alice, "DescribeKey", describe.clone());
    assert_eq!(
        code(c.response.as_ref().unwrap_err()),
        "AccessDeniedException"
    );
    assert_eq!(
        c.decisions[0].missing_in_account.as_deref(),
        Some("444455556666")
    );
    // Through "*" and kms:CallerAccount, no IAM policy: denied.
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow", "Principal": "*",
        "Action": "kms:DescribeKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}}]),
    );
    assert!(!f.call_as(&alice, "DescribeKey", describe.clone()).is_ok());
    // The external root in the key policy plus an IAM allow: allowed.
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "kms:DescribeKey", "Resource": "*"}]),
    );
    f.kms.set_identity_policies(
        alice.name(),
        vec![identity(
            json!([{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": key}]),
        )],
    );
    let c = f.call_as(&alice, "DescribeKey", describe);
    assert!(c.is_ok(), "{:?}", c.response);
    assert_eq!(
        c.decisions[0].context["aws:PrincipalAccount"],
        ["444455556666"]
    );
}

/// Only some operations work across accounts; for the others the key is not found, as the
/// request goes to the caller's own account (developer guide, *Allowing users in other
/// accounts to use a KMS key*).
#[test]
fn management_operations_do_not_work_across_accounts() {
    let mut f = fixture(19);
    let key = f.new_key();
    let other_root = Caller::root("444455556666");
    set_policy(
        &mut f,
        &key,
        json!([root_statement(), {"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}]),
    );
    assert!(f
        .call_as(&other_root, "DescribeKey", json!({"KeyId": key}))
        .is_ok());
    let e = f
        .call_as(
            &other_root,
            "ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": 7}),
        )
        .response
        .unwrap_err();
    assert_eq!(code(&e), "NotFoundException");
    assert!(f
        .call_as(&other_root, "DisableKey", json!({"KeyId": key}))
        .response
        .is_err());
}
