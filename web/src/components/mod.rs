//! One component per file.

pub mod engine_status;
