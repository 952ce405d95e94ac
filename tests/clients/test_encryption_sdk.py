"""The AWS Encryption SDK for Python against `kmsplay serve`: envelope encryption done by
AWS's own library, its KMS calls seen in the trace."""

import os

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk.identifiers import CommitmentPolicy

from conftest import KEYS


def test_encrypt_and_decrypt_a_message_with_a_kms_master_key(server, admin, monkeypatch):
    key = admin.create_key(Description="esdk")["KeyMetadata"]["Arn"]
    access, secret = KEYS["app"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key], botocore_session=botocore.session.Session())
    message, header = client.encrypt(source=b"a message for the envelope", key_provider=provider, encryption_context={"purpose": "test"})
    assert b"a message for the envelope" not in message
    plain, decrypted_header = client.decrypt(source=message, key_provider=provider)
    assert plain == b"a message for the envelope"
    # The SDK adds its own pair to the encryption context; KMS saw it, and so does the trace.
    assert "aws-crypto-public-key" in decrypted_header.encryption_context
    trace = server.get("/_kmsplay/trace")
    kms_steps = [s for s in trace["steps"] if s.get("call") in ("kms:GenerateDataKey", "kms:Decrypt") and s.get("actor", "").endswith("role/App")]
    assert {s["call"] for s in kms_steps} == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert any("aws-crypto-public-key" in str(s.get("request")) for s in kms_steps)
