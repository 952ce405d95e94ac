//! Every KMS operation with arbitrary JSON requests, against a KMS holding one key, one
//! alias and one grant.
//!
//! Input: up to 8 calls separated by the byte 0xFF (never in UTF-8). Each call is one
//! byte choosing the operation (index into `Operation::ALL`), one byte choosing the
//! caller (account root, the grantee role, another account's role, SES), then the JSON
//! request, in which `$KEY`, `$ARN`, `$GRANT`, `$TOKEN` and `$BLOB` are replaced by the
//! fixture's key id, key ARN, grant id, grant token and a ciphertext under the key.
#![no_main]

use kmsplay_core::{Caller, Operation};
use kmsplay_fuzz::{generates_rsa, Fixture, GRANTEE};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let mut f = Fixture::new();
    let callers = [
        f.root.clone(),
        Caller::iam(GRANTEE),
        Caller::iam("arn:aws:iam::444455556666:role/Outsider"),
        Caller::service("ses.amazonaws.com").on_behalf_of(Some("111122223333".into()), None),
    ];
    for chunk in data.split(|&b| b == 0xff).take(8) {
        let [op, who, rest @ ..] = chunk else {
            continue;
        };
        let operation = Operation::ALL[*op as usize % Operation::ALL.len()].name();
        let caller = &callers[*who as usize % callers.len()];
        let Ok(text) = std::str::from_utf8(rest) else {
            continue;
        };
        let Ok(request) = serde_json::from_str::<Value>(&f.substitute(text)) else {
            continue;
        };
        if operation == "CreateKey" && generates_rsa(&request) {
            continue;
        }
        let call = f.call(caller, operation, &request);
        let _ = serde_json::to_string(&call.record).expect("a KmsRecord serializes");
    }
});
