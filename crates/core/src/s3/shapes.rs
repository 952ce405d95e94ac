//! S3's requests and responses, with the member names of the Amazon S3 API.

use crate::wire::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::service_operations! {
    /// A typed S3 request.
    request S3Request;
    /// A typed S3 response.
    response S3Response;
    /// Creates a bucket.
    CreateBucket(BucketRequest) -> CreateBucketResponse,
    /// Writes an object.
    PutObject(PutObjectRequest) -> PutObjectResponse,
    /// Reads an object exactly as stored.
    GetObject(ObjectRequest) -> GetObjectResponse,
    /// Lists a bucket's objects.
    ListObjectsV2(ListRequest) -> ListObjectsResponse,
    /// Deletes an object.
    DeleteObject(ObjectRequest) -> Empty,
}

/// Requests that name a bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BucketRequest {
    /// The bucket.
    pub bucket: String,
}

/// Requests that name an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ObjectRequest {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// `PutObject`. The trace shows the metadata, not the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PutObjectRequest {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The bytes, base64.
    #[serde(skip_serializing)]
    pub body: Bytes,
    /// User metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// `ListObjectsV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListRequest {
    /// The bucket.
    pub bucket: String,
    /// Only keys that start with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// A response with no members.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Empty {}

/// `CreateBucket` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBucketResponse {
    /// `/<bucket>`.
    pub location: String,
}

/// `PutObject` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PutObjectResponse {
    /// The entity tag.
    #[serde(rename = "ETag")]
    pub e_tag: String,
}

/// `GetObject` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetObjectResponse {
    /// The bytes, base64 (absent where only the metadata is shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Bytes>,
    /// Length of the body.
    pub content_length: usize,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectSummary {
    /// The object key.
    pub key: String,
    /// Its length.
    pub size: usize,
}

/// `ListObjectsV2` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct ListObjectsResponse {
    pub name: String,
    pub prefix: String,
    pub key_count: usize,
    pub contents: Vec<ObjectSummary>,
    pub is_truncated: bool,
}
