//! Elliptic-curve keys of asymmetric KMS keys: NIST P-256, P-384, P-521 and secp256k1
//! (`ECC_NIST_P256`, `ECC_NIST_P384`, `ECC_NIST_P521`, `ECC_SECG_P256K1`), with ECDSA over a
//! digest (signatures DER-encoded, as KMS returns them: API reference, *Sign*, "ECDSA
//! signatures are DER-encoded ... as defined by ANSI X9.62–2005 and RFC 3279 section
//! 2.2.3") and ECDH (the shared secret is the affine X coordinate: *DeriveSharedSecret*).
//! Public keys travel as X.509 SubjectPublicKeyInfo DER, private keys as PKCS#8 DER.
//!
//! Signing is deterministic (RFC 6979) except on P-521, where the nonce comes from the
//! world's seeded random source; AWS's is randomized. All are valid ECDSA.

use super::Hash;
use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier, RandomizedPrehashSigner};
use elliptic_curve::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

/// A curve KMS offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EccCurve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// SECG secp256k1.
    Secp256k1,
}

impl EccCurve {
    /// The hash of the curve's one ECDSA signing algorithm (`ECDSA_SHA_256` for P-256 and
    /// secp256k1, `ECDSA_SHA_384` for P-384, `ECDSA_SHA_512` for P-521).
    pub fn hash(self) -> Hash {
        match self {
            EccCurve::P256 | EccCurve::Secp256k1 => Hash::Sha256,
            EccCurve::P384 => Hash::Sha384,
            EccCurve::P521 => Hash::Sha512,
        }
    }
}

/// An elliptic-curve operation failed; the message names what (never a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EccError(&'static str);

/// An elliptic-curve private key (each variant zeroizes its scalar on drop).
pub enum EccPrivateKey {
    /// P-256.
    P256(p256::SecretKey),
    /// P-384.
    P384(p384::SecretKey),
    /// P-521.
    P521(p521::SecretKey),
    /// secp256k1.
    Secp256k1(k256::SecretKey),
}

/// Each variant's secret key zeroizes its scalar on drop (`elliptic_curve::SecretKey` is
/// `ZeroizeOnDrop`), so the enum does.
impl zeroize::ZeroizeOnDrop for EccPrivateKey {}

impl std::fmt::Debug for EccPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EccPrivateKey({:?}, <redacted>)", self.curve())
    }
}

/// Runs `$body` with `$sk` bound to the secret key and `$c` to the curve's crate.
macro_rules! on_curve {
    ($key:expr, $sk:ident, $c:ident => $body:expr) => {
        match $key {
            EccPrivateKey::P256($sk) => {
                #[allow(unused_imports)]
                use p256 as $c;
                $body
            }
            EccPrivateKey::P384($sk) => {
                #[allow(unused_imports)]
                use p384 as $c;
                $body
            }
            EccPrivateKey::P521($sk) => {
                #[allow(unused_imports)]
                use p521 as $c;
                $body
            }
            EccPrivateKey::Secp256k1($sk) => {
                #[allow(unused_imports)]
                use k256 as $c;
                $body
            }
        }
    };
}

impl EccPrivateKey {
    /// A new key pair on `curve`, from `rng`.
    pub fn generate(rng: &mut impl rand_core::CryptoRngCore, curve: EccCurve) -> Self {
        match curve {
            EccCurve::P256 => EccPrivateKey::P256(p256::SecretKey::random(rng)),
            EccCurve::P384 => EccPrivateKey::P384(p384::SecretKey::random(rng)),
            EccCurve::P521 => EccPrivateKey::P521(p521::SecretKey::random(rng)),
            EccCurve::Secp256k1 => EccPrivateKey::Secp256k1(k256::SecretKey::random(rng)),
        }
    }

    /// The key's curve.
    pub fn curve(&self) -> EccCurve {
        match self {
            EccPrivateKey::P256(_) => EccCurve::P256,
            EccPrivateKey::P384(_) => EccCurve::P384,
            EccPrivateKey::P521(_) => EccCurve::P521,
            EccPrivateKey::Secp256k1(_) => EccCurve::Secp256k1,
        }
    }

