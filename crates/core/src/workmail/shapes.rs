//! WorkMail's requests and responses, with the field names of the Amazon WorkMail API
//! (`CreateOrganization`, `CreateUser`, `RegisterToWorkMail`, `DescribeOrganization`) and
//! of the playground's own message operations (`DeliverMessage`, `ReadMessage`,
//! `DeleteMessage`: WorkMail's mail protocols are not an AWS API, so these stand for a
//! message arriving, being opened and being deleted).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

crate::service_operations! {
    /// A typed WorkMail request.
    request WorkMailRequest;
    /// A typed WorkMail response.
    response WorkMailResponse;
    /// Creates an organization with its KMS key.
    CreateOrganization(CreateOrganizationRequest) -> CreateOrganizationResponse,
    /// Describes an organization.
    DescribeOrganization(OrganizationRequest) -> DescribeOrganizationResponse,
    /// Creates a user (no mailbox yet).
    CreateUser(CreateUserRequest) -> CreateUserResponse,
    /// Gives a user a mailbox, and so a mailbox key.
    RegisterToWorkMail(RegisterToWorkMailRequest) -> Empty,
    /// A message arrives for a mailbox.
    DeliverMessage(DeliverMessageRequest) -> DeliverMessageResponse,
    /// A client opens a message.
    ReadMessage(MessageRequest) -> ReadMessageResponse,
    /// A client deletes a message.
    DeleteMessage(MessageRequest) -> Empty,
}

/// `CreateOrganization`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    /// The organization's alias.
    pub alias: String,
    /// The KMS key; absent: the AWS managed `aws/workmail` key.
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Idempotency token (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Directory (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_id: Option<String>,
    /// Interoperability with Exchange (accepted, not modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_interoperability: Option<bool>,
}

/// `CreateOrganization` response (the playground adds the grant WorkMail received).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateOrganizationResponse {
    /// `m-` and 32 hex digits.
    pub organization_id: String,
    /// The organization ARN (also the encryption context value).
    pub arn: String,
    /// The organization's KMS key ARN.
    pub kms_key_arn: String,
    /// WorkMail's grant on that key.
    pub grant_id: String,
}

/// Requests that name only an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrganizationRequest {
    /// The organization id.
    pub organization_id: String,
}

/// `DescribeOrganization` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct DescribeOrganizationResponse {
    pub organization_id: String,
    pub alias: String,
    pub state: String,
    #[serde(rename = "ARN")]
    pub arn: String,
    pub default_mail_domain: String,
    pub kms_key_arn: String,
}

/// `CreateUser`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    /// The organization id.
    pub organization_id: String,
    /// The user name.
    pub name: String,
    /// The display name.
    pub display_name: String,
    /// The password (accepted, never shown or kept).
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
}

/// `CreateUser` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserResponse {
    /// The user id.
    pub user_id: String,
}

/// `RegisterToWorkMail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct RegisterToWorkMailRequest {
    /// The organization id.
    pub organization_id: String,
    /// The user id.
    pub entity_id: String,
    /// The mailbox address.
    pub email: String,
    /// Playground extension: create a legacy (RSA key pair) mailbox.
    #[serde(default)]
    pub legacy: bool,
}

/// A response with no members.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Empty {}

/// What a delivered item is: WorkMail encrypts mail and calendar items alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageKind {
    /// An email.
    #[default]
    Mail,
    /// A calendar item.
    Calendar,
}

impl MessageKind {
    /// `mail` or `calendar`.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Mail => "mail",
            MessageKind::Calendar => "calendar",
        }
    }

    /// How sentences call it.
    pub fn noun(self) -> &'static str {
        match self {
            MessageKind::Mail => "message",
            MessageKind::Calendar => "calendar item",
        }
    }
}

impl Serialize for MessageKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for MessageKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "mail" => Ok(MessageKind::Mail),
            "calendar" => Ok(MessageKind::Calendar),
            other => Err(serde::de::Error::custom(format!(
                "Kind must be \"mail\" or \"calendar\", not \"{other}\""
            ))),
        }
    }
}

/// `DeliverMessage`: a message arrives for a mailbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct DeliverMessageRequest {
    /// The organization id.
    pub organization_id: String,
    /// The mailbox address.
    pub mailbox: String,
    /// The subject (shown in the trace).
    pub subject: String,
    /// The body (user content: never shown in the trace).
    #[serde(skip_serializing)]
    pub body: String,
    /// Mail or calendar item.
    #[serde(default)]
    pub kind: MessageKind,
}

/// `DeliverMessage` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeliverMessageResponse {
    /// The new message's id.
    pub message_id: String,
}

fn default_client() -> String {
    "webmail".to_owned()
}

/// `ReadMessage` and `DeleteMessage`: a client opens or deletes a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct MessageRequest {
    /// The organization id.
    pub organization_id: String,
    /// The mailbox address.
    pub mailbox: String,
    /// The message id.
    pub message_id: String,
    /// The client (each has its own mailbox-key cache).
    #[serde(default = "default_client")]
    pub client: String,
}

/// `ReadMessage` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ReadMessageResponse {
    pub message_id: String,
    pub kind: MessageKind,
    pub subject: String,
    pub body: String,
}
