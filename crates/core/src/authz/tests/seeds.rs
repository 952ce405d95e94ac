//! The policies quoted in the seed documents, verbatim, evaluated as SPEC §2, §4 and §5
//! describe.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;

/// The `aws/workmail` managed key policy `auto-workmail-1` (seeds 000 and 001).
const WORKMAIL_KEY_POLICY: &str = r#"{ "Version" : "2012-10-17", "Id" : "auto-workmail-1", "Statement" : [ { "Sid" : "Allow access through WorkMail for all principals in the account that are authorized to use WorkMail", "Effect" : "Allow", "Principal" : { "AWS" : "*" }, "Action" : [ "kms:Decrypt", "kms:CreateGrant", "kms:ReEncrypt*", "kms:DescribeKey", "kms:Encrypt" ], "Resource" : "*", "Condition" : { "StringEquals" : { "kms:ViaService" : "workmail.us-east-1.amazonaws.com", "kms:CallerAccount" : "111122223333" } } }, { "Sid" : "Allow direct access to key metadata to the account", "Effect" : "Allow", "Principal" : { "AWS" : "arn:aws:iam::111122223333:root" }, "Action" : [ "kms:Describe*", "kms:List*", "kms:Get*", "kms:RevokeGrant" ], "Resource" : "*" } ] }"#;

/// The statement to add to a customer managed key for SES receiving (seeds 002 and 003).
const SES_STATEMENT: &str = r#"{ "Sid": "Allow SES to encrypt messages using this KMS key", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": [ "kms:Encrypt", "kms:GenerateDataKey*" ], "Resource": "*", "Condition": { "Null": { "kms:EncryptionContext:aws:ses:rule-name": false, "kms:EncryptionContext:aws:ses:message-id": false }, "StringEquals": {"kms:EncryptionContext:aws:ses:source-account": "ACCOUNT-ID-WITHOUT-HYPHENS"} } }"#;

/// Amazon Location creating grants for authorized users (seed 004).
const LOCATION_STATEMENT: &str = r#"{ "Sid": "Allow Amazon Location to create grants on behalf of authorized users", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/LocationTeam" }, "Action": "kms:CreateGrant", "Resource": "*", "Condition": { "StringEquals": { "kms:ViaService": "geo.us-west-2.amazonaws.com", "kms:CallerAccount": "111122223333", "kms:EncryptionContext:aws:geo:arn": "arn:aws:geo:us-west-2:111122223333:tracker/SAMPLE-Tracker" } } }"#;

/// CloudTrail encrypting logs, the confused-deputy defence (seed 004).
const CLOUDTRAIL_KEY_POLICY: &str = r#"{ "Version": "2012-10-17", "Statement": [ { "Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": { "ArnEquals": { "aws:SourceArn": [ "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance" ] }, "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": [ "arn:aws:cloudtrail:*:111122223333:trail/*" ] } } } ] }"#;

const ACCOUNT: &str = "111122223333";
const WORKMAIL_KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1a2b3c4d-5e6f-1a2b-3c4d-5e6f1a2b3c4d";
const CMK: &str = "arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const TRACKER: &str = "arn:aws:geo:us-west-2:111122223333:tracker/SAMPLE-Tracker";
const TRAIL: &str = "arn:aws:cloudtrail:us-west-2:111122223333:trail/finance";

fn iam(arn: &str) -> CallerPrincipal {
    CallerPrincipal::iam(arn).unwrap()
}

fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A key policy holding one statement quoted on its own in the docs.
fn key_policy_with(statement: &str) -> PolicyDocument {
    let doc = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    parse_policy(&serde_json::from_str(&doc).unwrap(), PolicyKind::Resource).unwrap()
}

fn workmail_policy() -> PolicyDocument {
    parse_policy(
        &serde_json::from_str(WORKMAIL_KEY_POLICY).unwrap(),
        PolicyKind::Resource,
    )
    .unwrap()
}

