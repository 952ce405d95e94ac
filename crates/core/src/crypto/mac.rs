//! HMAC (RFC 2104) with SHA-224, SHA-256, SHA-384 and SHA-512: the algorithms of HMAC KMS
//! keys (`HMAC_SHA_224` ... `HMAC_SHA_512`, developer guide, *HMAC keys in AWS KMS*).

use super::Hash;
use hmac::{Hmac, Mac};

macro_rules! with_hmac {
    ($hash:expr, $key:expr, $mac:ident => $body:expr) => {
        match $hash {
            Hash::Sha224 => {
                let mut $mac = <Hmac<sha2::Sha224> as Mac>::new_from_slice($key).ok()?;
                $body
            }
            Hash::Sha256 => {
                let mut $mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice($key).ok()?;
                $body
            }
            Hash::Sha384 => {
                let mut $mac = <Hmac<sha2::Sha384> as Mac>::new_from_slice($key).ok()?;
                $body
            }
            Hash::Sha512 => {
                let mut $mac = <Hmac<sha2::Sha512> as Mac>::new_from_slice($key).ok()?;
                $body
            }
        }
    };
}

/// The HMAC of `message` under `key` (HMAC takes keys of any length, so this never fails
/// in practice; `None` would mean the hmac crate refused the key).
pub fn hmac(hash: Hash, key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    with_hmac!(hash, key, mac => {
        mac.update(message);
        Some(mac.finalize().into_bytes().to_vec())
    })
}

/// Whether `tag` is the HMAC of `message` under `key`, compared in constant time.
pub fn hmac_verify(hash: Hash, key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let check = || -> Option<bool> {
        with_hmac!(hash, key, mac => {
            mac.update(message);
            Some(mac.verify_slice(tag).is_ok())
        })
    };
    check().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, section 4: test cases 1 ("Hi There" under 20 bytes of 0x0b), 2 ("what do
    /// ya want for nothing?" under "Jefe") and 3 (50 bytes of 0xdd under 20 bytes of 0xaa).
    const RFC4231: &[(&str, &str, [&str; 4])] = &[
        (
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
            "4869205468657265",
            [
                "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            ],
        ),
        (
            "4a656665",
            "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
            [
                "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ],
        ),
        (
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
            [
                "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
                "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
            ],
        ),
    ];

    const HASHES: [Hash; 4] = [Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512];

    #[test]
    fn rfc4231_known_answers() {
        for (key, data, tags) in RFC4231 {
            let key = hex::decode(key).unwrap();
            let data = hex::decode(data).unwrap();
            for (hash, want) in HASHES.iter().zip(tags) {
                let tag = hmac(*hash, &key, &data).unwrap();
                assert_eq!(hex::encode(&tag), *want, "{hash:?}");
                assert!(hmac_verify(*hash, &key, &data, &tag));
            }
        }
    }

    #[test]
    fn tampered_tag_message_or_key_fails() {
        let (key, data, _) = RFC4231[1];
        let key = hex::decode(key).unwrap();
        let data = hex::decode(data).unwrap();
        for hash in HASHES {
            let tag = hmac(hash, &key, &data).unwrap();
            for i in 0..tag.len() {
                let mut bad = tag.clone();
                bad[i] ^= 0x01;
                assert!(!hmac_verify(hash, &key, &data, &bad), "{hash:?} flip {i}");
            }
            assert!(!hmac_verify(hash, &key, &data, &tag[..tag.len() - 1]));
            assert!(!hmac_verify(
                hash,
                &key,
                b"what do ya want for nothing!",
                &tag
            ));
            assert!(!hmac_verify(hash, b"Jeff", &data, &tag));
        }
    }
}
