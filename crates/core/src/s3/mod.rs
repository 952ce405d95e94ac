//! Amazon S3, as far as SES receiving and the S3 encryption client need it: buckets,
//! objects with user metadata, and the operations' AWS shapes (`CreateBucket`, `PutObject`,
//! `GetObject`, `ListObjectsV2`, `DeleteObject`). Bucket policies and ACLs are not
//! modelled: every principal of the account may use every bucket.

pub mod encryption_client;
pub mod envelope;
mod shapes;

pub use shapes::*;

use crate::authz::Caller;
use crate::record::{
    ArtifactId as Id, ArtifactKind as K, Call, Location, MaterialAction as A, MaterialEvent as M,
    Recorder, Service, ServiceError, Story,
};
use crate::wire::{b64, unb64};
use serde_json::Value;
use std::collections::BTreeMap;

/// An object: its bytes and its user metadata (`x-amz-meta-*`, without the prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The stored bytes.
    pub body: Vec<u8>,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
}

/// A failed S3 call, named as the Amazon S3 API names its error codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum S3Error {
    /// `InvalidArgument`.
    #[error("{0}")]
    InvalidArgument(String),
    /// `InvalidBucketName`.
    #[error("{0}")]
    InvalidBucketName(String),
    /// `BucketAlreadyOwnedByYou`.
    #[error("{0}")]
    BucketAlreadyOwnedByYou(String),
    /// `NoSuchBucket`.
    #[error("{0}")]
    NoSuchBucket(String),
    /// `NoSuchKey`.
    #[error("{0}")]
    NoSuchKey(String),
}

impl ServiceError for S3Error {
    fn name(&self) -> &str {
        match self {
            S3Error::InvalidArgument(_) => "InvalidArgument",
            S3Error::InvalidBucketName(_) => "InvalidBucketName",
            S3Error::BucketAlreadyOwnedByYou(_) => "BucketAlreadyOwnedByYou",
            S3Error::NoSuchBucket(_) => "NoSuchBucket",
            S3Error::NoSuchKey(_) => "NoSuchKey",
        }
    }
}

/// Results of S3 operations.
pub type Result<T> = std::result::Result<T, S3Error>;

/// Something stored in S3 that an experiment can flip a bit of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObjectPart {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The encrypted data key in `x-amz-key-v2` (`s3-key:<bucket>/<key>`) rather than the
    /// body (`s3:<bucket>/<key>`).
    pub in_key_metadata: bool,
}

impl StoredObjectPart {
    /// Parses `s3:<bucket>/<key>` or `s3-key:<bucket>/<key>`.
    pub fn parse(text: &str) -> Option<StoredObjectPart> {
        let (kind, path) = text.split_once(':')?;
        let in_key_metadata = match kind {
            "s3" => false,
            "s3-key" => true,
            _ => return None,
        };
        let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
        Some(StoredObjectPart {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            in_key_metadata,
        })
    }
}

/// Amazon S3 for one account.
#[derive(Debug)]
pub struct S3 {
    region: String,
    buckets: BTreeMap<String, BTreeMap<String, Object>>,
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

    fn no_such_bucket(bucket: &str) -> S3Error {
        S3Error::NoSuchBucket(format!(
            "The specified bucket does not exist: {bucket}. Create it with s3:CreateBucket."
        ))
    }

    fn bucket(&self, bucket: &str) -> Result<&BTreeMap<String, Object>> {
        self.buckets
            .get(bucket)
            .ok_or_else(|| Self::no_such_bucket(bucket))
    }

    fn bucket_mut(&mut self, bucket: &str) -> Result<&mut BTreeMap<String, Object>> {
        self.buckets
            .get_mut(bucket)
            .ok_or_else(|| Self::no_such_bucket(bucket))
    }

    /// The object at `bucket`/`key`.
    pub fn object(&self, bucket: &str, key: &str) -> Result<&Object> {
        let b = self.bucket(bucket)?;
        b.get(key).ok_or_else(|| S3Error::NoSuchKey(format!("The specified key does not exist: {bucket}/{key}. ListObjectsV2 shows the bucket's keys.")))
    }

    /// Flips one bit of an object's body, or of the encrypted data key in its
    /// `x-amz-key-v2` metadata. Returns the offset used.
    pub(crate) fn tamper(&mut self, part: &StoredObjectPart, offset: usize) -> Result<usize> {
        let (bucket, key) = (&part.bucket, &part.key);
        self.object(bucket, key)?;
        let object = self
            .buckets
            .get_mut(bucket)
            .and_then(|b| b.get_mut(key))
            .ok_or_else(|| S3Error::NoSuchKey(format!("{bucket}/{key} does not exist.")))?;
        if part.in_key_metadata {
            let meta = object.metadata.get_mut("x-amz-key-v2").ok_or_else(|| {
                S3Error::InvalidArgument(format!("{bucket}/{key} has no x-amz-key-v2 metadata."))
            })?;
            let mut bytes = unb64(meta).map_err(S3Error::InvalidArgument)?;
            if bytes.is_empty() {
                return Err(S3Error::InvalidArgument(
                    "x-amz-key-v2 is empty.".to_owned(),
                ));
            }
            let at = offset % bytes.len();
            bytes[at] ^= 0x01;
            *meta = b64(&bytes);
            Ok(at)
        } else if object.body.is_empty() {
            Err(S3Error::InvalidArgument(format!(
                "{bucket}/{key} is empty."
            )))
        } else {
            let at = offset % object.body.len();
            object.body[at] ^= 0x01;
            Ok(at)
        }
    }