#[test]
fn seed_policies_parse_as_written() {
    let workmail = PolicyDocument::parse(WORKMAIL_KEY_POLICY).unwrap();
    assert_eq!(workmail.id.as_deref(), Some("auto-workmail-1"));
    assert_eq!(workmail.statements.len(), 2);
    assert_eq!(workmail.statements[0].conditions.len(), 2);
    assert_eq!(workmail, workmail_policy());

    let ses = Statement::parse(SES_STATEMENT).unwrap();
    assert_eq!(
        ses.principal,
        Some(PrincipalElement::Principal(PrincipalSpec::Named {
            aws: vec![],
            service: vec!["ses.amazonaws.com".to_string()],
            federated: vec![],
            canonical_user: vec![],
        }))
    );
    // `false` in the Null condition is a JSON boolean; it is kept as its text.
    let null: Vec<&ConditionSpec> = ses
        .conditions
        .iter()
        .filter(|c| c.operator.base == BaseOperator::Null)
        .collect();
    assert_eq!(null.len(), 2);
    assert!(null.iter().all(|c| c.values == ["false"]));
    key_policy_with(SES_STATEMENT);

    let location = Statement::parse(LOCATION_STATEMENT).unwrap();
    assert_eq!(location.conditions.len(), 3);
    key_policy_with(LOCATION_STATEMENT);

    let cloudtrail = parse_policy(
        &serde_json::from_str(CLOUDTRAIL_KEY_POLICY).unwrap(),
        PolicyKind::Resource,
    )
    .unwrap();
    assert_eq!(cloudtrail.statements[0].conditions.len(), 2);
}

fn workmail_request(caller: &str, action: &str, via: Option<&str>) -> RequestContext {
    let caller = iam(caller);
    let account = caller.account().unwrap_or_default().to_string();
    let ctx = RequestContext::new(caller.clone(), action, WORKMAIL_KEY)
        .with("kms:CallerAccount", &account)
        .with("aws:PrincipalArn", caller.display_name())
        .with_encryption_context(&context(&[(
            "aws:workmail:arn",
            "arn:aws:workmail:us-east-1:111122223333:organization/m-68755160c4cb4e29a2b2f8fb58f359d7",
        )]));
    match via {
        Some(service) => ctx.with("kms:ViaService", service),
        None => ctx,
    }
}

#[test]
fn workmail_direct_use_by_an_account_principal_is_not_allowed() {
    let ctx = workmail_request(
        "arn:aws:iam::111122223333:role/MailAdmin",
        "kms:Decrypt",
        None,
    );
    let eval = evaluate(&workmail_policy(), PolicyKind::Resource, &ctx);
    assert!(eval.allows().is_empty());
    assert!(eval.explicit_deny().is_none());
    let through_workmail = &eval.statements[0];
    assert_eq!(through_workmail.principal, PrincipalMatch::Matches);
    assert!(through_workmail.action_matched && through_workmail.resource_matched);
    assert_eq!(
        through_workmail.summary,
        "Statement[0] (\"Allow access through WorkMail for all principals in the account that \
         are authorized to use WorkMail\") does not apply: condition StringEquals \
         kms:ViaService failed: expected workmail.us-east-1.amazonaws.com, got (absent)"
    );
    let metadata = &eval.statements[1];
    assert_eq!(
        metadata.principal,
        PrincipalMatch::Account {
            account: ACCOUNT.to_string()
        }
    );
    assert!(!metadata.action_matched);
}

#[test]
fn workmail_use_through_workmail_in_the_same_account_is_allowed() {
    let policy = workmail_policy();
    for action in [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:CreateGrant",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:DescribeKey",
    ] {
        let ctx = workmail_request(
            "arn:aws:iam::111122223333:user/Alice",
            action,
            Some("workmail.us-east-1.amazonaws.com"),
        );
        let eval = evaluate(&policy, PolicyKind::Resource, &ctx);
        let through_workmail = &eval.statements[0];
        assert!(through_workmail.applies, "{action}");
        // "AWS": "*" names the caller directly: no IAM policy is needed on top.
        assert_eq!(through_workmail.principal, PrincipalMatch::Matches);
        assert!(through_workmail.conditions.iter().all(|c| c.matched));
        // Only DescribeKey is also covered by the metadata statement, and there for
        // Alice only through delegation to the account's IAM policies.
        let metadata = &eval.statements[1];
        assert_eq!(metadata.applies, action == "kms:DescribeKey", "{action}");
    }
    let not_listed = workmail_request(
        "arn:aws:iam::111122223333:user/Alice",
        "kms:GenerateDataKey",
        Some("workmail.us-east-1.amazonaws.com"),
    );
    assert!(evaluate(&policy, PolicyKind::Resource, &not_listed)
        .allows()
        .is_empty());
}

