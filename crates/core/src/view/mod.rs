//! What the views need and can compute without a browser, from a run's trace: the one
//! explanation of a failed step ([`failure`]) and the fields of the bytes a step touched
//! ([`bytes`]). The page, and any other front, draws these; the rules stay here, once.

pub mod bytes;
pub mod code;
pub mod failure;
