//! AWS managed keys and the default key policy.
//!
//! An AWS managed key (`alias/aws/<service>`) is created by the service the first time it
//! is needed, and its key policy is set by the service and cannot be changed (AWS KMS
//! developer guide, *AWS managed keys*: "you cannot change any properties of AWS managed
//! keys"). The WorkMail policy is the `auto-workmail-1` document of the developer guide
//! page *How Amazon WorkMail uses AWS KMS*.

/// The services whose AWS managed keys the playground can create.
pub const MANAGED_SERVICES: &[&str] = &["workmail", "ses"];

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
    let (id, sid) = match service {
        "workmail" => ("auto-workmail-1", "Allow access through WorkMail for all principals in the account that are authorized to use WorkMail"),
        "ses" => ("auto-ses-1", "Allow access through SES for all principals in the account that are authorized to use SES"),
        _ => return None,
    };
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
          "kms:ViaService": "{service}.{region}.amazonaws.com",
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

/// The description AWS gives an AWS managed key.
pub fn managed_key_description(service: &str) -> String {
    let display = match service {
        "workmail" => "WorkMail",
        "ses" => "SES",
        other => other,
    };
    format!("Default master key that protects my {display} data when no other key is defined")
}