    /// A private key on `curve` from its PKCS#8 DER encoding (imported key material).
    pub fn from_pkcs8(curve: EccCurve, der: &[u8]) -> Result<Self, EccError> {
        let bad = |_| EccError("the private key is not a PKCS#8 key on the key's curve");
        Ok(match curve {
            EccCurve::P256 => {
                EccPrivateKey::P256(p256::SecretKey::from_pkcs8_der(der).map_err(bad)?)
            }
            EccCurve::P384 => {
                EccPrivateKey::P384(p384::SecretKey::from_pkcs8_der(der).map_err(bad)?)
            }
            EccCurve::P521 => {
                EccPrivateKey::P521(p521::SecretKey::from_pkcs8_der(der).map_err(bad)?)
            }
            EccCurve::Secp256k1 => {
                EccPrivateKey::Secp256k1(k256::SecretKey::from_pkcs8_der(der).map_err(bad)?)
            }
        })
    }

    /// The public key as X.509 SubjectPublicKeyInfo DER (what GetPublicKey returns).
    pub fn public_spki(&self) -> Result<Vec<u8>, EccError> {
        on_curve!(self, sk, _c => sk
            .public_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| EccError("public key encoding failed")))
    }

    /// The private key as PKCS#8 DER (GenerateDataKeyPair's `PrivateKeyPlaintext`).
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>, EccError> {
        on_curve!(self, sk, _c => sk
            .to_pkcs8_der()
            .map(|d| Zeroizing::new(d.as_bytes().to_vec()))
            .map_err(|_| EccError("private key encoding failed")))
    }

    /// The ECDSA signature of `digest`, DER-encoded.
    ///
    /// P-256, P-384 and secp256k1 sign deterministically (RFC 6979); the p521 crate signs
    /// with a nonce from `rng` (the world's seeded source, so runs stay reproducible).
    pub fn sign_digest(
        &self,
        rng: &mut impl rand_core::CryptoRngCore,
        digest: &[u8],
    ) -> Result<Vec<u8>, EccError> {
        let failed = |_| EccError("ECDSA signing failed");
        macro_rules! sign {
            ($sig:ty, $signed:expr) => {{
                let sig: $sig = $signed.map_err(failed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }};
        }
        match self {
            EccPrivateKey::P256(sk) => sign!(
                p256::ecdsa::Signature,
                p256::ecdsa::SigningKey::from(sk).sign_prehash(digest)
            ),
            EccPrivateKey::P384(sk) => sign!(
                p384::ecdsa::Signature,
                p384::ecdsa::SigningKey::from(sk).sign_prehash(digest)
            ),
            EccPrivateKey::P521(sk) => sign!(
                p521::ecdsa::Signature,
                p521_signer(sk)?.sign_prehash_with_rng(rng, digest)
            ),
            EccPrivateKey::Secp256k1(sk) => sign!(
                k256::ecdsa::Signature,
                k256::ecdsa::SigningKey::from(sk).sign_prehash(digest)
            ),
        }
    }

    /// Whether `signature` (DER) is this key's ECDSA signature of `digest`. High-S
    /// signatures are accepted, as AWS accepts them (secp256k1's verifier alone would not).
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> bool {
        macro_rules! verify {
            ($verifier:expr, $sig:ty) => {{
                match <$sig>::from_der(signature) {
                    Ok(sig) => {
                        let sig = sig.normalize_s().unwrap_or(sig);
                        $verifier.verify_prehash(digest, &sig).is_ok()
                    }
                    Err(_) => false,
                }
            }};
        }
        match self {
            EccPrivateKey::P256(sk) => verify!(
                p256::ecdsa::VerifyingKey::from(sk.public_key()),
                p256::ecdsa::Signature
            ),
            EccPrivateKey::P384(sk) => verify!(
                p384::ecdsa::VerifyingKey::from(sk.public_key()),
                p384::ecdsa::Signature
            ),
            EccPrivateKey::P521(sk) => match p521_signer(sk) {
                Ok(signer) => verify!(
                    p521::ecdsa::VerifyingKey::from(&signer),
                    p521::ecdsa::Signature
                ),
                Err(_) => false,
            },
            EccPrivateKey::Secp256k1(sk) => verify!(
                k256::ecdsa::VerifyingKey::from(sk.public_key()),
                k256::ecdsa::Signature
            ),
        }
    }

    /// ECDH with the peer public key `peer_spki` (SubjectPublicKeyInfo DER on the same
    /// curve): the shared secret's X coordinate.
    pub fn diffie_hellman(&self, peer_spki: &[u8]) -> Result<Zeroizing<Vec<u8>>, EccError> {
        on_curve!(self, sk, c => {
            let peer = c::PublicKey::from_public_key_der(peer_spki)
                .map_err(|_| EccError("the public key is not a DER-encoded SubjectPublicKeyInfo on the key's curve"))?;
            let shared = elliptic_curve::ecdh::diffie_hellman(sk.to_nonzero_scalar(), peer.as_affine());
            Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
        })
    }
}