#[test]
fn workmail_in_another_region_or_for_another_account_is_not_allowed() {
    let policy = workmail_policy();
    let other_region = workmail_request(
        "arn:aws:iam::111122223333:user/Alice",
        "kms:Decrypt",
        Some("workmail.eu-west-1.amazonaws.com"),
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &other_region);
    assert!(eval.allows().is_empty());
    assert!(
        eval.statements[0].summary.ends_with(
            "expected workmail.us-east-1.amazonaws.com, got workmail.eu-west-1.amazonaws.com"
        ),
        "{}",
        eval.statements[0].summary
    );
    let other_account = workmail_request(
        "arn:aws:iam::444455556666:user/Mallory",
        "kms:Decrypt",
        Some("workmail.us-east-1.amazonaws.com"),
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &other_account);
    assert!(eval.allows().is_empty());
    assert!(eval.statements[0]
        .summary
        .contains("kms:CallerAccount failed"));
    assert_eq!(eval.statements[1].principal, PrincipalMatch::NoMatch);
}

#[test]
fn workmail_account_root_may_read_metadata_and_revoke_grants_directly() {
    let policy = workmail_policy();
    for action in [
        "kms:DescribeKey",
        "kms:RevokeGrant",
        "kms:ListGrants",
        "kms:GetKeyPolicy",
    ] {
        let ctx = workmail_request("arn:aws:iam::111122223333:root", action, None);
        let eval = evaluate(&policy, PolicyKind::Resource, &ctx);
        let allows = eval.allows();
        assert_eq!(allows.len(), 1, "{action}");
        assert_eq!(allows[0].index, 1);
        assert_eq!(allows[0].principal, PrincipalMatch::Matches);
    }
    for action in ["kms:Decrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"] {
        let ctx = workmail_request("arn:aws:iam::111122223333:root", action, None);
        assert!(
            evaluate(&policy, PolicyKind::Resource, &ctx)
                .allows()
                .is_empty(),
            "{action}"
        );
    }
    // Any other identity of the account gets DescribeKey only by delegation to IAM.
    let ctx = workmail_request(
        "arn:aws:iam::111122223333:role/Auditor",
        "kms:DescribeKey",
        None,
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &ctx);
    let allows = eval.allows();
    assert_eq!(allows.len(), 1);
    assert_eq!(
        allows[0].principal,
        PrincipalMatch::Account {
            account: ACCOUNT.to_string()
        }
    );
}

fn ses_policy() -> PolicyDocument {
    key_policy_with(&SES_STATEMENT.replace("ACCOUNT-ID-WITHOUT-HYPHENS", ACCOUNT))
}

fn ses_request(action: &str, pairs: &[(&str, &str)]) -> RequestContext {
    RequestContext::new(CallerPrincipal::service("ses.amazonaws.com"), action, CMK)
        .with("aws:SourceAccount", ACCOUNT)
        .with_encryption_context(&context(pairs))
}

const SES_CONTEXT: [(&str, &str); 3] = [
    ("aws:ses:source-account", ACCOUNT),
    ("aws:ses:rule-name", "store-in-s3"),
    (
        "aws:ses:message-id",
        "o3ub4bqpt4ng0j0gnkmg00o5hq1mc8dd5sr5ko01",
    ),
];

#[test]
fn ses_may_generate_data_keys_with_its_full_encryption_context() {
    let policy = ses_policy();
    for action in [
        "kms:GenerateDataKey",
        "kms:Encrypt",
        "kms:GenerateDataKeyWithoutPlaintext",
    ] {
        let eval = evaluate(
            &policy,
            PolicyKind::Resource,
            &ses_request(action, &SES_CONTEXT),
        );
        assert_eq!(eval.allows().len(), 1, "{action}");
        assert_eq!(eval.statements[0].conditions.len(), 3);
    }
}

#[test]
fn ses_without_message_id_or_for_another_account_is_denied() {
    let policy = ses_policy();
    let without_id = ses_request(
        "kms:GenerateDataKey",
        &[
            ("aws:ses:source-account", ACCOUNT),
            ("aws:ses:rule-name", "r"),
        ],
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &without_id);
    assert!(eval.allows().is_empty());
    assert!(
        eval.statements[0].summary.ends_with(
            "condition Null kms:EncryptionContext:aws:ses:message-id failed: expected the key \
             to be present, got (absent)"
        ),
        "{}",
        eval.statements[0].summary
    );
    let other_account = ses_request(
        "kms:GenerateDataKey",
        &[
            ("aws:ses:source-account", "444455556666"),
            ("aws:ses:rule-name", "r"),
            ("aws:ses:message-id", "m"),
        ],
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &other_account);
    assert!(eval.allows().is_empty());
    let failed: Vec<&str> = eval.statements[0]
        .conditions
        .iter()
        .filter(|c| !c.matched)
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(failed, ["kms:EncryptionContext:aws:ses:source-account"]);
}

