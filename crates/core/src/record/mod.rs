//! The recording layer: the trace, the recorder services write it through, and the typed
//! ids of the artifacts it follows.

mod artifact;
pub mod kms_story;
mod operations;
mod recorder;
pub mod trace;

pub use artifact::ArtifactId;
pub use recorder::{KmsMethod, Recorder, ServiceError, Story};
pub use trace::{
    ArtifactKind, Call, ErrorBody, Location, MaterialAction, MaterialEvent, Service, Step, Trace,
    TraceMode, TraceSummary,
};
