//! AWS managed keys and the default key policy.
//!
//! An AWS managed key (`alias/aws/<service>`) is created by the service the first time it
//! is needed, and its key policy is set by the service and cannot be changed (AWS KMS
//! developer guide, *AWS managed keys*: "you cannot change any properties of AWS managed
//! keys"). The WorkMail policy is the `auto-workmail-1` document of the developer guide
//! page *How Amazon WorkMail uses AWS KMS*.

/// The AWS managed key aliases every account lists before their keys exist (ListAliases:
/// "predefined aliases that AWS has created but has not yet associated with a KMS key",
/// API reference, *ListAliases*; the set as real accounts list it, recorded in moto).
/// WorkMail's and SES's appear once those services make their keys.
pub const PREDEFINED_ALIASES: &[&str] = &[
    "acm",
    "dynamodb",
    "ebs",
    "elasticfilesystem",
    "es",
    "glue",
    "kinesisvideo",
    "lambda",
    "rds",
    "redshift",
    "s3",
    "secretsmanager",
    "ssm",
    "xray",
];

/// The services whose AWS managed keys the playground can create: those of
/// [`PREDEFINED_ALIASES`], and WorkMail and SES, whose aliases appear only once they make
/// their keys.
pub fn is_managed_service(service: &str) -> bool {
    PREDEFINED_ALIASES.contains(&service) || ["workmail", "ses"].contains(&service)
}

/// The endpoint prefix in `kms:ViaService` of a service's AWS managed key.
fn via_service(service: &str) -> &str {
    match service {
        "ebs" => "ec2",
        other => other,
    }
}

/// The default key policy KMS gives a key created without one (AWS KMS developer guide,
/// *Default key policy*): the account root gets `kms:*`, which enables IAM policies.
pub fn default_key_policy(account: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {{
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {{ "AWS": "arn:aws:iam::{account}:root" }},
      "Action": "kms:*",
      "Resource": "*"
    }}
  ]
}}"#
    )
}

/// The key policy AWS sets on `alias/aws/<service>`, or `None` for other services.
pub fn managed_key_policy(service: &str, region: &str, account: &str) -> Option<String> {
    if !is_managed_service(service) {
        return None;
    }
    let display = display_name(service);
    let id = format!("auto-{service}-1");
    let sid = format!("Allow access through {display} for all principals in the account that are authorized to use {display}");
    let via = via_service(service);
    // AWS does not publish the aws/ses policy. Ours follows the pattern of every AWS managed
    // key policy (use via the service by the account's principals, metadata for the root)
    // plus the statement the SES developer guide requires on a customer managed key for
    // receiving, so SES's own service principal can generate data keys for the account.
    let service_statement = if service == "ses" {
        format!(
            r#",
    {{
      "Sid": "Allow SES to encrypt messages for this account",
      "Effect": "Allow",
      "Principal": {{ "Service": "ses.amazonaws.com" }},
      "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
      "Resource": "*",
      "Condition": {{
        "Null": {{
          "kms:EncryptionContext:aws:ses:rule-name": "false",
          "kms:EncryptionContext:aws:ses:message-id": "false"
        }},
        "StringEquals": {{ "kms:EncryptionContext:aws:ses:source-account": "{account}" }}
      }}
    }}"#
        )
    } else {
        String::new()
    };
    Some(format!(
        r#"{{
  "Version": "2012-10-17",
  "Id": "{id}",
  "Statement": [
    {{
      "Sid": "{sid}",
      "Effect": "Allow",
      "Principal": {{ "AWS": "*" }},
      "Action": ["kms:Decrypt", "kms:CreateGrant", "kms:ReEncrypt*", "kms:DescribeKey", "kms:Encrypt"],
      "Resource": "*",
      "Condition": {{
        "StringEquals": {{
          "kms:ViaService": "{via}.{region}.amazonaws.com",
          "kms:CallerAccount": "{account}"
        }}
      }}
    }},
    {{
      "Sid": "Allow direct access to key metadata to the account",
      "Effect": "Allow",
      "Principal": {{ "AWS": "arn:aws:iam::{account}:root" }},
      "Action": ["kms:Describe*", "kms:List*", "kms:Get*", "kms:RevokeGrant"],
      "Resource": "*"
    }}{service_statement}
  ]
}}"#
    ))
}

/// How AWS names a service in its managed key's policy and description.
fn display_name(service: &str) -> &str {
    match service {
        "workmail" => "WorkMail",
        "ses" => "SES",
        "acm" => "ACM",
        "dynamodb" => "DynamoDB",
        "ebs" => "EBS",
        "elasticfilesystem" => "EFS",
        "es" => "OpenSearch",
        "glue" => "Glue",
        "kinesisvideo" => "Kinesis Video Streams",
        "lambda" => "Lambda",
        "rds" => "RDS",
        "redshift" => "Redshift",
        "s3" => "S3",
        "secretsmanager" => "Secrets Manager",
        "ssm" => "SSM",
        "xray" => "X-Ray",
        other => other,
    }
}

/// The description AWS gives an AWS managed key.
pub fn managed_key_description(service: &str) -> String {
    format!(
        "Default master key that protects my {} data when no other key is defined",
        display_name(service)
    )
}
