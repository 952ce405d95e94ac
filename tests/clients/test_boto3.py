"""boto3 against `kmsplay serve`: what a Python application sees, in botocore's own
exception classes, signed with SigV4 and checked (the server runs --verify-signatures)."""

import base64
import json

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ACCOUNT = "111122223333"


def explanation(err):
    return err.response["ResponseMetadata"]["HTTPHeaders"].get("x-kmsplay-explanation", "")


def test_encrypt_decrypt_with_context_and_a_wrong_context(admin, app):
    key = admin.create_key(Description="boto3")["KeyMetadata"]
    assert key["KeyState"] == "Enabled" and key["KeyManager"] == "CUSTOMER"
    assert len(key["CurrentKeyMaterialId"]) == 64
    ct = app.encrypt(KeyId=key["Arn"], Plaintext=b"hello", EncryptionContext={"tenant": "blue"})["CiphertextBlob"]
    out = app.decrypt(CiphertextBlob=ct, EncryptionContext={"tenant": "blue"})
    assert out["Plaintext"] == b"hello"
    assert out["KeyId"] == key["Arn"]
    assert out["KeyMaterialId"] == key["CurrentKeyMaterialId"]
    with pytest.raises(app.exceptions.InvalidCiphertextException) as e:
        app.decrypt(CiphertextBlob=ct, EncryptionContext={"tenant": "red"})
    assert e.value.response["Error"]["Message"] == ""  # AWS sends no message
    assert "encryption context does not match" in explanation(e.value)


def test_a_refused_principal_gets_awss_access_denied(admin, reader):
    key = admin.create_key()["KeyMetadata"]["Arn"]
    ct = admin.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        reader.decrypt(CiphertextBlob=ct)
    err = e.value.response["Error"]
    assert err["Code"] == "AccessDeniedException"
    assert err["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:role/Reader is not authorized to perform: kms:Decrypt "
        f"on resource: {key} because no identity-based policy allows the kms:Decrypt action"
    )
    assert "identity-based policy" in explanation(e.value)


def test_a_key_policy_naming_the_reader_lets_it_decrypt_and_nothing_else(admin, reader):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Reader"}, "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }
    key = admin.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    ct = admin.encrypt(KeyId=key, Plaintext=b"for the reader")["CiphertextBlob"]
    assert reader.decrypt(CiphertextBlob=ct)["Plaintext"] == b"for the reader"
    with pytest.raises(ClientError) as e:
        reader.encrypt(KeyId=key, Plaintext=b"no")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert json.loads(admin.get_key_policy(KeyId=key)["Policy"]) == policy


def test_a_grant_works_at_once_through_its_token_and_stops_when_retired(admin, reader):
    key = admin.create_key()["KeyMetadata"]["Arn"]
    ct = admin.encrypt(KeyId=key, Plaintext=b"granted", EncryptionContext={"app": "x"})["CiphertextBlob"]
    grant = admin.create_grant(
        KeyId=key,
        GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/Reader",
        Operations=["Decrypt", "RetireGrant"],
        Constraints={"EncryptionContextSubset": {"app": "x"}},
    )
    out = reader.decrypt(CiphertextBlob=ct, EncryptionContext={"app": "x"}, GrantTokens=[grant["GrantToken"]])
    assert out["Plaintext"] == b"granted"
    listed = admin.list_grants(KeyId=key)["Grants"]
    assert [g["GrantId"] for g in listed] == [grant["GrantId"]]
    reader.retire_grant(GrantToken=grant["GrantToken"])
    with pytest.raises(ClientError) as e:
        reader.decrypt(CiphertextBlob=ct, EncryptionContext={"app": "x"})
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"


def test_aliases(admin):
    a = admin.create_key()["KeyMetadata"]["Arn"]
    b = admin.create_key()["KeyMetadata"]["Arn"]
    admin.create_alias(AliasName="alias/boto3-app", TargetKeyId=a)
    assert admin.describe_key(KeyId="alias/boto3-app")["KeyMetadata"]["Arn"] == a
    admin.update_alias(AliasName="alias/boto3-app", TargetKeyId=b)
    assert admin.describe_key(KeyId="alias/boto3-app")["KeyMetadata"]["Arn"] == b
    names = [x["AliasName"] for x in admin.list_aliases()["Aliases"]]
    assert "alias/boto3-app" in names and "alias/aws/s3" in names
    with pytest.raises(admin.exceptions.AlreadyExistsException):
        admin.create_alias(AliasName="alias/boto3-app", TargetKeyId=a)
    with pytest.raises(admin.exceptions.NotFoundException) as e:
        admin.describe_key(KeyId="alias/none")
    assert e.value.response["Error"]["Message"] == f"Alias arn:aws:kms:us-east-1:{ACCOUNT}:alias/none is not found."


def test_rotation_keeps_old_ciphertexts(admin):
    key = admin.create_key()["KeyMetadata"]["Arn"]
    old = admin.encrypt(KeyId=key, Plaintext=b"before")["CiphertextBlob"]
    admin.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    status = admin.get_key_rotation_status(KeyId=key)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    admin.rotate_key_on_demand(KeyId=key)
    rotations = admin.list_key_rotations(KeyId=key)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    assert admin.decrypt(CiphertextBlob=old)["Plaintext"] == b"before"


def test_request_id_is_the_cloudtrail_request_id(server, admin):
    r = admin.create_key(Description="traced")
    request_id = r["ResponseMetadata"]["RequestId"]
    events = server.get("/_kmsplay/cloudtrail")["Records"]
    event = next(e for e in events if e["requestID"] == request_id)
    assert event["eventName"] == "CreateKey"
    assert event["userIdentity"]["arn"].endswith("role/Admin")


def test_validation_as_aws_writes_it(admin):
    key = admin.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as e:
        admin.generate_data_key(KeyId=key, NumberOfBytes=2000)
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"] == "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"


def test_ecc_signatures_verify_outside_kms(admin):
    key = admin.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    sig = admin.sign(KeyId=key, Message=b"pay 10", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    public = serialization.load_der_public_key(admin.get_public_key(KeyId=key)["PublicKey"])
    public.verify(sig, b"pay 10", ec.ECDSA(hashes.SHA256()))
    assert admin.verify(KeyId=key, Message=b"pay 10", Signature=sig, SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]
    with pytest.raises(admin.exceptions.KMSInvalidSignatureException):
        admin.verify(KeyId=key, Message=b"pay 99", Signature=sig, SigningAlgorithm="ECDSA_SHA_256")


def test_a_wrong_secret_is_refused(server):
    bad = server.client("admin")
    bad._request_signer._credentials.secret_key = "not-the-secret"
    with pytest.raises(ClientError) as e:
        bad.list_keys()
    assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
