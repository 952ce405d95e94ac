"""The AWS CLI (v1, from PyPI) against `kmsplay serve`: `--endpoint-url`, as its users
write it."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import KEYS


def aws(server, principal, *args, check=True):
    key, secret = KEYS[principal]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_PROFILE", None)
    cli = Path(sys.executable).parent / "aws"
    out = subprocess.run([str(cli), "kms", *args, "--endpoint-url", server.url, "--output", "json"], env=env, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(out.stderr)
    return out


def test_encrypt_decrypt_with_the_cli(server, tmp_path):
    key = json.loads(aws(server, "admin", "create-key", "--description", "cli").stdout)["KeyMetadata"]["KeyId"]
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"hello from the CLI")
    out = aws(server, "app", "encrypt", "--key-id", key, "--plaintext", f"fileb://{plain}", "--encryption-context", "purpose=cli")
    blob = tmp_path / "blob"
    blob.write_bytes(base64.b64decode(json.loads(out.stdout)["CiphertextBlob"]))
    out = aws(server, "app", "decrypt", "--ciphertext-blob", f"fileb://{blob}", "--encryption-context", "purpose=cli")
    assert base64.b64decode(json.loads(out.stdout)["Plaintext"]) == b"hello from the CLI"


def test_a_refusal_on_the_cli(server, tmp_path):
    key = json.loads(aws(server, "admin", "create-key").stdout)["KeyMetadata"]["KeyId"]
    out = aws(server, "reader", "describe-key", "--key-id", key, check=False)
    assert out.returncode != 0
    assert "An error occurred (AccessDeniedException) when calling the DescribeKey operation: User: arn:aws:iam::111122223333:role/Reader is not authorized to perform: kms:DescribeKey" in out.stderr
