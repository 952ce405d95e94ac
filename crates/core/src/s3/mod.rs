//! Amazon S3, as far as SES receiving and the S3 encryption client need it: buckets,
//! objects with user metadata, and the operations' AWS shapes (`CreateBucket`, `PutObject`,
//! `GetObject`, `ListObjectsV2`, `DeleteObject`). Bucket policies and ACLs are not
//! modelled: every principal of the account may use every bucket.

pub mod encryption_client;

use crate::caller::Caller;
use crate::trace::{
    ArtifactKind as K, ErrorBody, Location, MaterialAction as A, MaterialEvent as M,
};
use crate::wire::{b64, unb64};
use crate::world::{error, parse_request, CallResult, Recorder};

/// The service's error name for a request it cannot read.
const INVALID_ARGUMENT: &str = "InvalidArgument";
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// An object: its bytes and its user metadata (`x-amz-meta-*`, without the prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The stored bytes.
    pub body: Vec<u8>,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
}

/// Amazon S3 for one account.
#[derive(Debug)]
pub struct S3 {
    region: String,
    buckets: BTreeMap<String, BTreeMap<String, Object>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct BucketRequest {
    bucket: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ObjectRequest {
    bucket: String,
    key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutObjectRequest {
    bucket: String,
    key: String,
    body: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListRequest {
    bucket: String,
    #[serde(default)]
    prefix: Option<String>,
}

impl S3 {
    /// S3 in `region`.
    pub fn new(region: &str, _account: &str) -> Self {
        S3 {
            region: region.to_owned(),
            buckets: BTreeMap::new(),
        }
    }

    /// Whether `bucket` exists.
    pub fn has_bucket(&self, bucket: &str) -> bool {
        self.buckets.contains_key(bucket)
    }

    fn no_such_bucket(bucket: &str) -> ErrorBody {
        error(
            "NoSuchBucket",
            format!(
                "The specified bucket does not exist: {bucket}. Create it with s3:CreateBucket."
            ),
        )
    }

    fn bucket(&self, bucket: &str) -> Result<&BTreeMap<String, Object>, ErrorBody> {
        self.buckets
            .get(bucket)
            .ok_or_else(|| Self::no_such_bucket(bucket))
    }

    fn bucket_mut(&mut self, bucket: &str) -> Result<&mut BTreeMap<String, Object>, ErrorBody> {
        self.buckets
            .get_mut(bucket)
            .ok_or_else(|| Self::no_such_bucket(bucket))
    }

    /// The object at `bucket`/`key`.
    pub fn object(&self, bucket: &str, key: &str) -> Result<&Object, ErrorBody> {
        let b = self.bucket(bucket)?;
        b.get(key).ok_or_else(|| error("NoSuchKey", format!("The specified key does not exist: {bucket}/{key}. ListObjectsV2 shows the bucket's keys.")))
    }

    /// Flips one bit of an object's body, or of the encrypted data key in its
    /// `x-amz-key-v2` metadata when `in_key_metadata`. Returns the offset used.
    pub(crate) fn tamper(
        &mut self,
        bucket: &str,
        key: &str,
        in_key_metadata: bool,
        offset: usize,
    ) -> Result<usize, ErrorBody> {
        self.object(bucket, key)?;
        let object = self
            .buckets
            .get_mut(bucket)
            .and_then(|b| b.get_mut(key))
            .ok_or_else(|| error("NoSuchKey", format!("{bucket}/{key} does not exist.")))?;
        if in_key_metadata {
            let meta = object.metadata.get_mut("x-amz-key-v2").ok_or_else(|| {
                error(
                    "InvalidArgument",
                    format!("{bucket}/{key} has no x-amz-key-v2 metadata."),
                )
            })?;
            let mut bytes = unb64(meta).map_err(|e| error("InvalidArgument", e))?;
            if bytes.is_empty() {
                return Err(error("InvalidArgument", "x-amz-key-v2 is empty."));
            }
            let at = offset % bytes.len();
            bytes[at] ^= 0x01;
            *meta = b64(&bytes);
            Ok(at)
        } else if object.body.is_empty() {
            Err(error(
                "InvalidArgument",
                format!("{bucket}/{key} is empty."),
            ))
        } else {
            let at = offset % object.body.len();
            object.body[at] ^= 0x01;
            Ok(at)
        }
    }

    /// Writes an object (the bucket must exist).
    pub fn put(&mut self, bucket: &str, key: &str, object: Object) -> Result<(), ErrorBody> {
        let b = self.bucket_mut(bucket)?;
        b.insert(key.to_owned(), object);
        Ok(())
    }

    /// The operations [`S3::call`] accepts.
    pub const OPERATIONS: &'static [&'static str] = &[
        "CreateBucket",
        "PutObject",
        "GetObject",
        "ListObjectsV2",
        "DeleteObject",
    ];

    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        operation: &str,
        request: &Value,
    ) -> CallResult {
        let call = format!("s3:{operation}");
        let actor = caller.name().to_owned();
        let (result, sentence, material) = match operation {
            "CreateBucket" => {
                let r: BucketRequest = parse_request(INVALID_ARGUMENT, &call, request)?;
                let valid = (3..=63).contains(&r.bucket.len())
                    && r.bucket.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    });
                if !valid {
                    (Err(error("InvalidBucketName", format!("{} is not a valid bucket name: 3–63 lowercase letters, digits, dots and hyphens.", r.bucket))), String::new(), Vec::new())
                } else if self.buckets.contains_key(&r.bucket) {
                    (
                        Err(error(
                            "BucketAlreadyOwnedByYou",
                            format!("Bucket {} already exists and is yours.", r.bucket),
                        )),
                        String::new(),
                        Vec::new(),
                    )
                } else {
                    self.buckets.insert(r.bucket.clone(), BTreeMap::new());
                    (
                        Ok(json!({"Location": format!("/{}", r.bucket)})),
                        format!(
                            "{actor} created the bucket {} in {}.",
                            r.bucket, self.region
                        ),
                        Vec::new(),
                    )
                }
            }
            "PutObject" => {
                let r: PutObjectRequest = parse_request(INVALID_ARGUMENT, &call, request)?;
                match unb64(&r.body) {
                    Err(e) => (
                        Err(error("InvalidArgument", format!("Body: {e}"))),
                        String::new(),
                        Vec::new(),
                    ),
                    Ok(body) => {
                        let len = body.len();
                        let m = M::new(
                            format!("object:{}/{}", r.bucket, r.key),
                            K::Ciphertext,
                            format!("Object {}", r.key),
                            A::Stored,
                            Location::S3 {
                                bucket: r.bucket.clone(),
                            },
                            &body,
                        );
                        match self.put(
                            &r.bucket,
                            &r.key,
                            Object {
                                body,
                                metadata: r.metadata,
                            },
                        ) {
                            Ok(()) => (
                                Ok(
                                    json!({"ETag": format!("\"{}\"", &hex::encode(sha2_digest(r.key.as_bytes()))[..32])}),
                                ),
                                format!("{actor} wrote {len} bytes to {}/{}.", r.bucket, r.key),
                                vec![m],
                            ),
                            Err(e) => (Err(e), String::new(), Vec::new()),
                        }
                    }
                }
            }
            "GetObject" => {
                let r: ObjectRequest = parse_request(INVALID_ARGUMENT, &call, request)?;
                match self.object(&r.bucket, &r.key) {
                    Ok(o) => (
                        Ok(
                            json!({"Body": b64(&o.body), "ContentLength": o.body.len(), "Metadata": o.metadata}),
                        ),
                        format!(
                            "{actor} read {}/{} ({} bytes, exactly as stored).",
                            r.bucket,
                            r.key,
                            o.body.len()
                        ),
                        Vec::new(),
                    ),
                    Err(e) => (Err(e), String::new(), Vec::new()),
                }
            }
            "ListObjectsV2" => {
                let r: ListRequest = parse_request(INVALID_ARGUMENT, &call, request)?;
                match self.bucket(&r.bucket) {
                    Err(e) => (Err(e), String::new(), Vec::new()),
                    Ok(b) => {
                        let prefix = r.prefix.unwrap_or_default();
                        let contents: Vec<Value> = b
                            .iter()
                            .filter(|(k, _)| k.starts_with(&prefix))
                            .map(|(k, o)| json!({"Key": k, "Size": o.body.len()}))
                            .collect();
                        let n = contents.len();
                        (
                            Ok(
                                json!({"Name": r.bucket, "Prefix": prefix, "KeyCount": n, "Contents": contents, "IsTruncated": false}),
                            ),
                            format!("{actor} listed {n} objects."),
                            Vec::new(),
                        )
                    }
                }
            }
            "DeleteObject" => {
                let r: ObjectRequest = parse_request(INVALID_ARGUMENT, &call, request)?;
                match self.bucket_mut(&r.bucket) {
                    Err(e) => (Err(e), String::new(), Vec::new()),
                    Ok(b) => {
                        b.remove(&r.key);
                        (
                            Ok(json!({})),
                            format!("{actor} deleted {}/{}.", r.bucket, r.key),
                            Vec::new(),
                        )
                    }
                }
            }
            other => (
                Err(error(
                    "UnknownOperationException",
                    format!(
                        "s3:{other} is not modelled. Available: {}.",
                        Self::OPERATIONS.join(", ")
                    ),
                )),
                String::new(),
                Vec::new(),
            ),
        };
        rec.outcome(
            &actor, &call, request, &result, operation, sentence, material,
        );
        result
    }
}

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
