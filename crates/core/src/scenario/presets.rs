//! Key policy statements from the AWS documentation (the seeds), for an account, Region
//! and the names the flows use: one place for the key policy editor's presets and the
//! fixes of "Check my key policy".

use serde_json::{json, Value};

/// The default key policy's first statement: the account root may use IAM policies to
/// delegate access (*Default key policy*,
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam>).
pub fn root_statement(account: &str) -> Value {
    json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
           "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"})
}

/// The statement the SES developer guide requires on a customer managed key for
/// receiving (*Giving permissions to Amazon SES for email receiving*, the seeds).
pub fn ses_statement(account: &str) -> Value {
    json!({"Sid": "AllowSESToEncryptMessagesBelongingToThisAccount", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"},
           "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
           "Condition": {"Null": {"kms:EncryptionContext:aws:ses:rule-name": "false", "kms:EncryptionContext:aws:ses:message-id": "false"},
                         "StringEquals": {"kms:EncryptionContext:aws:ses:source-account": account}}})
}

/// The first statement of the WorkMail managed key's policy (`auto-workmail-1`, the
/// seeds): the account's principals may use the key only through WorkMail.
pub fn workmail_statement(region: &str, account: &str) -> Value {
    json!({"Sid": "Allow access through WorkMail for all principals in the account that are authorized to use WorkMail",
           "Effect": "Allow", "Principal": {"AWS": "*"},
           "Action": ["kms:Decrypt", "kms:CreateGrant", "kms:ReEncrypt*", "kms:DescribeKey", "kms:Encrypt"], "Resource": "*",
           "Condition": {"StringEquals": {"kms:ViaService": format!("workmail.{region}.amazonaws.com"), "kms:CallerAccount": account}}})
}

/// The ARN of an Amazon Location tracker.
pub fn tracker_arn(region: &str, account: &str, tracker: &str) -> String {
    format!("arn:aws:geo:{region}:{account}:tracker/{tracker}")
}

/// The ARN of a CloudTrail trail.
pub fn trail_arn(region: &str, account: &str, trail: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{trail}")
}

/// The least-privilege statement for Amazon Location (seed 004, *Least privilege*): the
/// role may create grants only through Amazon Location, in this account, for one tracker.
pub fn location_statement(region: &str, account: &str, role: &str, tracker: &str) -> Value {
    json!({"Sid": "Allow Amazon Location to create grants on behalf of authorized users", "Effect": "Allow",
           "Principal": {"AWS": role}, "Action": "kms:CreateGrant", "Resource": "*",
           "Condition": {"StringEquals": {"kms:ViaService": format!("geo.{region}.amazonaws.com"), "kms:CallerAccount": account,
                                          "kms:EncryptionContext:aws:geo:arn": tracker_arn(region, account, tracker)}}})
}

/// CloudTrail's statement with the confused-deputy defence (seed 004): `aws:SourceArn`
/// names the trail, and the context must name a trail of the account.
pub fn cloudtrail_statement(region: &str, account: &str, trail: &str) -> Value {
    json!({"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
           "Action": "kms:GenerateDataKey", "Resource": "*",
           "Condition": {"ArnEquals": {"aws:SourceArn": [trail_arn(region, account, trail)]},
                         "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": [format!("arn:aws:cloudtrail:*:{account}:trail/*")]}}})
}

/// A policy of the root statement and `statements`, as the console writes it.
pub fn policy_with(account: &str, statements: Vec<Value>) -> String {
    let mut all = vec![root_statement(account)];
    all.extend(statements);
    pretty(&json!({"Version": "2012-10-17", "Statement": all}))
}

/// JSON as the console shows a policy (two-space indents).
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}
