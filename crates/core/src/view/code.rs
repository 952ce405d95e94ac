//! A KMS request as code: the same call as an AWS CLI command, boto3 (Python) and the AWS
//! SDK for JavaScript v3, each runnable as shown against `kmsplay serve` and against real
//! AWS once the endpoint and credentials lines are dropped.
//!
//! The request is the wire form the trace holds (blobs in base64). Which member is a blob, a
//! number, a boolean, a list or a structure comes from botocore's KMS service model
//! ([`crate::kms::model`]), so each client gets the type it expects:
//!
//! - AWS CLI: a parameter is `--` and the member name as botocore's `xform_name` writes it
//!   (`CiphertextBlob` → `--ciphertext-blob`); a blob is read from a file with `fileb://`
//!   (here a process substitution that decodes the base64, so the same command works with
//!   CLI v1, which reads blob arguments as raw text, and v2, which reads them as base64); a
//!   boolean is `--name` or `--no-name`; a list of strings is written as separate words; a
//!   structure, map or list of structures as JSON ("AWS CLI: Specifying parameter values",
//!   <https://docs.aws.amazon.com/cli/v1/userguide/cli-usage-parameters.html>).
//! - boto3: keyword arguments of `kms.<snake_case>()`; blobs as `bytes`.
//! - SDK v3: `client.send(new <Operation>Command({...}))`; blobs as `Uint8Array`.

use std::fmt::Write as _;

use serde_json::Value;

use crate::kms::model::{model, Shape};
use crate::record::trace::Step;
use crate::scenario::Scenario;

/// Where the snippet sends its request, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The endpoint, e.g. `http://127.0.0.1:4599`; `None` for AWS itself.
    pub endpoint: Option<String>,
    /// The Region, e.g. `us-east-1`.
    pub region: String,
    /// The caller's access key id and secret, written into the snippet when given.
    pub credentials: Option<(String, String)>,
    /// The caller, shown in a comment (an ARN).
    pub caller: Option<String>,
}

/// A language a request can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// The AWS CLI (v1 or v2), in a POSIX shell with process substitution (bash, zsh).
    Cli,
    /// Python with boto3.
    Python,
    /// JavaScript with `@aws-sdk/client-kms` (v3).
    JavaScript,
}

impl Language {
    /// Every language, in the order the page shows them.
    pub const ALL: [Language; 3] = [Language::Cli, Language::Python, Language::JavaScript];

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            Language::Cli => "AWS CLI",
            Language::Python => "boto3",
            Language::JavaScript => "JS SDK v3",
        }
    }
}

/// The endpoint `kmsplay serve` listens on by default.
pub const SERVE_ENDPOINT: &str = "http://127.0.0.1:4599";

/// Where the KMS call of `step` goes when written as code for `kmsplay serve` at
/// `endpoint`: the step's Region, and the credentials of the scenario's principal that
/// made the call ([`PrincipalDef::credentials`](crate::scenario::PrincipalDef::credentials)).
/// A call a service made (WorkMail, SES) has no credentials of the scenario's: the snippet
/// then signs with whatever credentials the shell has.
pub fn step_target(scenario: &Scenario, step: &Step, endpoint: Option<&str>) -> Target {
    let region = step
        .event
        .as_ref()
        .map(|e| e.aws_region.to_string())
        .unwrap_or_else(|| scenario.region.clone());
    let credentials = scenario
        .principals
        .iter()
        .find(|(_, p)| p.arn == step.actor)
        .filter(|_| endpoint.is_some())
        .map(|(name, p)| {
            let (id, secret) = p.credentials(name);
            (id.to_owned(), secret.to_owned())
        });
    Target {
        endpoint: endpoint.map(str::to_owned),
        region,
        credentials,
        caller: Some(step.actor.clone()),
    }
}

