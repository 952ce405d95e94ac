//! The request side of an authorization decision: who calls, what they ask for, and the
//! condition keys the request carries.

use std::collections::BTreeMap;

use serde::Serialize;

/// Who is making the request.
///
/// AWS evaluates a request against the identity that signed it (an IAM user or role, or
/// the account root) or, for services that call KMS with their own identity such as
/// CloudTrail and SES, against a service principal
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CallerPrincipal {
    /// IAM user/role/root: `arn` like `arn:aws:iam::111122223333:role/Reader` or
    /// `arn:aws:iam::111122223333:root`, and the account it belongs to.
    Iam {
        /// The caller's ARN.
        arn: String,
        /// The 12-digit account the caller belongs to.
        account: String,
    },
    /// AWS service principal, e.g. `ses.amazonaws.com`.
    Service {
        /// The service principal name.
        name: String,
    },
}

impl CallerPrincipal {
    /// An IAM caller; the account is read from the ARN's fifth component. `None` if
    /// `arn` is not an ARN with an account.
    pub fn iam(arn: &str) -> Option<CallerPrincipal> {
        let account = arn.split(':').nth(4).filter(|a| !a.is_empty())?;
        arn.starts_with("arn:").then(|| CallerPrincipal::Iam {
            arn: arn.to_string(),
            account: account.to_string(),
        })
    }

    /// A service principal such as `cloudtrail.amazonaws.com`.
    pub fn service(name: &str) -> CallerPrincipal {
        CallerPrincipal::Service {
            name: name.to_string(),
        }
    }

    /// The ARN or service name, for messages.
    pub fn display_name(&self) -> &str {
        match self {
            CallerPrincipal::Iam { arn, .. } => arn,
            CallerPrincipal::Service { name } => name,
        }
    }

    /// The caller's account, if it is an IAM principal.
    pub fn account(&self) -> Option<&str> {
        match self {
            CallerPrincipal::Iam { account, .. } => Some(account),
            CallerPrincipal::Service { .. } => None,
        }
    }

    /// Whether the caller is the account principal itself
    /// (`arn:<partition>:iam::<account>:root`), which a key policy naming the account
    /// matches directly: "the account principal represents the account and its
    /// administrators, including the account root user"
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements>).
    pub fn is_account_root(&self) -> bool {
        match self {
            CallerPrincipal::Iam { arn, account } => is_root_arn_of(arn, account),
            CallerPrincipal::Service { .. } => false,
        }
    }
}

/// `arn:<partition>:iam::<account>:root`.
pub(crate) fn is_root_arn_of(arn: &str, account: &str) -> bool {
    // arn:<partition>:iam::<account>:root, read from both ends without splitting.
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.strip_suffix(":root"))
        .and_then(|rest| rest.strip_suffix(account))
        .and_then(|rest| rest.strip_suffix(":iam::"))
        .is_some_and(|partition| !partition.contains(':') && !account.contains(':'))
}

/// The account of an account principal written as `arn:<partition>:iam::<account>:root`
/// or as a bare 12-digit account id (IAM treats both forms as the same principal:
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts>).
pub(crate) fn account_principal(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let rest = value.strip_prefix("arn:")?.strip_suffix(":root")?;
    let (partition, rest) = rest.split_once(':')?;
    let account = rest.strip_prefix("iam::")?;
    (!account.is_empty() && !account.contains(':'))
        .then_some(account)
        .filter(|_| !partition.contains(':'))
}

/// A request as the policy evaluator reads it: who calls, the action, the resource, and
/// the value of each condition key a policy asks about.
///
/// [`RequestContext`] holds the keys in a map; a service may instead compute a key's
/// values only when a condition asks for it (KMS does, in `kms::condition_keys`), so a
/// request that meets no condition costs no key at all.
pub trait RequestKeys {
    /// Who is calling.
    fn principal(&self) -> &CallerPrincipal;
    /// The action, e.g. `kms:Decrypt`.
    fn action(&self) -> &str;
    /// The resource, i.e. the key ARN (or `*`).
    fn resource(&self) -> &str;
    /// The values of condition key `key`, found as AWS finds key names (see
    /// [`RequestContext::get`]); `None` when the request does not carry the key.
    fn get(&self, key: &str) -> Option<Vec<&str>>;
    /// Every key the request carries, with its values (to show the request context).
    fn all(&self) -> BTreeMap<String, Vec<String>>;
    /// Whether `key` is one the service evaluates only in identity-based policies: a key
    /// policy sees it as absent (AWS KMS: `aws:ResourceTag/*` and `kms:ResourceAliases`).
    fn iam_only(&self, _key: &str) -> bool {
        false
    }
}