/// P-521's ECDSA signer (the p521 crate wraps the generic one in a type of its own).
fn p521_signer(sk: &p521::SecretKey) -> Result<p521::ecdsa::SigningKey, EccError> {
    p521::ecdsa::SigningKey::from_bytes(&sk.to_bytes()).map_err(|_| EccError("invalid P-521 key"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    fn from_scalar(curve: EccCurve, d: &[u8]) -> EccPrivateKey {
        match curve {
            EccCurve::P256 => EccPrivateKey::P256(p256::SecretKey::from_slice(d).unwrap()),
            EccCurve::P384 => EccPrivateKey::P384(p384::SecretKey::from_slice(d).unwrap()),
            EccCurve::P521 => EccPrivateKey::P521(p521::SecretKey::from_slice(d).unwrap()),
            EccCurve::Secp256k1 => {
                EccPrivateKey::Secp256k1(k256::SecretKey::from_slice(d).unwrap())
            }
        }
    }

    /// The DER encoding of (r, s): SEQUENCE { INTEGER r, INTEGER s }.
    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        fn int(v: &[u8]) -> Vec<u8> {
            let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
            let mut body = if v.first().is_some_and(|b| b & 0x80 != 0) {
                vec![0]
            } else {
                vec![]
            };
            body.extend(v);
            let mut out = vec![0x02, body.len() as u8];
            out.extend(body);
            out
        }
        let mut body = int(r);
        body.extend(int(s));
        let mut out = vec![0x30];
        if body.len() > 127 {
            out.extend([0x81, body.len() as u8]);
        } else {
            out.push(body.len() as u8);
        }
        out.extend(body);
        out
    }

    /// RFC 6979, appendix A.2.5 (P-256, SHA-256) and A.2.6 (P-384, SHA-384): deterministic
    /// signatures of "sample".
    #[test]
    fn rfc6979_deterministic_signatures() {
        let cases = [
            (
                EccCurve::P256,
                "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
                "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
                "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
            ),
            (
                EccCurve::P384,
                "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
                "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
                "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
            ),
        ];
        for (curve, d, r, s) in cases {
            let key = from_scalar(curve, &h(d));
            let digest = curve.hash().digest(b"sample");
            assert_eq!(
                key.sign_digest(&mut rand_chacha::ChaCha20Rng::seed_from_u64(0), &digest)
                    .unwrap(),
                der(&h(r), &h(s)),
                "{curve:?}"
            );
        }
    }

    /// FIPS 186-4 SigGen vectors (NIST CAVP `186-4ecdsatestvectors.zip`, as the RustCrypto
    /// curve crates carry them): each (r, s) verifies over its digest m, and fails when any
    /// of r, s or m is changed.
    #[test]
    fn fips186_signatures_verify_and_tampering_fails() {
        let cases = [
            (
                EccCurve::P256,
                "519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464",
                "44acf6b7e36c1342c2c5897204fe09504e1e2efb1a900377dbc4e7a6a133ec56",
                "f3ac8061b514795b8843e3d6629527ed2afd6b1f6a555a7acabb5e6f79c8c2ac",
                "8bf77819ca05a6b2786c76262bf7371cef97b218e96f175a3ccdda2acc058903",
            ),
            (
                EccCurve::P384,
                "201b432d8df14324182d6261db3e4b3f46a8284482d52e370da41e6cbdf45ec2952f5db7ccbce3bc29449f4fb080ac97",
                "31a452d6164d904bb5724c878280231eae705c29ce9d4bc7d58e020e1085f17eebcc1a38f0ed0bf2b344d81fbd896825",
                "50835a9251bad008106177ef004b091a1e4235cd0da84fff54542b0ed755c1d6f251609d14ecf18f9e1ddfe69b946e32",
                "0475f3d30c6463b646e8d3bf2455830314611cbde404be518b14464fdb195fdcc92eb222e61f426a4a592c00a6a89721",
            ),
            (
                EccCurve::P521,
                "00f749d32704bc533ca82cef0acf103d8f4fba67f08d2678e515ed7db886267ffaf02fab0080dca2359b72f574ccc29a0f218c8655c0cccf9fee6c5e567aa14cb926",
                "65f83408092261bda599389df03382c5be01a81fe00a36f3f4bb6541263f801627c440e50809712b0cace7c217e6e5051af81de9bfec3204dcd63c4f9a741047",
                "004de826ea704ad10bc0f7538af8a3843f284f55c8b946af9235af5af74f2b76e099e4bc72fd79d28a380f8d4b4c919ac290d248c37983ba05aea42e2dd79fdd33e8",
                "0087488c859a96fea266ea13bf6d114c429b163be97a57559086edb64aed4a18594b46fb9efc7fd25d8b2de8f09ca0587f54bd287299f47b2ff124aac566e8ee3b43",
            ),
            (
                EccCurve::Secp256k1,
                "ebb2c082fd7727890a28ac82f6bdf97bad8de9f5d7c9028692de1a255cad3e0f",
                "4b688df40bcedbe641ddb16ff0a1842d9c67ea1c3bf63f3e0471baa664531d1a",
                "241097efbf8b63bf145c8961dbdf10c310efbb3b2676bbc0f8b08505c9e2f795",
                "021006b7838609339e8b415a7f9acb1b661828131aef1ecbc7955dfb01f3ca0e",
            ),
        ];
        for (curve, d, m, r, s) in cases {
            let key = from_scalar(curve, &h(d));
            let (m, r, s) = (h(m), h(r), h(s));
            assert!(key.verify_digest(&m, &der(&r, &s)), "{curve:?}");
            let mut bad_m = m.clone();
            bad_m[0] ^= 1;
            assert!(
                !key.verify_digest(&bad_m, &der(&r, &s)),
                "{curve:?} message"
            );
            let mut bad_r = r.clone();
            *bad_r.last_mut().unwrap() ^= 1;
            assert!(!key.verify_digest(&m, &der(&bad_r, &s)), "{curve:?} r");
            let mut bad_s = s.clone();
            *bad_s.last_mut().unwrap() ^= 1;
            assert!(!key.verify_digest(&m, &der(&r, &bad_s)), "{curve:?} s");
            assert!(!key.verify_digest(&m, &[0x30, 0x00]), "{curve:?} garbage");
        }
    }

    #[test]
    fn ecdh_agrees_and_encodings_round_trip() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for curve in [
            EccCurve::P256,
            EccCurve::P384,
            EccCurve::P521,
            EccCurve::Secp256k1,
        ] {
            let a = EccPrivateKey::generate(&mut rng, curve);
            let b = EccPrivateKey::generate(&mut rng, curve);
            let ab = a.diffie_hellman(&b.public_spki().unwrap()).unwrap();
            let ba = b.diffie_hellman(&a.public_spki().unwrap()).unwrap();
            assert_eq!(ab, ba, "{curve:?}");
            let again = EccPrivateKey::from_pkcs8(curve, &a.to_pkcs8().unwrap()).unwrap();
            assert_eq!(again.public_spki().unwrap(), a.public_spki().unwrap());
            let sig = a.sign_digest(&mut rng, &curve.hash().digest(b"m")).unwrap();
            assert!(again.verify_digest(&curve.hash().digest(b"m"), &sig));
            assert!(!b.verify_digest(&curve.hash().digest(b"m"), &sig));
        }
        let p256 = EccPrivateKey::generate(&mut rng, EccCurve::P256);
        let p384 = EccPrivateKey::generate(&mut rng, EccCurve::P384);
        assert!(p256.diffie_hellman(&p384.public_spki().unwrap()).is_err());
        assert!(p256.diffie_hellman(b"not a key").is_err());
        assert!(EccPrivateKey::from_pkcs8(EccCurve::P384, &p256.to_pkcs8().unwrap()).is_err());
    }
}
