#![doc = "A faithful, deterministic simulation of AWS KMS and the envelope-encryption hierarchies of Amazon WorkMail and Amazon SES."]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
//!
//! Layers, each using only those below it (see `docs/LAYOUT.md`):
//! primitives ([`crypto`], [`env`], [`context`], [`wire`]) → [`authz`] (policies, grants,
//! callers, the authorizer) → [`kms`] → [`record`] (the trace and the recorder) →
//! services ([`workmail`], [`ses`], [`s3`]) → [`world`] → [`scenario`] → what views
//! compute ([`diagram`], [`permalink`], [`scale`]).

pub mod authz;
pub mod context;
pub mod crypto;
pub mod env;
pub mod kms;
pub mod record;
pub mod s3;
pub mod ses;
pub mod wire;
pub mod workmail;
pub mod world;

pub mod diagram;
pub mod permalink;
pub mod scale;
pub mod scenario;

pub use authz::Caller;
pub use context::EncryptionContext;
pub use env::Env;
/// CloudTrail events (the module lives in `kms`).
pub use kms::cloudtrail;
pub use kms::{Kms, KmsError, KmsRecord, KmsRequest, KmsResponse, Operation};
/// The trace (the module lives in `record`).
pub use record::trace;
pub use world::World;
