//! A WorkMail organization at scale: many mailboxes, many messages, delivered and read
//! back, with the trace in summary mode so memory stays bounded. Used by the native and
//! the in-browser benchmarks (`cargo xtask bench`), which time it from outside.

use crate::authz::Caller;
use crate::world::World;
use serde::Serialize;
use serde_json::{json, Value};

/// What a scale run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleReport {
    /// Mailboxes created.
    pub mailboxes: usize,
    /// Messages delivered.
    pub messages: usize,
    /// Messages read back with the right subject.
    pub read_back: usize,
    /// KMS calls made.
    pub kms_calls: u64,
    /// KMS calls the mailbox-key cache avoided.
    pub kms_calls_avoided_by_cache: u64,
    /// Steps the trace counted.
    pub trace_steps_counted: u64,
    /// Steps the trace kept (0 in summary mode).
    pub trace_steps_kept: usize,
}

const ADMIN: &str = "arn:aws:iam::111122223333:role/WorkMailAdmin";

/// Creates an organization (aws/workmail key) with `mailboxes` mailboxes, delivers
/// `per_mailbox` messages to each, and reads every message back once.
pub fn workmail_at_scale(mailboxes: usize, per_mailbox: usize) -> ScaleReport {
    let mut world = World::new(1, "us-east-1", "111122223333").summary_mode();
    let admin = Caller::iam(ADMIN);
    let field = |v: Result<Value, _>, name: &str| {
        v.ok()
            .and_then(|v: Value| v.get(name).cloned())
            .unwrap_or(Value::Null)
    };
    let org = field(
        world.call(
            "workmail:CreateOrganization",
            &admin,
            &json!({"Alias": "scale-corp"}),
        ),
        "OrganizationId",
    );
    let mut ids = Vec::with_capacity(mailboxes.saturating_mul(per_mailbox));
    for m in 0..mailboxes {
        let user = field(world.call("workmail:CreateUser", &admin, &json!({"OrganizationId": org, "Name": format!("u{m}"), "DisplayName": format!("User {m}")})), "UserId");
        let email = format!("u{m}@example.com");
        let _ = world.call(
            "workmail:RegisterToWorkMail",
            &admin,
            &json!({"OrganizationId": org, "EntityId": user, "Email": email}),
        );
        for n in 0..per_mailbox {
            let subject = format!("m{n}");
            let id = field(world.call("workmail:DeliverMessage", &admin, &json!({"OrganizationId": org, "Mailbox": email, "Subject": subject, "Body": "hello"})), "MessageId");
            ids.push((email.clone(), id, subject));
        }
    }
    let mut read_back = 0;
    for (email, id, subject) in &ids {
        let read = world.call(
            "workmail:ReadMessage",
            &admin,
            &json!({"OrganizationId": org, "Mailbox": email, "MessageId": id, "Client": "reader"}),
        );
        if read
            .ok()
            .and_then(|v| {
                v.get("Subject")
                    .and_then(Value::as_str)
                    .map(|s| s == subject)
            })
            .unwrap_or(false)
        {
            read_back += 1;
        }
    }
    let s = &world.trace.summary;
    ScaleReport {
        mailboxes,
        messages: ids.len(),
        read_back,
        kms_calls: s.kms_calls,
        kms_calls_avoided_by_cache: s.cache_hits,
        trace_steps_counted: s.steps,
        trace_steps_kept: world.trace.steps.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_organization_reads_everything_back_with_a_bounded_trace() {
        let r = workmail_at_scale(3, 4);
        assert_eq!((r.mailboxes, r.messages, r.read_back), (3, 12, 12));
        // Per mailbox: one Encrypt at registration, one Decrypt on first delivery (then the
        // delivery agent's cache), one Decrypt on first read (the reader's cache); plus
        // DescribeKey and CreateGrant for the organization.
        assert_eq!(r.kms_calls, 2 + 3 * 3);
        assert_eq!(r.kms_calls_avoided_by_cache, 3 * (3 + 3));
        assert_eq!(r.trace_steps_kept, 0);
        assert!(r.trace_steps_counted > 50);
    }
}
