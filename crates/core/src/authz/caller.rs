//! Who makes a request, and through what.
//!
//! Every KMS request is made by a principal. An IAM principal may call KMS directly or
//! through an AWS service that acts on its behalf (WorkMail creating a grant for the user
//! who creates an organization): KMS then sets `kms:ViaService` to the service endpoint and
//! `kms:CallerAccount` to the principal's account (AWS KMS developer guide, *kms:ViaService*).
//! A service principal (`ses.amazonaws.com`) calls with its own identity, and the request
//! carries `aws:SourceAccount` / `aws:SourceArn` for the resource it acts for (IAM User
//! Guide, *The confused deputy problem*).

use super::context::CallerPrincipal;
use serde::Serialize;

/// The principal, and the service (if any) it calls through.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Caller {
    /// The identity making the request.
    pub principal: CallerPrincipal,
    /// The service endpoint an IAM principal calls through, e.g.
    /// `workmail.us-east-1.amazonaws.com` (becomes `kms:ViaService`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_service: Option<String>,
    /// `aws:SourceAccount`, for service principals acting for a resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_account: Option<String>,
    /// `aws:SourceArn`, for service principals acting for a resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
}

impl Caller {
    /// An IAM user, role or account root calling KMS directly. The account is read from
    /// the ARN (`arn:aws:iam::ACCOUNT:...`).
    pub fn iam(arn: impl Into<String>) -> Self {
        let arn = arn.into();
        let account = arn_account(&arn).unwrap_or_default().to_owned();
        Caller {
            principal: CallerPrincipal::Iam { arn, account },
            via_service: None,
            source_account: None,
            source_arn: None,
        }
    }

    /// The root user of `account`.
    pub fn root(account: &str) -> Self {
        Self::iam(format!("arn:aws:iam::{account}:root"))
    }

    /// This IAM principal, calling through the service endpoint `via`.
    pub fn via(mut self, via: impl Into<String>) -> Self {
        self.via_service = Some(via.into());
        self
    }

    /// A service principal such as `ses.amazonaws.com`.
    pub fn service(name: impl Into<String>) -> Self {
        Caller {
            principal: CallerPrincipal::Service { name: name.into() },
            via_service: None,
            source_account: None,
            source_arn: None,
        }
    }

    /// Sets `aws:SourceAccount` and `aws:SourceArn`.
    pub fn on_behalf_of(
        mut self,
        source_account: Option<String>,
        source_arn: Option<String>,
    ) -> Self {
        self.source_account = source_account;
        self.source_arn = source_arn;
        self
    }

    /// The principal's ARN, or the service principal's name.
    pub fn name(&self) -> &str {
        match &self.principal {
            CallerPrincipal::Iam { arn, .. } => arn,
            CallerPrincipal::Service { name } => name,
        }
    }

    /// The principal's account, for IAM principals.
    pub fn account(&self) -> Option<&str> {
        match &self.principal {
            CallerPrincipal::Iam { account, .. } => Some(account),
            CallerPrincipal::Service { .. } => None,
        }
    }

    /// Whether this is the root user of an account.
    pub fn is_root(&self) -> bool {
        matches!(&self.principal, CallerPrincipal::Iam { arn, .. } if arn.ends_with(":root"))
    }
}

/// The account field of an ARN (`arn:partition:service:region:ACCOUNT:resource`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_account_from_arn() {
        let c = Caller::iam("arn:aws:iam::111122223333:role/Reader");
        assert_eq!(c.account(), Some("111122223333"));
        assert!(!c.is_root());
        assert!(Caller::root("111122223333").is_root());
        assert_eq!(Caller::service("ses.amazonaws.com").account(), None);
        assert_eq!(arn_account("nonsense"), None);
    }
}
