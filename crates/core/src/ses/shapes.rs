//! SES's requests and responses, with the member names of the Amazon SES API
//! (`CreateReceiptRuleSet`, `CreateReceiptRule`, ...), and the playground's `ReceiveEmail`,
//! which stands for a message arriving at SES's inbound endpoint.

use super::ReceiptRule;
use serde::{Deserialize, Serialize};

crate::service_operations! {
    /// A typed SES request.
    request SesRequest;
    /// A typed SES response.
    response SesResponse;
    /// Creates an (inactive) receipt rule set.
    CreateReceiptRuleSet(RuleSetRequest) -> Empty,
    /// Adds a rule to a rule set.
    CreateReceiptRule(CreateRuleRequest) -> Empty,
    /// Makes a rule set the one SES applies.
    SetActiveReceiptRuleSet(RuleSetRequest) -> Empty,
    /// Describes a rule.
    DescribeReceiptRule(DescribeRuleRequest) -> DescribeRuleResponse,
    /// A message arrives.
    ReceiveEmail(ReceiveEmailRequest) -> ReceiveEmailResponse,
}

/// Requests that name a rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RuleSetRequest {
    /// The rule set.
    pub rule_set_name: String,
}

/// `CreateReceiptRule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateRuleRequest {
    /// The rule set.
    pub rule_set_name: String,
    /// The rule.
    pub rule: ReceiptRule,
    /// Insert after this rule (first, if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `DescribeReceiptRule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DescribeRuleRequest {
    /// The rule set.
    pub rule_set_name: String,
    /// The rule.
    pub rule_name: String,
}

/// `ReceiveEmail`: a message arrives at SES.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ReceiveEmailRequest {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A response with no members.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Empty {}

/// `DescribeReceiptRule` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeRuleResponse {
    /// The rule.
    pub rule: ReceiptRule,
}

/// Where a received mail was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoredObject {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// `ReceiveEmail` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveEmailResponse {
    /// SES's inbound message id (the `aws:ses:message-id` of the context).
    pub message_id: String,
    /// The rule that matched.
    pub rule_name: String,
    /// Where it was written.
    pub stored: Vec<StoredObject>,
}
