//! The flows a key policy is checked against, each a scenario the runner plays as it
//! plays any other: the seeds' WorkMail, SES, Amazon Location and CloudTrail flows on a key
//! with the pasted policy, and one flow per principal the policy names.
//!
//! Every flow starts the same way: `role/KeyCreator` (whose IAM policy allows `kms:*`)
//! creates the key with the pasted policy and `BypassPolicyLockoutSafetyCheck`, so that a
//! policy that would lock its creator out can still be checked (the lockout is a warning
//! of its own). A flow's calls expect success, so a refused one is recorded and the run
//! goes on.

use super::names::Names;
use crate::authz::BaseOperator;
use crate::authz::{ActionElement, Effect, PolicyDocument, PrincipalElement, PrincipalSpec};
use crate::kms::Operation;
use serde::Serialize;
use serde_json::{json, Value};

/// Which flow a verdict is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Flow {
    /// WorkMail: create the organization (with the key), and write and read mail.
    WorkMail,
    /// SES: receive mail into S3, and its owner reads it.
    SesReceive,
    /// Amazon Location: a grant for a tracker.
    Location,
    /// CloudTrail: write encrypted logs.
    CloudTrail,
    /// A principal the policy names: what it may do with the key.
    Principal {
        /// Its ARN.
        arn: String,
        /// Whether the policy gives it key administration.
        admin: bool,
        /// Whether the policy gives it use of the key.
        user: bool,
    },
}

impl Flow {
    /// The verdict card's title.
    pub fn title(&self) -> String {
        match self {
            Flow::WorkMail => "WorkMail: create the organization, write and read mail".to_owned(),
            Flow::SesReceive => "SES: receive mail into S3 (and its owner reads it)".to_owned(),
            Flow::Location => "Amazon Location: a grant for the tracker".to_owned(),
            Flow::CloudTrail => "CloudTrail: write encrypted logs".to_owned(),
            Flow::Principal { arn, admin, user } => {
                let role = match (admin, user) {
                    (true, true) => "Key administrator and user",
                    (true, false) => "Key administrator",
                    _ => "Key user",
                };
                format!("{role}: {}", short_name(arn))
            }
        }
    }

    /// A stable id for the flow (the page's test ids and anchors).
    pub fn slug(&self) -> String {
        match self {
            Flow::WorkMail => "workmail".to_owned(),
            Flow::SesReceive => "ses".to_owned(),
            Flow::Location => "location".to_owned(),
            Flow::CloudTrail => "cloudtrail".to_owned(),
            Flow::Principal { arn, .. } => format!(
                "principal-{}",
                short_name(arn)
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    })
                    .collect::<String>()
            ),
        }
    }
}

/// `role/Name` of an IAM ARN, or the ARN.
pub fn short_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// The IAM policy the flows' IAM principals have: what the service's documentation says
/// its administrator needs ("IAM policy or key policy"): only the key policy decides.
fn iam_allowing(actions: &[&str]) -> Value {
    json!([{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}])
}

fn creator(names: &Names) -> Value {
    json!({"arn": format!("arn:aws:iam::{}:role/KeyCreator", names.account), "policies": iam_allowing(&["kms:*"])})
}

fn create_key(policy: &str) -> Value {
    json!({"id": "key", "call": "kms:CreateKey", "as": "creator",
           "request": {"Description": "The key whose policy is checked", "Policy": policy, "BypassPolicyLockoutSafetyCheck": true}})
}

fn scenario(
    names: &Names,
    name: &str,
    title: &str,
    description: &str,
    principals: Value,
    steps: Vec<Value>,
) -> Value {
    json!({"name": name, "title": title, "description": description, "seed": 1,
           "region": names.region, "account": names.account, "principals": principals, "steps": steps})
}

const KEY: &str = "${key.KeyMetadata.Arn}";

/// The number of steps every flow starts with before the calls it checks.
pub const SETUP_STEPS: usize = 1;

