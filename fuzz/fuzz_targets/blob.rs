//! The ciphertext-blob parser, and Decrypt of arbitrary bytes.
#![no_main]

use kmsplay_core::env::parse_uuid;
use kmsplay_core::kms::blob::CiphertextBlob;
use kmsplay_core::wire::b64;
use kmsplay_fuzz::Fixture;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let parsed = CiphertextBlob::parse(data);
    if let Ok(blob) = &parsed {
        assert_eq!(blob.to_bytes(), data, "parse/to_bytes must round-trip");
    }

    let mut f = Fixture::new();
    let root = f.root.clone();
    // The bytes as they are (almost always an unknown key)...
    for ctx in [json!(null), json!({"purpose": "fuzz"})] {
        let mut req = json!({"CiphertextBlob": b64(data)});
        if !ctx.is_null() {
            req["EncryptionContext"] = ctx;
        }
        let call = f.call(&root, "Decrypt", &req);
        if let Ok(v) = &call.response {
            assert!(v["Plaintext"].is_string());
        }
    }
    // ...and with the fixture key's id written into the header, so the rest of the blob
    // (backing version, nonce, sealed bytes) reaches key lookup and AES-GCM.
    if let Ok(mut blob) = parsed {
        blob.key_id = parse_uuid(&f.key_id).expect("fixture key id is a UUID");
        let req = json!({"CiphertextBlob": b64(&blob.to_bytes()), "EncryptionContext": {"purpose": "fuzz"}});
        let _ = f.call(&root, "Decrypt", &req);
        let req =
            json!({"CiphertextBlob": b64(&blob.to_bytes()), "DestinationKeyId": "alias/fuzz"});
        let _ = f.call(&root, "ReEncrypt", &req);
    }
});
