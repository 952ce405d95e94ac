//! Key material is zeroized when dropped: every type that holds plaintext key bytes is, or
//! wraps, a `zeroize::ZeroizeOnDrop` type. The check is made by the compiler (a type that
//! stopped zeroizing would fail to build this test), and by reading the bytes back.

use kmsplay_core::wire::Secret;
use zeroize::{ZeroizeOnDrop, Zeroizing};

fn zeroizes_on_drop<T: ZeroizeOnDrop>() {}

#[test]
fn key_material_types_zeroize_on_drop() {
    // KMS backing keys and generated keys (Env::secret), mailbox/message/data keys.
    zeroizes_on_drop::<Zeroizing<[u8; 32]>>();
    // Plaintexts and data keys in requests and responses, cached mailbox keys.
    zeroizes_on_drop::<Zeroizing<Vec<u8>>>();
    // RSA private keys of asymmetric KMS keys and legacy mailboxes.
    zeroizes_on_drop::<rsa::RsaPrivateKey>();
}

#[test]
fn secret_bytes_are_wiped_in_place() {
    let mut s = Secret::new(vec![0xAA; 32]);
    // `Secret` holds a `Zeroizing<Vec<u8>>`: zeroizing clears the bytes it holds, which is
    // what its drop does.
    zeroize::Zeroize::zeroize(&mut s.0);
    assert!(
        s.expose().is_empty(),
        "the vector is cleared after its bytes are zeroed"
    );
    let mut key = kmsplay_core::Env::new(1).rng.secret::<32>();
    assert!(key.iter().any(|&b| b != 0));
    zeroize::Zeroize::zeroize(&mut *key);
    assert!(key.iter().all(|&b| b == 0));
    assert_eq!(
        format!("{:?}", Secret::new(vec![1, 2, 3])),
        "Secret(<3 bytes redacted>)"
    );
}