/// The WorkMail flow (standard setup, the customer managed key).
pub fn workmail(policy: &str, n: &Names) -> Value {
    let org = "${org.OrganizationId}";
    scenario(n, "check-workmail", "Check: WorkMail with this key policy",
        "WorkMail's administrator creates an organization with the key (WorkMail, for the administrator, describes the key and creates its grant through kms:ViaService), a mailbox, delivers a message and reads it. The administrator's IAM policy allows kms:CreateGrant, kms:Encrypt, kms:Decrypt and kms:DescribeKey, as the WorkMail documentation asks: the key policy decides.",
        json!({"creator": creator(n), "admin": {"arn": n.workmail_admin, "policies": iam_allowing(&["kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"])}}),
        vec![
            create_key(policy),
            json!({"id": "org", "call": "workmail:CreateOrganization", "as": "admin", "request": {"Alias": n.organization, "KmsKeyArn": KEY}, "expect": "ok"}),
            json!({"id": "user", "call": "workmail:CreateUser", "as": "admin", "request": {"OrganizationId": org, "Name": "alice", "DisplayName": "Alice"}, "expect": "ok"}),
            json!({"call": "workmail:RegisterToWorkMail", "as": "admin", "request": {"OrganizationId": org, "EntityId": "${user.UserId}", "Email": "alice@example.com"}, "expect": "ok"}),
            json!({"id": "msg", "call": "workmail:DeliverMessage", "request": {"OrganizationId": org, "Mailbox": "alice@example.com", "Subject": "Policy check", "Body": "Written and read with the checked key.", "Kind": "mail"}, "expect": "ok"}),
            json!({"call": "workmail:ReadMessage", "request": {"OrganizationId": org, "Mailbox": "alice@example.com", "MessageId": "${msg.MessageId}", "Client": "alice-laptop"}, "expect": "ok"}),
        ])
}