#[test]
fn ses_can_never_decrypt_and_only_ses_is_named() {
    let policy = ses_policy();
    let decrypt = evaluate(
        &policy,
        PolicyKind::Resource,
        &ses_request("kms:Decrypt", &SES_CONTEXT),
    );
    assert!(decrypt.allows().is_empty());
    assert!(!decrypt.statements[0].action_matched);
    let user = RequestContext::new(
        iam("arn:aws:iam::111122223333:user/Alice"),
        "kms:GenerateDataKey",
        CMK,
    )
    .with_encryption_context(&context(&SES_CONTEXT));
    let eval = evaluate(&policy, PolicyKind::Resource, &user);
    assert_eq!(eval.statements[0].principal, PrincipalMatch::NoMatch);
    assert!(eval.allows().is_empty());
}

fn location_request(
    caller: &str,
    action: &str,
    via: &str,
    tracker: Option<&str>,
) -> RequestContext {
    let ctx = RequestContext::new(iam(caller), action, CMK)
        .with("kms:CallerAccount", ACCOUNT)
        .with("kms:ViaService", via);
    match tracker {
        Some(t) => ctx.with_encryption_context(&context(&[("aws:geo:arn", t)])),
        None => ctx,
    }
}

#[test]
fn location_may_create_grants_only_via_geo_for_the_tracker() {
    let policy = key_policy_with(LOCATION_STATEMENT);
    let team = "arn:aws:iam::111122223333:role/LocationTeam";
    let ok = location_request(
        team,
        "kms:CreateGrant",
        "geo.us-west-2.amazonaws.com",
        Some(TRACKER),
    );
    assert_eq!(
        evaluate(&policy, PolicyKind::Resource, &ok).allows().len(),
        1
    );

    let denied = [
        location_request(
            team,
            "kms:CreateGrant",
            "geo.us-west-2.amazonaws.com",
            Some("arn:aws:geo:us-west-2:111122223333:tracker/Other"),
        ),
        location_request(
            team,
            "kms:CreateGrant",
            "geo.us-east-1.amazonaws.com",
            Some(TRACKER),
        ),
        location_request(
            team,
            "kms:CreateGrant",
            "s3.us-west-2.amazonaws.com",
            Some(TRACKER),
        ),
        location_request(
            "arn:aws:iam::111122223333:role/Other",
            "kms:CreateGrant",
            "geo.us-west-2.amazonaws.com",
            Some(TRACKER),
        ),
        location_request(
            team,
            "kms:Decrypt",
            "geo.us-west-2.amazonaws.com",
            Some(TRACKER),
        ),
    ];
    for ctx in &denied {
        assert!(
            evaluate(&policy, PolicyKind::Resource, ctx)
                .allows()
                .is_empty(),
            "{ctx:?}"
        );
    }
}

#[test]
fn describe_key_allowed_only_by_a_context_condition_is_denied() {
    // SPEC §2: an encryption-context condition used to allow DescribeKey denies it,
    // because DescribeKey carries no encryption context.
    let widened = LOCATION_STATEMENT.replace(
        r#""Action": "kms:CreateGrant""#,
        r#""Action": ["kms:CreateGrant", "kms:DescribeKey"]"#,
    );
    assert_ne!(widened, LOCATION_STATEMENT);
    let policy = key_policy_with(&widened);
    let ctx = location_request(
        "arn:aws:iam::111122223333:role/LocationTeam",
        "kms:DescribeKey",
        "geo.us-west-2.amazonaws.com",
        None,
    );
    let eval = evaluate(&policy, PolicyKind::Resource, &ctx);
    assert!(eval.allows().is_empty());
    let st = &eval.statements[0];
    assert!(st.action_matched);
    assert!(
        st.summary.ends_with(&format!(
            "condition StringEquals kms:EncryptionContext:aws:geo:arn failed: expected \
             {TRACKER}, got (absent)"
        )),
        "{}",
        st.summary
    );
}