/// The KMS call of `step` in every [`Language`], for `kmsplay serve` at `endpoint` (or AWS
/// with `None`); `None` when the step made no KMS call.
pub fn step_snippets(
    scenario: &Scenario,
    step: &Step,
    endpoint: Option<&str>,
) -> Option<Vec<(Language, String)>> {
    let operation = step.call?.kms()?;
    let request = step.request.as_ref()?;
    let target = step_target(scenario, step, endpoint);
    Language::ALL
        .iter()
        .map(|&l| snippet(l, operation.name(), request, &target).map(|code| (l, code)))
        .collect()
}

/// `operation` (e.g. `Encrypt`) with `request` as code in `language`, or `None` if the
/// model has no such operation or the request is not a JSON object.
pub fn snippet(
    language: Language,
    operation: &str,
    request: &Value,
    target: &Target,
) -> Option<String> {
    let input = model().input(operation)?;
    let members = request.as_object()?;
    // In the model's order, as the AWS documentation lists them.
    let ordered: Vec<(&str, &Value, Option<&Shape>)> = input
        .members
        .iter()
        .filter_map(|(name, r)| {
            members
                .get(name)
                .map(|v| (name.as_str(), v, model().shape(&r.shape)))
        })
        .collect();
    Some(match language {
        Language::Cli => cli(operation, &ordered, target),
        Language::Python => python(operation, &ordered, target),
        Language::JavaScript => javascript(operation, &ordered, target),
    })
}

/// botocore's `xform_name`: `CiphertextBlob` → `ciphertext_blob`, `GrantTokens` →
/// `grant_tokens`, `KeyARNs` → `key_arns` (its two regular expressions, and its special case
/// for a plural of capitals at the end).
pub fn xform_name(name: &str, sep: char) -> String {
    let chars: Vec<char> = name.chars().collect();
    // `[A-Z]{2,}s$`: `FooARNs` → `Foo` + sep + `arns`.
    let (head, tail) = match chars.split_last() {
        Some(('s', rest)) => {
            let caps = rest
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_uppercase())
                .count();
            if caps >= 2 {
                (
                    &chars[..chars.len() - caps - 1],
                    Some(&chars[chars.len() - caps - 1..]),
                )
            } else {
                (&chars[..], None)
            }
        }
        _ => (&chars[..], None),
    };
    let mut out = String::new();
    for (i, &c) in head.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| head[p]);
        let next = head.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                None => false,
                // `([a-z0-9])([A-Z])`
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // `(.)([A-Z][a-z]+)`
                Some(_) => next.is_some_and(|n| n.is_ascii_lowercase()),
            };
        if boundary {
            out.push(sep);
        }
        out.push(c.to_ascii_lowercase());
    }
    if let Some(tail) = tail {
        if !out.is_empty() {
            out.push(sep);
        }
        out.extend(tail.iter().map(char::to_ascii_lowercase));
    }
    out
}

/// `text` in single quotes for a POSIX shell.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The shape of a list's elements.
fn element(shape: Option<&Shape>) -> Option<&'static Shape> {
    shape
        .and_then(|s| s.member.as_ref())
        .and_then(|r| model().shape(&r.shape))
}

/// The shape of the value at `key` of a map or structure.
fn entry(shape: Option<&Shape>, key: &str) -> Option<&'static Shape> {
    let r = match shape {
        Some(s) if s.kind == "map" => s.value.as_ref(),
        Some(s) => s.member(key),
        None => None,
    };
    r.and_then(|r| model().shape(&r.shape))
}

fn kind(shape: Option<&Shape>) -> &str {
    shape.map_or("", |s| s.kind.as_str())
}

fn is_string_list(shape: Option<&Shape>, value: &Value) -> bool {
    kind(shape) == "list"
        && value
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(Value::is_string))
}

