//! A self-check of the engine's AES-256-GCM: seal, open, and refuse a tampered copy.
//! Pure, so it runs the same natively (unit test) and in the page (wasm).

use kmsplay_core::crypto::{open, seal};

/// What the check saw when everything worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineCheck {
    /// Bytes of plaintext sealed.
    pub plaintext_len: usize,
    /// The first bytes of ciphertext, in hex.
    pub sealed_hex: String,
    /// Where the engine ran: "WebAssembly" in the page.
    pub runtime: &'static str,
}

const KEY: [u8; 32] = [0x5a; 32];
const NONCE: [u8; 12] = [0x01; 12];
const AAD: &[u8] = b"{\"page\":\"kms-playground\"}";
const MESSAGE: &[u8] = b"Hello from the KMS Playground";

/// Seals a fixed message, opens it again and checks that a flipped bit is refused.
pub fn run() -> Result<EngineCheck, String> {
    let sealed = seal(&KEY, &NONCE, AAD, MESSAGE);
    let opened = open(&KEY, &NONCE, AAD, &sealed)
        .map_err(|e| format!("the engine could not open its own ciphertext: {e}"))?;
    if opened.as_slice() != MESSAGE {
        return Err("the engine opened its own ciphertext to different bytes".into());
    }
    let mut tampered = sealed.clone();
    if let Some(byte) = tampered.first_mut() {
        *byte ^= 0x01;
    }
    if open(&KEY, &NONCE, AAD, &tampered).is_ok() {
        return Err("the engine accepted a tampered ciphertext".into());
    }
    let sealed_hex = sealed.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(EngineCheck {
        plaintext_len: MESSAGE.len(),
        sealed_hex,
        runtime: if cfg!(target_arch = "wasm32") {
            "WebAssembly"
        } else {
            "native code"
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_check_passes() {
        let check = run().expect("engine check");
        assert_eq!(check.plaintext_len, MESSAGE.len());
        assert_eq!(check.sealed_hex.len(), 16);
    }
}