fn cloudtrail_request(source_arn: Option<&str>, context_trail: &str) -> RequestContext {
    let ctx = RequestContext::new(
        CallerPrincipal::service("cloudtrail.amazonaws.com"),
        "kms:GenerateDataKey",
        CMK,
    )
    .with_encryption_context(&context(&[("aws:cloudtrail:arn", context_trail)]));
    match source_arn {
        Some(arn) => ctx.with("aws:SourceArn", arn),
        None => ctx,
    }
}

fn cloudtrail_policy() -> PolicyDocument {
    parse_policy(
        &serde_json::from_str(CLOUDTRAIL_KEY_POLICY).unwrap(),
        PolicyKind::Resource,
    )
    .unwrap()
}

#[test]
fn cloudtrail_needs_both_the_source_arn_and_the_context() {
    let policy = cloudtrail_policy();
    let ok = evaluate(
        &policy,
        PolicyKind::Resource,
        &cloudtrail_request(Some(TRAIL), TRAIL),
    );
    assert_eq!(ok.allows().len(), 1);
    assert!(ok.statements[0].conditions.iter().all(|c| c.matched));

    let other_trail = "arn:aws:cloudtrail:us-west-2:111122223333:trail/audit";
    let wrong_source = evaluate(
        &policy,
        PolicyKind::Resource,
        &cloudtrail_request(Some(other_trail), TRAIL),
    );
    assert!(wrong_source.allows().is_empty());
    let foreign_context = "arn:aws:cloudtrail:us-west-2:444455556666:trail/finance";
    let wrong_context = evaluate(
        &policy,
        PolicyKind::Resource,
        &cloudtrail_request(Some(TRAIL), foreign_context),
    );
    assert!(wrong_context.allows().is_empty());
    let no_source = evaluate(
        &policy,
        PolicyKind::Resource,
        &cloudtrail_request(None, TRAIL),
    );
    assert!(no_source.allows().is_empty());
    assert!(no_source.statements[0]
        .summary
        .contains("aws:SourceArn failed"));
}

#[test]
fn cloudtrail_request_for_another_accounts_trail_is_denied() {
    let policy = cloudtrail_policy();
    let foreign = "arn:aws:cloudtrail:us-west-2:444455556666:trail/finance";
    let eval = evaluate(
        &policy,
        PolicyKind::Resource,
        &cloudtrail_request(Some(foreign), foreign),
    );
    assert!(eval.allows().is_empty());
    assert!(eval.statements[0].conditions.iter().all(|c| !c.matched));
    // A role cannot use the statement written for the CloudTrail service principal.
    let role = RequestContext::new(
        iam("arn:aws:iam::111122223333:role/Trail"),
        "kms:GenerateDataKey",
        CMK,
    )
    .with("aws:SourceArn", TRAIL)
    .with_encryption_context(&context(&[("aws:cloudtrail:arn", TRAIL)]));
    assert_eq!(
        evaluate(&policy, PolicyKind::Resource, &role).statements[0].principal,
        PrincipalMatch::NoMatch
    );
}

#[test]
fn context_key_names_in_conditions_ignore_case() {
    // The request spells the encryption context key differently from the policy; the
    // condition key name (prefix and context key) is not case sensitive.
    let policy = cloudtrail_policy();
    let ctx = RequestContext::new(
        CallerPrincipal::service("cloudtrail.amazonaws.com"),
        "kms:GenerateDataKey",
        CMK,
    )
    .with("AWS:SOURCEARN", TRAIL)
    .with("kms:EncryptionContext:AWS:CloudTrail:ARN", TRAIL);
    assert_eq!(
        evaluate(&policy, PolicyKind::Resource, &ctx).allows().len(),
        1
    );
}

#[test]
fn seed_policies_serialize_back_to_equivalent_json() {
    for text in [WORKMAIL_KEY_POLICY, CLOUDTRAIL_KEY_POLICY] {
        let doc = PolicyDocument::parse(text).unwrap();
        let again = PolicyDocument::from_value(&serde_json::to_value(&doc).unwrap()).unwrap();
        assert_eq!(again, doc);
    }
    let ses = serde_json::to_value(Statement::parse(SES_STATEMENT).unwrap()).unwrap();
    assert_eq!(
        ses["Condition"]["Null"],
        json!({"kms:EncryptionContext:aws:ses:rule-name": "false",
               "kms:EncryptionContext:aws:ses:message-id": "false"})
    );
}