    /// Writes an object (the bucket must exist).
    pub fn put(&mut self, bucket: &str, key: &str, object: Object) -> Result<()> {
        let b = self.bucket_mut(bucket)?;
        b.insert(key.to_owned(), object);
        Ok(())
    }

    /// Performs one S3 operation and records it. `shown` is the request as the caller
    /// wrote it, for the trace.
    pub(crate) fn call(
        &mut self,
        rec: &mut Recorder<'_>,
        caller: &Caller,
        request: S3Request,
        shown: Option<Value>,
    ) -> Result<S3Response> {
        let operation = request.operation();
        let actor = caller.name().to_owned();
        let (result, sentence, material) = match request {
            S3Request::CreateBucket(r) => match self.create_bucket(&r) {
                Ok(resp) => (
                    Ok(S3Response::CreateBucket(resp)),
                    format!(
                        "{actor} created the bucket {} in {}.",
                        r.bucket, self.region
                    ),
                    Vec::new(),
                ),
                Err(e) => (Err(e), String::new(), Vec::new()),
            },
            S3Request::PutObject(r) => {
                let len = r.body.0.len();
                let m = M::new(
                    Id::Object(format!("{}/{}", r.bucket, r.key)),
                    K::Ciphertext,
                    format!("Object {}", r.key),
                    A::Stored,
                    Location::S3 {
                        bucket: r.bucket.clone(),
                    },
                    &r.body.0,
                );
                let etag = etag(&r.key);
                match self.put(
                    &r.bucket,
                    &r.key,
                    Object {
                        body: r.body.0.clone(),
                        metadata: r.metadata.clone(),
                    },
                ) {
                    Ok(()) => (
                        Ok(S3Response::PutObject(PutObjectResponse { e_tag: etag })),
                        format!("{actor} wrote {len} bytes to {}/{}.", r.bucket, r.key),
                        vec![m],
                    ),
                    Err(e) => (Err(e), String::new(), Vec::new()),
                }
            }
            S3Request::GetObject(r) => match self.object(&r.bucket, &r.key) {
                Ok(o) => (
                    Ok(S3Response::GetObject(GetObjectResponse {
                        body: Some(crate::wire::Bytes(o.body.clone())),
                        content_length: o.body.len(),
                        metadata: o.metadata.clone(),
                    })),
                    format!(
                        "{actor} read {}/{} ({} bytes, exactly as stored).",
                        r.bucket,
                        r.key,
                        o.body.len()
                    ),
                    Vec::new(),
                ),
                Err(e) => (Err(e), String::new(), Vec::new()),
            },
            S3Request::ListObjectsV2(r) => match self.bucket(&r.bucket) {
                Err(e) => (Err(e), String::new(), Vec::new()),
                Ok(b) => {
                    let prefix = r.prefix.unwrap_or_default();
                    let contents: Vec<ObjectSummary> = b
                        .iter()
                        .filter(|(k, _)| k.starts_with(&prefix))
                        .map(|(k, o)| ObjectSummary {
                            key: k.clone(),
                            size: o.body.len(),
                        })
                        .collect();
                    let n = contents.len();
                    (
                        Ok(S3Response::ListObjectsV2(ListObjectsResponse {
                            name: r.bucket,
                            prefix,
                            key_count: n,
                            contents,
                            is_truncated: false,
                        })),
                        format!("{actor} listed {n} objects."),
                        Vec::new(),
                    )
                }
            },
            S3Request::DeleteObject(r) => match self.bucket_mut(&r.bucket) {
                Err(e) => (Err(e), String::new(), Vec::new()),
                Ok(b) => {
                    b.remove(&r.key);
                    (
                        Ok(S3Response::DeleteObject(Empty {})),
                        format!("{actor} deleted {}/{}.", r.bucket, r.key),
                        Vec::new(),
                    )
                }
            },
        };
        rec.outcome(
            &actor,
            Call::Service(Service::S3, operation.name()),
            shown,
            result.as_ref(),
            Story::new(operation.name(), sentence).with(material),
        );
        result
    }

    fn create_bucket(&mut self, r: &BucketRequest) -> Result<CreateBucketResponse> {
        let valid = (3..=63).contains(&r.bucket.len())
            && r.bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(S3Error::InvalidBucketName(format!(
                "{} is not a valid bucket name: 3–63 lowercase letters, digits, dots and hyphens.",
                r.bucket
            )));
        }
        if self.buckets.contains_key(&r.bucket) {
            return Err(S3Error::BucketAlreadyOwnedByYou(format!(
                "Bucket {} already exists and is yours.",
                r.bucket
            )));
        }
        self.buckets.insert(r.bucket.clone(), BTreeMap::new());
        Ok(CreateBucketResponse {
            location: format!("/{}", r.bucket),
        })
    }
}

/// The simulation's ETag of an object (its key's SHA-256, shortened: S3's is the MD5 of
/// the body, which the playground does not need).
fn etag(key: &str) -> String {
    use sha2::Digest;
    let digest: [u8; 32] = sha2::Sha256::digest(key.as_bytes()).into();
    format!("\"{}\"", &hex::encode(digest)[..32])
}
