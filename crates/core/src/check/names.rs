//! The names a key policy refers to, read from the policy where it names them: the
//! account, the Region, the SES rule set and rule, the WorkMail organization, the Amazon
//! Location tracker, the CloudTrail trail, and the roles that act through WorkMail and
//! Amazon Location. What the policy does not name takes the seeds' example names.

use crate::authz::{PolicyDocument, PrincipalElement, PrincipalSpec};
use serde::{Deserialize, Serialize};

/// The names the checked flows use. Every field stays editable in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Names {
    /// The key's account (12 digits).
    pub account: String,
    /// The key's Region.
    pub region: String,
    /// The SES receipt rule set.
    pub rule_set: String,
    /// The SES receipt rule whose S3 action uses the key.
    pub rule: String,
    /// The WorkMail organization's alias.
    pub organization: String,
    /// The IAM principal that creates the WorkMail organization.
    pub workmail_admin: String,
    /// The Amazon Location tracker.
    pub tracker: String,
    /// The IAM principal that creates grants through Amazon Location.
    pub location_role: String,
    /// The CloudTrail trail.
    pub trail: String,
}

/// The seeds' account.
pub const DEFAULT_ACCOUNT: &str = "111122223333";

impl Default for Names {
    fn default() -> Self {
        Names::for_account(DEFAULT_ACCOUNT, "us-east-1")
    }
}

impl Names {
    /// The seeds' example names in `account` and `region`.
    pub fn for_account(account: &str, region: &str) -> Names {
        Names {
            account: account.to_owned(),
            region: region.to_owned(),
            rule_set: "inbound".to_owned(),
            rule: "store-encrypted".to_owned(),
            organization: "example-corp".to_owned(),
            workmail_admin: format!("arn:aws:iam::{account}:role/WorkMailAdmin"),
            tracker: "SAMPLE-Tracker".to_owned(),
            location_role: format!("arn:aws:iam::{account}:role/LocationTeam"),
            trail: "finance".to_owned(),
        }
    }

    /// The SES receipt rule's ARN (`aws:SourceArn` of SES's KMS calls).
    pub fn rule_arn(&self) -> String {
        format!(
            "arn:aws:ses:{}:{}:receipt-rule-set/{}:receipt-rule/{}",
            self.region, self.account, self.rule_set, self.rule
        )
    }

    /// The tracker's ARN.
    pub fn tracker_arn(&self) -> String {
        crate::scenario::presets::tracker_arn(&self.region, &self.account, &self.tracker)
    }

    /// The trail's ARN.
    pub fn trail_arn(&self) -> String {
        crate::scenario::presets::trail_arn(&self.region, &self.account, &self.trail)
    }

    /// Why these names cannot be used, if they cannot: each must be non-empty and the
    /// account twelve digits, as AWS requires.
    pub fn problem(&self) -> Option<String> {
        if self.account.len() != 12 || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!(
                "The account \"{}\" is not an AWS account id: it has 12 digits, such as 111122223333.",
                self.account
            ));
        }
        if !is_region(&self.region) {
            return Some(format!(
                "The Region \"{}\" is not a Region name such as us-east-1.",
                self.region
            ));
        }
        let fields = [
            ("SES rule set", &self.rule_set),
            ("SES rule", &self.rule),
            ("WorkMail organization", &self.organization),
            ("Amazon Location tracker", &self.tracker),
            ("CloudTrail trail", &self.trail),
        ];
        for (what, value) in fields {
            if value.trim().is_empty() || value.contains(['*', '?', '/', ':', '"']) {
                return Some(format!(
                    "The {what} name \"{value}\" is empty or holds a character a name cannot (* ? / : \")."
                ));
            }
        }
        for (what, arn) in [
            ("WorkMail administrator", &self.workmail_admin),
            ("Amazon Location role", &self.location_role),
        ] {
            if !arn.starts_with("arn:aws:iam::") || arn.split(':').count() != 6 {
                return Some(format!(
                    "The {what} \"{arn}\" is not an IAM ARN such as arn:aws:iam::{}:role/Name.",
                    self.account
                ));
            }
        }
        None
    }
}

fn is_region(region: &str) -> bool {
    region.split('-').count() >= 3
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An ARN's parts: service, Region, account, resource.
fn arn_parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    Some((parts.next()?, parts.next()?, parts.next()?, parts.next()?))
}

fn concrete(s: &str) -> bool {
    !s.is_empty() && !s.contains(['*', '?', '$'])
}

