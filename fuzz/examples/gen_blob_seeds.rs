//! Writes real ciphertext blobs of the fuzz fixture to `seeds/blob/`:
//! `cargo +nightly run --example gen_blob_seeds` (from `fuzz/`).

use kmsplay_core::wire::unb64;
use kmsplay_fuzz::Fixture;
use serde_json::json;

fn main() {
    let mut f = Fixture::new();
    let root = f.root.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/blob");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("hello-context-purpose-fuzz"),
        unb64(&f.blob).unwrap(),
    )
    .unwrap();
    for (name, req) in [(
        "32-bytes-no-context",
        json!({"KeyId": "alias/fuzz", "Plaintext": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}),
    )] {
        let r = f.call(&root, "Encrypt", &req);
        match r.response {
            Ok(v) => std::fs::write(
                dir.join(name),
                unb64(v["CiphertextBlob"].as_str().unwrap()).unwrap(),
            )
            .unwrap(),
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
    // After a rotation: a blob sealed under backing key version 2.
    let _ = f.call(&root, "RotateKeyOnDemand", &json!({"KeyId": f.key_id}));
    let r = f.call(
        &root,
        "Encrypt",
        &json!({"KeyId": f.key_id, "Plaintext": "aGk="}),
    );
    match r.response {
        Ok(v) => std::fs::write(
            dir.join("after-rotation"),
            unb64(v["CiphertextBlob"].as_str().unwrap()).unwrap(),
        )
        .unwrap(),
        Err(e) => eprintln!("after-rotation: {e}"),
    }
}