fn cli(operation: &str, members: &[(&str, &Value, Option<&Shape>)], target: &Target) -> String {
    let mut out = String::new();
    if let Some(caller) = &target.caller {
        let _ = writeln!(out, "# as {caller}");
    }
    if let Some((id, secret)) = &target.credentials {
        let _ = write!(
            out,
            "AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} ",
            shell_quote(id),
            shell_quote(secret)
        );
    }
    let _ = write!(out, "aws kms {}", xform_name(operation, '-'));
    if let Some(endpoint) = &target.endpoint {
        let _ = write!(out, " \\\n  --endpoint-url {}", shell_quote(endpoint));
    }
    let _ = write!(out, " \\\n  --region {}", shell_quote(&target.region));
    for (name, value, shape) in members {
        let flag = xform_name(name, '-');
        let arg = match (kind(*shape), value) {
            ("boolean", Value::Bool(true)) => format!("--{flag}"),
            ("boolean", Value::Bool(false)) => format!("--no-{flag}"),
            ("blob", Value::String(b64)) => {
                format!("--{flag} fileb://<(echo {} | base64 -d)", shell_quote(b64))
            }
            (_, Value::String(s)) => format!("--{flag} {}", shell_quote(s)),
            (_, Value::Number(n)) => format!("--{flag} {n}"),
            (_, v) if is_string_list(*shape, v) => {
                let words: Vec<String> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(shell_quote)
                    .collect();
                format!("--{flag} {}", words.join(" "))
            }
            (_, v) => format!("--{flag} {}", shell_quote(&v.to_string())),
        };
        let _ = write!(out, " \\\n  {arg}");
    }
    out.push('\n');
    out
}

/// A Python literal of `value`, blobs (by the model) as `b64decode("…")`.
fn py_literal(value: &Value, shape: Option<&Shape>) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if kind(shape) == "blob" => format!("b64decode({})", json_string(s)),
        Value::String(s) => json_string(s),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| py_literal(v, element(shape)))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", json_string(k), py_literal(v, entry(shape, k))))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A JavaScript literal of `value`, blobs (by the model) as `b64("…")`.
fn js_literal(value: &Value, shape: Option<&Shape>) -> String {
    match value {
        Value::String(s) if kind(shape) == "blob" => format!("b64({})", json_string(s)),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| js_literal(v, element(shape)))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", js_key(k), js_literal(v, entry(shape, k))))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// An object key, quoted only when it must be.
fn js_key(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        key.to_owned()
    } else {
        json_string(key)
    }
}

fn json_string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn uses_blob(members: &[(&str, &Value, Option<&Shape>)]) -> bool {
    fn walk(value: &Value, shape: Option<&Shape>) -> bool {
        match value {
            Value::String(_) => kind(shape) == "blob",
            Value::Array(items) => items.iter().any(|v| walk(v, element(shape))),
            Value::Object(entries) => entries.iter().any(|(k, v)| walk(v, entry(shape, k))),
            _ => false,
        }
    }
    members.iter().any(|(_, v, s)| walk(v, *s))
}

fn python(operation: &str, members: &[(&str, &Value, Option<&Shape>)], target: &Target) -> String {
    let mut out = String::new();
    if uses_blob(members) {
        out.push_str("from base64 import b64decode\n");
    }
    out.push_str("import boto3\n\n");
    if let Some(caller) = &target.caller {
        let _ = writeln!(out, "# as {caller}");
    }
    out.push_str("kms = boto3.client(\n    \"kms\",\n");
    let _ = writeln!(out, "    region_name={},", json_string(&target.region));
    if let Some(endpoint) = &target.endpoint {
        let _ = writeln!(out, "    endpoint_url={},", json_string(endpoint));
    }
    if let Some((id, secret)) = &target.credentials {
        let _ = writeln!(out, "    aws_access_key_id={},", json_string(id));
        let _ = writeln!(out, "    aws_secret_access_key={},", json_string(secret));
    }
    out.push_str(")\n");
    let _ = write!(out, "response = kms.{}(", xform_name(operation, '_'));
    if members.is_empty() {
        out.push_str(")\n");
    } else {
        out.push('\n');
        for (name, value, shape) in members {
            let _ = writeln!(out, "    {}={},", name, py_literal(value, *shape));
        }
        out.push_str(")\n");
    }
    out.push_str("print(response)\n");
    out
}