impl RequestKeys for RequestContext {
    fn principal(&self) -> &CallerPrincipal {
        &self.principal
    }
    fn action(&self) -> &str {
        &self.action
    }
    fn resource(&self) -> &str {
        &self.resource
    }
    fn get(&self, key: &str) -> Option<Vec<&str>> {
        RequestContext::get(self, key).map(|v| v.iter().map(String::as_str).collect())
    }
    fn all(&self) -> BTreeMap<String, Vec<String>> {
        self.keys.clone()
    }
}

/// One request as the policy evaluator sees it: the principal, the action, the resource
/// and the condition context keys.
///
/// Follows the IAM request context
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html#intro-structure-request>):
/// keys the request does not carry are simply absent, and a multivalued key such as
/// `kms:EncryptionContextKeys` or `kms:GrantOperations` holds several values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    /// Who is calling.
    pub principal: CallerPrincipal,
    /// The action, e.g. `kms:Decrypt`.
    pub action: String,
    /// The resource, i.e. the key ARN.
    pub resource: String,
    /// Condition context keys present in the request, named as AWS spells them
    /// (`kms:ViaService`, `kms:EncryptionContext:aws:ses:rule-name`, `aws:SourceArn`,
    /// `aws:PrincipalArn`, `kms:CallerAccount`, `kms:EncryptionContextKeys`,
    /// `kms:GrantOperations`, `kms:GrantIsForAWSResource`, `aws:SourceAccount`, ...).
    /// Multivalued keys have several values; absent keys are not in the map.
    pub keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    /// A request with no condition keys yet.
    pub fn new(principal: CallerPrincipal, action: &str, resource: &str) -> RequestContext {
        RequestContext {
            principal,
            action: action.to_string(),
            resource: resource.to_string(),
            keys: BTreeMap::new(),
        }
    }

    /// Adds a single-valued key (builder style).
    pub fn with(mut self, key: &str, value: &str) -> RequestContext {
        self.keys.insert(key.to_string(), vec![value.to_string()]);
        self
    }

    /// Adds a multivalued key (builder style).
    pub fn with_values(mut self, key: &str, values: &[&str]) -> RequestContext {
        self.keys.insert(
            key.to_string(),
            values.iter().map(|v| v.to_string()).collect(),
        );
        self
    }

    /// Adds the keys AWS KMS derives from a request's encryption context: one
    /// single-valued `kms:EncryptionContext:<context-key>` per pair, and the multivalued
    /// `kms:EncryptionContextKeys` listing the context keys. An empty context adds
    /// neither, so `Null` sees them as absent
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys>).
    pub fn with_encryption_context(mut self, context: &BTreeMap<String, String>) -> Self {
        if context.is_empty() {
            return self;
        }
        for (k, v) in context {
            self.keys
                .insert(format!("kms:EncryptionContext:{k}"), vec![v.clone()]);
        }
        self.keys.insert(
            "kms:EncryptionContextKeys".to_string(),
            context.keys().cloned().collect(),
        );
        self
    }

    /// Looks up a condition key with AWS's case rules.
    ///
    /// Condition key *names* are not case-sensitive: `aws:SourceIP` is `AWS:SourceIp`
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>).
    /// That includes the context-key part of `kms:EncryptionContext:<context-key>`: "the
    /// condition key, which consists of the `kms:EncryptionContext:` prefix and the
    /// context-key replacement, is not case sensitive"; only the value's case is decided
    /// by the operator
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-case>).
    ///
    /// If the request holds several keys differing only by case (an encryption context
    /// with both `Dept` and `dept`), AWS matches one of them and warns that the result is
    /// unpredictable; here an exact-case key wins, otherwise the first in sorted order.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if let Some(values) = self.keys.get(key) {
            return Some(values);
        }
        let wanted = key.to_lowercase();
        self.keys
            .iter()
            .find(|(k, _)| k.to_lowercase() == wanted)
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_case_insensitive_including_the_context_key() {
        let ctx = RequestContext::new(CallerPrincipal::service("ses.amazonaws.com"), "a", "r")
            .with("kms:ViaService", "ses.us-east-1.amazonaws.com")
            .with("kms:EncryptionContext:AppName", "ExampleApp");
        assert_eq!(
            ctx.get("KMS:viaservice"),
            Some(&["ses.us-east-1.amazonaws.com".to_string()][..])
        );
        assert_eq!(
            ctx.get("kms:encryptioncontext:APPNAME"),
            Some(&["ExampleApp".to_string()][..])
        );
        assert_eq!(ctx.get("kms:EncryptionContext:Other"), None);
    }

    #[test]
    fn exact_case_wins_over_case_folded_match() {
        let ctx = RequestContext::new(CallerPrincipal::service("s"), "a", "r")
            .with("kms:EncryptionContext:Dept", "upper")
            .with("kms:EncryptionContext:dept", "lower");
        assert_eq!(
            ctx.get("kms:EncryptionContext:dept"),
            Some(&["lower".to_string()][..])
        );
        assert_eq!(
            ctx.get("kms:EncryptionContext:Dept"),
            Some(&["upper".to_string()][..])
        );
    }

    #[test]
    fn encryption_context_keys() {
        let context: BTreeMap<String, String> = [("b", "2"), ("a", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let ctx = RequestContext::new(CallerPrincipal::service("s"), "a", "r")
            .with_encryption_context(&context);
        assert_eq!(
            ctx.get("kms:EncryptionContextKeys"),
            Some(&["a".to_string(), "b".to_string()][..])
        );
        assert_eq!(
            ctx.get("kms:EncryptionContext:b"),
            Some(&["2".to_string()][..])
        );
        let empty = RequestContext::new(CallerPrincipal::service("s"), "a", "r")
            .with_encryption_context(&BTreeMap::new());
        assert!(empty.keys.is_empty());
    }

    proptest::proptest! {
        /// The byte-level readers of account principals agree with reading the ARN's six
        /// colon-separated parts.
        #[test]
        fn account_principals_read_as_six_parts(
            value in "(arn:)?(aws)?:?(iam)?::?(1{0,3}|111122223333)?:?(root|role/R)?:?",
            account in "(1{0,3}|111122223333)",
        ) {
            let parts: Vec<&str> = value.split(':').collect();
            let by_parts = match parts.as_slice() {
                ["arn", _, "iam", "", a, "root"] if !a.is_empty() => Some(*a),
                _ => None,
            };
            let digits = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit());
            proptest::prop_assert_eq!(
                account_principal(&value),
                if digits { Some(value.as_str()) } else { by_parts }
            );
            let root = matches!(parts.as_slice(), ["arn", _, "iam", "", a, "root"] if *a == account);
            proptest::prop_assert_eq!(is_root_arn_of(&value, &account), root);
        }
    }

    #[test]
    fn caller_roots_and_accounts() {
        let root = CallerPrincipal::iam("arn:aws:iam::111122223333:root").unwrap();
        assert!(root.is_account_root());
        let role = CallerPrincipal::iam("arn:aws:iam::111122223333:role/Reader").unwrap();
        assert!(!role.is_account_root());
        assert_eq!(role.account(), Some("111122223333"));
        assert_eq!(CallerPrincipal::iam("not an arn"), None);
        assert!(!CallerPrincipal::service("ses.amazonaws.com").is_account_root());
        assert_eq!(account_principal("111122223333"), Some("111122223333"));
        assert_eq!(
            account_principal("arn:aws:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(account_principal("arn:aws:iam::111122223333:role/R"), None);
        assert_eq!(account_principal("11112222333"), None);
    }
}
