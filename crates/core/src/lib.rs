#![doc = "A faithful, deterministic simulation of AWS KMS and the envelope-encryption hierarchies of Amazon WorkMail and Amazon SES."]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod authz;
pub mod caller;
pub mod cloudtrail;
pub mod context;
pub mod crypto;
pub mod env;
pub mod kms;
pub mod wire;

pub use caller::Caller;
pub use context::EncryptionContext;
pub use env::Env;
pub use kms::{Kms, KmsCall, KmsError};
pub mod s3;
pub mod ses;
pub mod trace;
pub mod workmail;
pub mod world;

pub use world::World;
pub mod diagram;
pub mod permalink;
pub mod scale;
pub mod scenario;
pub mod view;
