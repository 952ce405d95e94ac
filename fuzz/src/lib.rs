//! Shared set-up for the fuzz targets: a KMS with one symmetric key, an alias and a grant,
//! built the same way for every input (fixed seed, so ids are the same every time).

use kmsplay_core::wire::{with_secret_view, SecretView};
use kmsplay_core::{Caller, Env, Kms, KmsError, KmsRecord, Operation};
use serde_json::{json, Value};

/// One call through the engine's JSON edge: the response as the client would see it, and
/// the record (decisions, CloudTrail event).
#[derive(Debug)]
pub struct Called {
    /// The response JSON (plaintext shown, as the caller gets it), or the error.
    pub response: Result<Value, KmsError>,
    /// What the call left behind.
    pub record: KmsRecord,
}

impl Called {
    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.response.is_ok()
    }
}

/// Performs `operation` (by name; panics on a name that is not an operation, which only
/// the targets' own code can pass) with a JSON request.
pub fn call_json(
    kms: &mut Kms,
    env: &mut Env,
    caller: &Caller,
    operation: &str,
    request: &Value,
) -> Called {
    let op = Operation::from_name(operation)
        .unwrap_or_else(|| panic!("{operation} is not a KMS operation"));
    let (result, record) = kms.call_json(env, caller, op, request);
    let response = result.map(|r| {
        with_secret_view(SecretView::Reveal, || {
            serde_json::to_value(&r).unwrap_or(Value::Null)
        })
    });
    Called { response, record }
}

/// Region and account of the fixture.
pub const REGION: &str = "us-east-1";
/// The fixture's account.
pub const ACCOUNT: &str = "111122223333";
/// The IAM role the fixture's grant is for.
pub const GRANTEE: &str = "arn:aws:iam::111122223333:role/Grantee";

/// A KMS with one key (`alias/fuzz`) and one grant to [`GRANTEE`].
pub struct Fixture {
    /// The KMS.
    pub kms: Kms,
    /// Its environment.
    pub env: Env,
    /// The account root.
    pub root: Caller,
    /// The key id (UUID text).
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
    /// The grant id.
    pub grant_id: String,
    /// The grant token.
    pub grant_token: String,
    /// A ciphertext of "hello" under the key, context {"purpose": "fuzz"}, base64.
    pub blob: String,
}

impl Fixture {
    /// Performs `operation` as `caller` on the fixture's KMS.
    pub fn call(&mut self, caller: &Caller, operation: &str, request: &Value) -> Called {
        call_json(&mut self.kms, &mut self.env, caller, operation, request)
    }

    /// Builds the fixture; panics only if the engine's happy path is broken.
    pub fn new() -> Fixture {
        let mut kms = Kms::new(REGION, ACCOUNT);
        let mut env = Env::new(7);
        let root = Caller::root(ACCOUNT);
        let created = ok(call_json(
            &mut kms,
            &mut env,
            &root,
            "CreateKey",
            &json!({"Description": "fuzz"}),
        )
        .response);
        let key_id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
        let key_arn = created["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
        ok(call_json(
            &mut kms,
            &mut env,
            &root,
            "CreateAlias",
            &json!({"AliasName": "alias/fuzz", "TargetKeyId": key_id}),
        )
        .response);
        let grant = ok(call_json(
                &mut kms,
                &mut env,
                &root,
                "CreateGrant",
                &json!({"KeyId": key_id, "GranteePrincipal": GRANTEE, "Operations": ["Encrypt", "Decrypt", "GenerateDataKey"]}),
            )
            .response);
        let grant_id = grant["GrantId"].as_str().unwrap().to_owned();
        let grant_token = grant["GrantToken"].as_str().unwrap().to_owned();
        let enc = ok(call_json(
                &mut kms,
                &mut env,
                &root,
                "Encrypt",
                &json!({"KeyId": key_id, "Plaintext": "aGVsbG8=", "EncryptionContext": {"purpose": "fuzz"}}),
            )
            .response);
        let blob = enc["CiphertextBlob"].as_str().unwrap().to_owned();
        Fixture {
            kms,
            env,
            root,
            key_id,
            key_arn,
            grant_id,
            grant_token,
            blob,
        }
    }

    /// Replaces the placeholders `$KEY`, `$ARN`, `$GRANT`, `$TOKEN` and `$BLOB` in request
    /// text with the fixture's values, so seeds can name them.
    pub fn substitute(&self, text: &str) -> String {
        text.replace("$KEY", &self.key_id)
            .replace("$ARN", &self.key_arn)
            .replace("$GRANT", &self.grant_id)
            .replace("$TOKEN", &self.grant_token)
            .replace("$BLOB", &self.blob)
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

fn ok(r: Result<Value, kmsplay_core::KmsError>) -> Value {
    match r {
        Ok(v) => v,
        Err(e) => panic!("fixture set-up failed: {e}"),
    }
}

/// Whether a JSON value would make the engine generate an RSA key pair (an RSA `KeySpec`
/// or a legacy WorkMail mailbox): slow by nature (~0.1–3 s), not a bug, so the targets
/// skip such inputs instead of reporting them as timeouts.
pub fn generates_rsa(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("RSA"),
        Value::Array(a) => a.iter().any(generates_rsa),
        Value::Object(o) => o.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("legacy") || k.contains("RSA") || generates_rsa(v)
        }),
        _ => false,
    }
}