/// The SES receiving flow: a receipt rule with the key, a message, its owner decrypts.
pub fn ses(policy: &str, n: &Names) -> Value {
    let bucket = "policy-check-inbound-mail";
    scenario(n, "check-ses", "Check: SES receiving with this key policy",
        "A receipt rule stores mail in S3 encrypted under the key: SES calls GenerateDataKey as ses.amazonaws.com with the account, rule and message id as encryption context (and aws:SourceAccount, aws:SourceArn). The mail's owner (role/MailReader, whose IAM policy allows kms:Decrypt) then reads it with the S3 encryption client.",
        json!({"creator": creator(n), "owner": {"arn": format!("arn:aws:iam::{}:role/MailReader", n.account), "policies": iam_allowing(&["kms:Decrypt"])}}),
        vec![
            create_key(policy),
            json!({"call": "s3:CreateBucket", "request": {"Bucket": bucket}}),
            json!({"call": "ses:CreateReceiptRuleSet", "request": {"RuleSetName": n.rule_set}}),
            json!({"call": "ses:CreateReceiptRule", "request": {"RuleSetName": n.rule_set, "Rule": {"Name": n.rule, "Enabled": true, "Recipients": ["example.com"],
                "Actions": [{"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "mail/", "KmsKeyArn": KEY}}]}}}),
            json!({"call": "ses:SetActiveReceiptRuleSet", "request": {"RuleSetName": n.rule_set}}),
            json!({"id": "mail", "call": "ses:ReceiveEmail", "request": {"From": "carol@partner.example", "To": "alice@example.com", "Subject": "Policy check", "Body": "Encrypted by SES with the checked key."}, "expect": "ok"}),
            json!({"call": "s3ec:GetObject", "as": "owner", "request": {"Bucket": bucket, "Key": "mail/${mail.MessageId}"}, "expect": "ok"}),
        ])
}

/// The Amazon Location flow: the role creates a grant for geo through Amazon Location.
pub fn location(policy: &str, n: &Names) -> Value {
    let via = format!("geo.{}.amazonaws.com", n.region);
    scenario(n, "check-location", "Check: Amazon Location with this key policy",
        "Amazon Location, for the Location role, creates a grant on the key for the tracker (kms:ViaService geo, the tracker's ARN as the grant's encryption context). The role's IAM policy allows kms:CreateGrant: the key policy decides.",
        json!({"creator": creator(n), "location": {"arn": n.location_role, "policies": iam_allowing(&["kms:CreateGrant"])}}),
        vec![
            create_key(policy),
            json!({"call": "kms:CreateGrant", "as": {"principal": "location", "via": via}, "request": {"KeyId": KEY, "GranteePrincipal": via,
                "Operations": ["GenerateDataKey", "Decrypt"], "Constraints": {"EncryptionContextSubset": {"aws:geo:arn": n.tracker_arn()}}}, "expect": "ok"}),
        ])
}

/// The CloudTrail flow: the trail asks for a data key to encrypt a log file.
pub fn cloudtrail(policy: &str, n: &Names) -> Value {
    let trail = n.trail_arn();
    scenario(n, "check-cloudtrail", "Check: CloudTrail with this key policy",
        "CloudTrail, as cloudtrail.amazonaws.com for the trail (aws:SourceArn, aws:SourceAccount), asks KMS for a data key to encrypt a log file, with the trail's ARN as encryption context.",
        json!({"creator": creator(n)}),
        vec![
            create_key(policy),
            json!({"call": "kms:GenerateDataKey", "as": {"service": "cloudtrail.amazonaws.com", "sourceAccount": n.account, "sourceArn": trail},
                "request": {"KeyId": KEY, "KeySpec": "AES_256", "EncryptionContext": {"aws:cloudtrail:arn": trail}}, "expect": "ok"}),
        ])
}

/// What the default key policy's "key administrators" statement allows, in the order
/// the flow tries them (state changes last, and undone where they can be): *Default key
/// policy*, <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators>.
const ADMIN_OPERATIONS: &[Operation] = &[
    Operation::DescribeKey,
    Operation::GetKeyPolicy,
    Operation::ListGrants,
    Operation::ListResourceTags,
    Operation::TagResource,
    Operation::UpdateKeyDescription,
    Operation::EnableKeyRotation,
    Operation::PutKeyPolicy,
    Operation::RevokeGrant,
    Operation::DisableKey,
    Operation::EnableKey,
    Operation::ScheduleKeyDeletion,
    Operation::CancelKeyDeletion,
];

/// What its "key users" statement allows (the same page, *Allows key users to use the
/// KMS key*), and the grant for AWS resources.
const USER_OPERATIONS: &[Operation] = &[
    Operation::DescribeKey,
    Operation::Encrypt,
    Operation::Decrypt,
    Operation::ReEncrypt,
    Operation::GenerateDataKey,
    Operation::GenerateDataKeyWithoutPlaintext,
    Operation::CreateGrant,
];

/// The principals the policy names in `Allow` statements (IAM users and roles, not the
/// account root, `*` or services), each with whether its statements give it
/// administration and use of the key.
pub fn named_principals(doc: &PolicyDocument) -> Vec<Flow> {
    let mut out: Vec<Flow> = Vec::new();
    for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let Some(PrincipalElement::Principal(PrincipalSpec::Named { aws, .. })) = &st.principal
        else {
            continue;
        };
        for arn in aws
            .iter()
            .filter(|a| a.starts_with("arn:aws:iam::") && !a.ends_with(":root") && !a.contains('*'))
        {
            // Grant management (ListGrants, RevokeGrant) is the key users' too, in the
            // default policy's "persistent resources" statement.
            let admin = ADMIN_OPERATIONS.iter().any(|o| {
                is_admin(*o)
                    && !matches!(o, Operation::ListGrants | Operation::RevokeGrant)
                    && covers(&st.action, o.iam_action())
            });
            let user = USER_OPERATIONS.iter().any(|o| {
                o.takes_encryption_context()
                    && *o != Operation::CreateGrant
                    && covers(&st.action, o.iam_action())
            });
            match out
                .iter_mut()
                .find(|f| matches!(f, Flow::Principal { arn: a, .. } if a == arn))
            {
                Some(Flow::Principal {
                    admin: a, user: u, ..
                }) => {
                    *a |= admin;
                    *u |= user;
                }
                _ => out.push(Flow::Principal {
                    arn: arn.clone(),
                    admin,
                    user,
                }),
            }
        }
    }
    out
}

/// Key administration as the default policy splits it: everything but DescribeKey and
/// the cryptographic operations and grants of the key users' statements.
fn is_admin(o: Operation) -> bool {
    !USER_OPERATIONS.contains(&o)
}

/// Whether an `Action`/`NotAction` element covers `action` (case-insensitive, `*` and `?`).
pub fn covers(element: &ActionElement, action: &str) -> bool {
    let hit = |patterns: &[String]| {
        patterns
            .iter()
            .any(|p| crate::authz::glob_match_ignore_case(p, action))
    };
    match element {
        ActionElement::Action(p) => hit(p),
        ActionElement::NotAction(p) => !hit(p),
    }
}

/// The operations tried for a named principal: those its statements allow.
fn operations_for(doc: &PolicyDocument, arn: &str) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    for op in ADMIN_OPERATIONS.iter().chain(USER_OPERATIONS) {
        let named = doc.statements.iter().any(|st| {
            st.effect == Effect::Allow
                && matches!(&st.principal, Some(PrincipalElement::Principal(PrincipalSpec::Named { aws, .. })) if aws.iter().any(|a| a == arn))
                && covers(&st.action, op.iam_action())
        });
        if named && !ops.contains(op) {
            ops.push(*op);
        }
    }
    // Cryptography before the state changes, so a disabled key does not refuse it.
    ops.sort_by_key(|o| {
        (
            is_admin(*o)
                && *o != Operation::DescribeKey
                && *o != Operation::GetKeyPolicy
                && *o != Operation::ListGrants
                && *o != Operation::ListResourceTags,
            ADMIN_OPERATIONS
                .iter()
                .chain(USER_OPERATIONS)
                .position(|x| x == o),
        )
    });
    ops
}

/// How a named principal makes a call so that its statement's conditions can hold: through
/// the service its `kms:ViaService` condition names, with the encryption context its
/// `StringEquals` context conditions name.
fn calling_as(
    doc: &PolicyDocument,
    arn: &str,
    op: Operation,
    region: &str,
) -> (Option<String>, serde_json::Map<String, Value>) {
    let mut via = None;
    let mut context = serde_json::Map::new();
    let statement = doc.statements.iter().find(|st| {
        st.effect == Effect::Allow
            && matches!(&st.principal, Some(PrincipalElement::Principal(PrincipalSpec::Named { aws, .. })) if aws.iter().any(|a| a == arn))
            && covers(&st.action, op.iam_action())
    });
    for c in statement.iter().flat_map(|st| &st.conditions) {
        let key = c.key.to_ascii_lowercase();
        // "Allow attachment of persistent resources": the grant is for an AWS service
        // that integrates with KMS, so the call comes through one (Amazon EBS here).
        if key == "kms:grantisforawsresource" && c.values.iter().any(|v| v == "true") {
            via = via.or_else(|| Some(format!("ebs.{region}.amazonaws.com")));
            continue;
        }
        let equals = c.operator.set.is_none()
            && matches!(
                c.operator.base,
                BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase
            );
        if !equals {
            continue;
        }
        if key == "kms:viaservice" {
            via = c.values.first().cloned();
        } else if let Some(k) = c
            .key
            .get("kms:EncryptionContext:".len()..)
            .filter(|_| key.starts_with("kms:encryptioncontext:"))
        {
            if let Some(v) = c.values.first() {
                context.insert(k.to_owned(), Value::String(v.clone()));
            }
        }
    }
    (via, context)
}

/// The flow of one named principal: each operation its statements allow, made as they
/// intend (through a service, with a context), on a key that has a ciphertext to
/// decrypt. The key is made with the default key policy, `role/KeyCreator` encrypts a
/// sample, then sets the pasted policy (with the lockout check bypassed).
pub fn principal(policy: &str, doc: &PolicyDocument, n: &Names, arn: &str) -> Value {
    // The sample is sealed with the context the principal's Decrypt statement names.
    let (_, sealed) = calling_as(doc, arn, Operation::Decrypt, &n.region);
    let mut sample = json!({"KeyId": KEY, "Plaintext": "c2FtcGxl"});
    if !sealed.is_empty() {
        sample["EncryptionContext"] = Value::Object(sealed.clone());
    }
    let mut steps = vec![
        json!({"id": "key", "call": "kms:CreateKey", "as": "creator", "request": {"Description": "The key whose policy is checked"}}),
        json!({"id": "sample", "call": "kms:Encrypt", "as": "creator", "request": sample}),
        json!({"id": "grant", "call": "kms:CreateGrant", "as": "creator", "request": {"KeyId": KEY, "GranteePrincipal": format!("arn:aws:iam::{}:role/KeyCreator", n.account), "Operations": ["Decrypt"]}}),
        json!({"call": "kms:PutKeyPolicy", "as": "creator", "request": {"KeyId": KEY, "Policy": policy, "BypassPolicyLockoutSafetyCheck": true}}),
    ];
    for op in operations_for(doc, arn) {
        let (via, context) = calling_as(doc, arn, op, &n.region);
        let actor = match via {
            Some(via) => json!({"principal": "subject", "via": via}),
            None => json!("subject"),
        };
        let with_context = |mut r: Value| {
            if !context.is_empty() {
                r["EncryptionContext"] = Value::Object(context.clone());
            }
            r
        };
        let request = match op {
            Operation::DescribeKey
            | Operation::GetKeyPolicy
            | Operation::ListGrants
            | Operation::ListResourceTags
            | Operation::EnableKeyRotation
            | Operation::DisableKey
            | Operation::EnableKey
            | Operation::CancelKeyDeletion => json!({"KeyId": KEY}),
            Operation::TagResource => {
                json!({"KeyId": KEY, "Tags": [{"TagKey": "checked-by", "TagValue": "kms-playground"}]})
            }
            Operation::UpdateKeyDescription => {
                json!({"KeyId": KEY, "Description": "The key whose policy is checked"})
            }
            Operation::PutKeyPolicy => json!({"KeyId": KEY, "Policy": policy}),
            Operation::RevokeGrant => {
                json!({"KeyId": KEY, "GrantId": "${grant.GrantId}"})
            }
            Operation::ScheduleKeyDeletion => json!({"KeyId": KEY, "PendingWindowInDays": 7}),
            Operation::Encrypt => with_context(json!({"KeyId": KEY, "Plaintext": "c2FtcGxl"})),
            Operation::Decrypt => {
                with_context(json!({"KeyId": KEY, "CiphertextBlob": "${sample.CiphertextBlob}"}))
            }
            Operation::ReEncrypt => {
                let mut r =
                    json!({"CiphertextBlob": "${sample.CiphertextBlob}", "DestinationKeyId": KEY});
                if !sealed.is_empty() {
                    r["SourceEncryptionContext"] = Value::Object(sealed.clone());
                    r["DestinationEncryptionContext"] = Value::Object(sealed.clone());
                }
                r
            }
            Operation::GenerateDataKey | Operation::GenerateDataKeyWithoutPlaintext => {
                with_context(json!({"KeyId": KEY, "KeySpec": "AES_256"}))
            }
            Operation::CreateGrant => {
                let mut r =
                    json!({"KeyId": KEY, "GranteePrincipal": arn, "Operations": ["Decrypt"]});
                if !context.is_empty() {
                    r["Constraints"] = json!({"EncryptionContextSubset": context});
                }
                r
            }
            _ => continue,
        };
        steps.push(json!({"call": format!("kms:{}", op.name()), "as": actor, "request": request, "expect": "ok"}));
    }
    scenario(n, "check-principal", &format!("Check: what {} may do with the key", short_name(arn)),
        &format!("{arn} calls each operation the policy's statements give it, as they intend it (through the service a kms:ViaService condition names, with the encryption context a condition names). It has no IAM policy: only the key policy decides. Before it, role/KeyCreator creates the key, encrypts a sample for Decrypt and ReEncrypt, creates a grant for RevokeGrant, and sets the checked policy."),
        json!({"creator": creator(n), "subject": {"arn": arn}}),
        steps)
}

/// The number of setup steps of a principal's flow (create the key, encrypt a sample,
/// create a grant to revoke, set the policy).
pub const PRINCIPAL_SETUP_STEPS: usize = 4;

/// The lockout probe: who could change the policy later. `role/KeyAdmin` (an IAM policy
/// allowing `kms:*`, so it stands for the account's administrators when the policy
/// delegates to IAM), then each named principal, calls PutKeyPolicy with the same policy
/// and the safety check on.
pub fn lockout(policy: &str, doc: &PolicyDocument, n: &Names) -> Value {
    let mut principals = json!({"creator": creator(n), "admin": {"arn": format!("arn:aws:iam::{}:role/KeyAdmin", n.account), "policies": iam_allowing(&["kms:*"])}});
    let mut steps = vec![
        create_key(policy),
        json!({"call": "kms:PutKeyPolicy", "as": "admin", "request": {"KeyId": KEY, "Policy": policy}, "expect": "ok"}),
    ];
    for (i, f) in named_principals(doc).iter().enumerate() {
        if let Flow::Principal { arn, .. } = f {
            let name = format!("p{i}");
            principals[&name] = json!({"arn": arn});
            steps.push(json!({"call": "kms:PutKeyPolicy", "as": name, "request": {"KeyId": KEY, "Policy": policy}, "expect": "ok"}));
        }
    }
    scenario(n, "check-lockout", "Check: can anyone change this key policy later?",
        "AWS's policy lockout safety check: the account's administrators (role/KeyAdmin, whose IAM policy allows kms:*) and each principal the policy names try PutKeyPolicy with the same policy.",
        principals, steps)
}