fn account_of(arn: &str) -> Option<&str> {
    let (_, _, account, _) = arn_parts(arn)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// The names `policy` refers to, the rest from the seeds. The account comes first from
/// an account principal (`arn:aws:iam::ACCOUNT:root`), then from any IAM ARN, then from
/// `kms:CallerAccount`, `aws:SourceAccount` or SES's `aws:ses:source-account`; the Region
/// from `kms:ViaService` or a Regional ARN in a condition.
pub fn names_from(policy: &PolicyDocument) -> Names {
    let mut account: Option<String> = None;
    let mut region: Option<String> = None;
    let mut found = Names::default();
    let mut any_arn_account: Option<String> = None;
    let (mut admin, mut location_role) = (None, None);
    for st in &policy.statements {
        let aws: &[String] = match &st.principal {
            Some(PrincipalElement::Principal(PrincipalSpec::Named { aws, .. })) => aws,
            _ => &[],
        };
        for p in aws {
            if p.ends_with(":root") && account.is_none() {
                account = account_of(p).map(str::to_owned);
            }
            if any_arn_account.is_none() {
                any_arn_account = account_of(p).map(str::to_owned);
            }
        }
        let named_role = aws
            .iter()
            .find(|p| p.starts_with("arn:aws:iam::") && !p.ends_with(":root"));
        // Only conditions that name a value (not Null, not a negation) name a thing.
        let naming = st.conditions.iter().filter(|c| {
            c.operator.base != crate::authz::BaseOperator::Null && !c.operator.base.is_negated()
        });
        for c in naming {
            let key = c.key.to_ascii_lowercase();
            for v in &c.values {
                match key.as_str() {
                    "kms:calleraccount"
                    | "aws:sourceaccount"
                    | "kms:encryptioncontext:aws:ses:source-account"
                        if concrete(v) && v.len() == 12 =>
                    {
                        any_arn_account.get_or_insert_with(|| v.clone());
                    }
                    "kms:viaservice" => {
                        let mut parts = v.split('.');
                        let service = parts.next().unwrap_or_default();
                        if let Some(r) = parts.next().filter(|r| concrete(r)) {
                            region.get_or_insert_with(|| r.to_owned());
                        }
                        match service {
                            "workmail" => admin = admin.or(named_role.cloned()),
                            "geo" => location_role = location_role.or(named_role.cloned()),
                            _ => {}
                        }
                    }
                    "kms:encryptioncontext:aws:ses:rule-name" if concrete(v) => {
                        found.rule = v.clone();
                    }
                    _ => {}
                }
                let Some((service, r, _, resource)) = arn_parts(v) else {
                    continue;
                };
                if concrete(r) && service != "iam" {
                    region.get_or_insert_with(|| r.to_owned());
                }
                match service {
                    "ses" => {
                        // receipt-rule-set/SET:receipt-rule/RULE
                        let mut it = resource.split(':');
                        if let Some(set) =
                            it.next().and_then(|s| s.strip_prefix("receipt-rule-set/"))
                        {
                            if concrete(set) {
                                found.rule_set = set.to_owned();
                            }
                        }
                        if let Some(rule) = it.next().and_then(|s| s.strip_prefix("receipt-rule/"))
                        {
                            if concrete(rule) {
                                found.rule = rule.to_owned();
                            }
                        }
                    }
                    "cloudtrail" => {
                        if let Some(t) = resource.strip_prefix("trail/").filter(|t| concrete(t)) {
                            found.trail = t.to_owned();
                        }
                    }
                    "geo" => {
                        if let Some(t) = resource.strip_prefix("tracker/").filter(|t| concrete(t)) {
                            found.tracker = t.to_owned();
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let account = account
        .or(any_arn_account)
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned());
    let region = region.unwrap_or_else(|| "us-east-1".to_owned());
    let defaults = Names::for_account(&account, &region);
    Names {
        account,
        region,
        workmail_admin: admin.unwrap_or(defaults.workmail_admin),
        location_role: location_role.unwrap_or(defaults.location_role),
        organization: defaults.organization,
        ..found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(policy: &str) -> Names {
        names_from(&PolicyDocument::parse(policy).expect("policy"))
    }

    #[test]
    fn reads_the_account_region_and_names_from_the_policy() {
        let n = names(
            r#"{"Statement": [
              {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
              {"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
               "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:ses:eu-west-1:444455556666:receipt-rule-set/mail:receipt-rule/archive"},
                             "Null": {"kms:EncryptionContext:aws:ses:rule-name": "false"}}},
              {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey", "Resource": "*",
               "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:444455556666:trail/audit"}}},
              {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/Geo"}, "Action": "kms:CreateGrant", "Resource": "*",
               "Condition": {"StringEquals": {"kms:ViaService": "geo.eu-west-1.amazonaws.com",
                                              "kms:EncryptionContext:aws:geo:arn": "arn:aws:geo:eu-west-1:444455556666:tracker/Fleet"}}}
            ]}"#,
        );
        assert_eq!(n.account, "444455556666");
        assert_eq!(n.region, "eu-west-1");
        assert_eq!((n.rule_set.as_str(), n.rule.as_str()), ("mail", "archive"));
        assert_eq!(n.trail, "audit");
        assert_eq!(n.tracker, "Fleet");
        assert_eq!(n.location_role, "arn:aws:iam::444455556666:role/Geo");
        assert_eq!(
            n.workmail_admin,
            "arn:aws:iam::444455556666:role/WorkMailAdmin"
        );
        assert_eq!(n.problem(), None);
    }

    #[test]
    fn wildcards_are_not_names_and_defaults_fill_the_rest() {
        let n = names(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey", "Resource": "*",
               "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:777788889999:trail/*"}}}}"#,
        );
        assert_eq!(
            n,
            Names::default(),
            "a pattern names no trail, Region or account"
        );
        let n = names(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {"StringEquals": {"kms:CallerAccount": "777788889999"}}}}"#,
        );
        assert_eq!(n.account, "777788889999");
    }

    #[test]
    fn problems_say_what_is_wrong() {
        let n = Names {
            account: "12".into(),
            ..Names::default()
        };
        assert!(n.problem().is_some_and(|p| p.contains("12 digits")));
        let n = Names {
            trail: "a/b".into(),
            ..Names::default()
        };
        assert!(n.problem().is_some_and(|p| p.contains("CloudTrail trail")));
        let n = Names {
            region: "nowhere".into(),
            ..Names::default()
        };
        assert!(n.problem().is_some());
    }
}
