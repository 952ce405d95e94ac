//! End-to-end flows across KMS, WorkMail, SES and S3, asserted on the trace.

use kmsplay_core::scenario::{builtins, run};

#[test]
fn every_builtin_runs_with_all_expectations_met() {
    for b in builtins() {
        let s = b.scenario().unwrap_or_else(|e| panic!("{}: {e}", b.name));
        let r = run(&s, None);
        for (i, st) in r.steps.iter().enumerate() {
            assert_ne!(
                st.expectation,
                Some(kmsplay_core::scenario::Expectation::Failed),
                "{} step {i} ({}): {:?}",
                b.name,
                st.call,
                st.expectation_message
            );
        }
        assert!(r.all_met(), "{}: stopped {:?}", b.name, r.stopped);
    }
}