fn javascript(
    operation: &str,
    members: &[(&str, &Value, Option<&Shape>)],
    target: &Target,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "import {{ KMSClient, {operation}Command }} from \"@aws-sdk/client-kms\";\n"
    );
    if uses_blob(members) {
        out.push_str("const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));\n\n");
    }
    if let Some(caller) = &target.caller {
        let _ = writeln!(out, "// as {caller}");
    }
    out.push_str("const client = new KMSClient({\n");
    let _ = writeln!(out, "  region: {},", json_string(&target.region));
    if let Some(endpoint) = &target.endpoint {
        let _ = writeln!(out, "  endpoint: {},", json_string(endpoint));
    }
    if let Some((id, secret)) = &target.credentials {
        let _ = writeln!(
            out,
            "  credentials: {{ accessKeyId: {}, secretAccessKey: {} }},",
            json_string(id),
            json_string(secret)
        );
    }
    out.push_str("});\n");
    let _ = write!(
        out,
        "const response = await client.send(new {operation}Command({{"
    );
    if members.is_empty() {
        out.push_str("}));\n");
    } else {
        out.push('\n');
        for (name, value, shape) in members {
            let _ = writeln!(out, "  {}: {},", name, js_literal(value, *shape));
        }
        out.push_str("}));\n");
    }
    out.push_str("console.log(response);\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn serve() -> Target {
        Target {
            endpoint: Some("http://127.0.0.1:4599".into()),
            region: "us-east-1".into(),
            credentials: Some(("KeyAdmin".into(), "kmsplay".into())),
            caller: Some("arn:aws:iam::111122223333:role/KeyAdmin".into()),
        }
    }

    /// botocore's `xform_name` on the names KMS uses, and its special cases.
    #[test]
    fn member_names_as_botocore_writes_them() {
        for (name, want) in [
            ("CiphertextBlob", "ciphertext_blob"),
            ("KeyId", "key_id"),
            (
                "GenerateDataKeyWithoutPlaintext",
                "generate_data_key_without_plaintext",
            ),
            ("ReEncrypt", "re_encrypt"),
            (
                "BypassPolicyLockoutSafetyCheck",
                "bypass_policy_lockout_safety_check",
            ),
            ("NumberOfBytes", "number_of_bytes"),
            ("GetPublicKey", "get_public_key"),
            ("XksProxyURIEndpoint", "xks_proxy_uri_endpoint"),
            ("DeriveSharedSecret", "derive_shared_secret"),
            ("KeyARNs", "key_arns"),
            ("AWSAccountId", "aws_account_id"),
        ] {
            assert_eq!(xform_name(name, '_'), want, "{name}");
        }
        assert_eq!(xform_name("GrantTokens", '-'), "grant-tokens");
    }

    #[test]
    fn a_cli_command_types_each_member_by_the_model() {
        let request = json!({
            "KeyId": "alias/demo",
            "Plaintext": "aGVsbG8=",
            "EncryptionContext": {"purpose": "demo"},
            "GrantTokens": ["tokenA", "tokenB"],
            "DryRun": false,
        });
        let cli = snippet(Language::Cli, "Encrypt", &request, &serve()).unwrap_or_default();
        assert_eq!(
            cli,
            "# as arn:aws:iam::111122223333:role/KeyAdmin\n\
             AWS_ACCESS_KEY_ID=KeyAdmin AWS_SECRET_ACCESS_KEY=kmsplay aws kms encrypt \\\n  \
             --endpoint-url http://127.0.0.1:4599 \\\n  \
             --region us-east-1 \\\n  \
             --key-id alias/demo \\\n  \
             --plaintext fileb://<(echo aGVsbG8= | base64 -d) \\\n  \
             --encryption-context '{\"purpose\":\"demo\"}' \\\n  \
             --grant-tokens tokenA tokenB \\\n  \
             --no-dry-run\n"
        );
    }

    #[test]
    fn shell_quoting_survives_quotes_and_spaces() {
        let request = json!({"Description": "Bob's key; rm -rf /", "Policy": "{\"a\": 1}"});
        let cli = snippet(Language::Cli, "CreateKey", &request, &serve()).unwrap_or_default();
        assert!(
            cli.contains(r"--description 'Bob'\''s key; rm -rf /'"),
            "{cli}"
        );
        assert!(cli.contains(r#"--policy '{"a": 1}'"#), "{cli}");
    }

    #[test]
    fn python_and_javascript_give_blobs_as_bytes() {
        let request = json!({
            "CiphertextBlob": "AQID",
            "EncryptionContext": {"a-b": "c"},
            "Recipient": {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": "BAU="},
        });
        let py = snippet(Language::Python, "Decrypt", &request, &serve()).unwrap_or_default();
        assert!(
            py.starts_with("from base64 import b64decode\nimport boto3\n"),
            "{py}"
        );
        assert!(
            py.contains("response = kms.decrypt(\n    CiphertextBlob=b64decode(\"AQID\"),\n"),
            "{py}"
        );
        assert!(
            py.contains("\"AttestationDocument\": b64decode(\"BAU=\")"),
            "{py}"
        );
        assert!(py.contains("EncryptionContext={\"a-b\": \"c\"},"), "{py}");
        let js = snippet(Language::JavaScript, "Decrypt", &request, &serve()).unwrap_or_default();
        assert!(
            js.contains("import { KMSClient, DecryptCommand } from \"@aws-sdk/client-kms\";"),
            "{js}"
        );
        assert!(js.contains("  CiphertextBlob: b64(\"AQID\"),\n"), "{js}");
        assert!(
            js.contains("EncryptionContext: { \"a-b\": \"c\" },"),
            "{js}"
        );
        assert!(js.contains("AttestationDocument: b64(\"BAU=\")"), "{js}");
        assert!(
            js.contains("credentials: { accessKeyId: \"KeyAdmin\", secretAccessKey: \"kmsplay\" }"),
            "{js}"
        );
    }

    #[test]
    fn real_aws_has_no_endpoint_and_no_inline_credentials() {
        let aws = Target {
            endpoint: None,
            region: "eu-west-1".into(),
            credentials: None,
            caller: None,
        };
        let request = json!({});
        for language in Language::ALL {
            let code = snippet(language, "ListKeys", &request, &aws).unwrap_or_default();
            assert!(!code.is_empty());
            assert!(
                !code.contains("127.0.0.1")
                    && !code.contains("AWS_ACCESS_KEY_ID")
                    && !code.contains("accessKeyId")
                    && !code.contains("aws_access_key_id"),
                "{code}"
            );
            assert!(code.contains("eu-west-1"), "{code}");
        }
        assert_eq!(
            snippet(Language::Cli, "NoSuchOperation", &request, &aws),
            None
        );
        assert_eq!(snippet(Language::Cli, "ListKeys", &json!([1]), &aws), None);
    }

    #[test]
    fn booleans_and_numbers_keep_their_types() {
        let request = json!({"NumberOfBytes": 32});
        let py =
            snippet(Language::Python, "GenerateRandom", &request, &serve()).unwrap_or_default();
        assert!(py.contains("NumberOfBytes=32,"), "{py}");
        assert!(!py.contains("b64decode"), "{py}");
        let request = json!({"KeyId": "k", "BypassPolicyLockoutSafetyCheck": true, "PolicyName": "default", "Policy": "{}"});
        let py = snippet(Language::Python, "PutKeyPolicy", &request, &serve()).unwrap_or_default();
        assert!(py.contains("BypassPolicyLockoutSafetyCheck=True,"), "{py}");
        let cli = snippet(Language::Cli, "PutKeyPolicy", &request, &serve()).unwrap_or_default();
        assert!(
            cli.contains("--bypass-policy-lockout-safety-check"),
            "{cli}"
        );
        assert!(!cli.contains("--no-bypass"), "{cli}");
    }
}
