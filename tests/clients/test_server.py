"""The server itself: a world kept across restarts (even `kill -9`) with no plaintext on
disk, the session recorded as a scenario that replays, and load: 8 clients at once, slow
and broken requests that must not stall or crash anything."""

import base64
import http.client
import json
import multiprocessing
import socket
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import SCENARIO, Server, kmsplay_bin

SECRET = b"plaintext-that-must-never-reach-the-disk"


def test_the_world_survives_kill_9_with_no_plaintext_on_disk(tmp_path):
    data = tmp_path / "data"
    s = Server("--data", str(data))
    try:
        admin = s.client("admin")
        key = admin.create_key(Description="durable")["KeyMetadata"]["Arn"]
        admin.create_alias(AliasName="alias/durable", TargetKeyId=key)
        ct = admin.encrypt(KeyId=key, Plaintext=SECRET, EncryptionContext={"k": "v"})["CiphertextBlob"]
        dk = admin.generate_data_key(KeyId=key, KeySpec="AES_256")
        s.kill()  # acknowledged requests were written before their answers
        s.start()
        admin = s.client("admin")
        assert admin.describe_key(KeyId="alias/durable")["KeyMetadata"]["Arn"] == key
        assert admin.decrypt(CiphertextBlob=ct, EncryptionContext={"k": "v"})["Plaintext"] == SECRET
        assert admin.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"] == dk["Plaintext"]
    finally:
        s.stop()
    for f in data.iterdir():
        raw = f.read_bytes()
        for secret in (SECRET, base64.b64encode(SECRET), dk["Plaintext"], base64.b64encode(dk["Plaintext"])):
            assert secret not in raw, f"{f.name} holds a plaintext"


def test_the_recording_replays_with_kmsplay_run(tmp_path):
    record = tmp_path / "session.json"
    s = Server("--record", str(record))
    try:
        admin, reader = s.client("admin"), s.client("reader")
        key = admin.create_key()["KeyMetadata"]["Arn"]
        ct = admin.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
        with pytest.raises(ClientError):
            reader.decrypt(CiphertextBlob=ct)
    finally:
        s.stop()
    replay = subprocess.run([kmsplay_bin(), "run", str(record)], capture_output=True, text=True)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "AccessDeniedException" in replay.stdout


def raw(port, data, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(data)
        if read:
            c.shutdown(socket.SHUT_WR)
            return c.recv(65536)
    return b""


class Raw:
    """A minimal KMS client over one keep-alive connection: JSON 1.1 requests with an
    unsigned SigV4 header naming the access key (the load server does not verify
    signatures), so the clients cost little next to the server."""

    def __init__(self, port, access_key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.auth = f"AWS4-HMAC-SHA256 Credential={access_key}/20261201/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0"

    def call(self, op, body):
        self.conn.request("POST", "/", body=json.dumps(body), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"TrentService.{op}",
            "Authorization": self.auth,
        })
        r = self.conn.getresponse()
        return r.status, json.loads(r.read() or b"{}")


def worker(args):
    """One client: `n` requests, mixed, each checked."""
    port, n, seed = args
    from conftest import KEYS

    me = Raw(port, KEYS["app" if seed % 2 else "admin"][0])
    admin = Raw(port, KEYS["admin"][0])
    status, created = admin.call("CreateKey", {"Description": f"load {seed}"})
    if status != 200:
        return [f"CreateKey: {status} {created}"]
    key = created["KeyMetadata"]["Arn"]
    errors = []
    sent = 1
    i = 0
    while sent < n:
        i += 1
        kind = i % 4
        if kind == 0:
            status, dk = me.call("GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": {"i": str(i)}})
            status2, out = me.call("Decrypt", {"CiphertextBlob": dk.get("CiphertextBlob"), "EncryptionContext": {"i": str(i)}})
            sent += 2
            if (status, status2) != (200, 200) or out.get("Plaintext") != dk.get("Plaintext"):
                errors.append(f"{i}: data key round trip {status} {status2}")
        elif kind == 1:
            pt = base64.b64encode(f"{seed}:{i}".encode()).decode()
            status, ct = me.call("Encrypt", {"KeyId": key, "Plaintext": pt})
            status2, out = me.call("Decrypt", {"CiphertextBlob": ct.get("CiphertextBlob")})
            sent += 2
            if (status, status2) != (200, 200) or out.get("Plaintext") != pt:
                errors.append(f"{i}: round trip {status} {status2}")
        elif kind == 2:
            status, d = me.call("DescribeKey", {"KeyId": key})
            sent += 1
            if status != 200 or d["KeyMetadata"]["Arn"] != key:
                errors.append(f"{i}: describe {status}")
        else:
            status, e = me.call("Decrypt", {"CiphertextBlob": base64.b64encode(b"\x01" * 64).decode()})
            sent += 1
            if status != 400 or e.get("__type") not in ("InvalidCiphertextException", "AccessDeniedException"):
                errors.append(f"{i}: garbage gave {status} {e}")
    return errors


def test_load_8_clients_with_slow_and_broken_requests():
    requests_per_client = int(__import__("os").environ.get("KMSPLAY_LOAD_REQUESTS", "10000"))
    s = Server()
    try:
        # A slow client that sends half its headers and stops holds nobody up.
        slow = socket.create_connection(("127.0.0.1", s.port))
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"half")
        started = time.time()
        with multiprocessing.get_context("spawn").Pool(8) as pool:
            results = pool.map(worker, [(s.port, requests_per_client, n) for n in range(8)])
        elapsed = time.time() - started
        errors = [e for r in results for e in r]
        assert errors == [], errors[:10]
        # Garbage, a truncated request, and a body over the limit get errors, not a crash.
        assert raw(s.port, b"\x00\xffgarbage\r\n\r\n").startswith(b"HTTP/1.1 4")
        truncated = raw(s.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 50\r\n\r\n{\"trunc")
        assert truncated.startswith(b"HTTP/1.1 4"), truncated
        big = b"{" + b" " * (10 * 1024 * 1024) + b"}"
        head = (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
            b"X-Amz-Target: TrentService.ListKeys\r\nContent-Length: " + str(len(big)).encode() + b"\r\n\r\n"
        )
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        try:
            conn.request("POST", "/", body=big, headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys"})
            status = conn.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = 413
        assert status == 413
        slow.close()
        # Still serving, and consistent.
        admin = s.client("admin")
        keys = admin.get_paginator("list_keys").paginate().build_full_result()["Keys"]
        assert len(keys) >= 8
        assert s.proc.poll() is None
        print(f"\n{8 * requests_per_client} requests from 8 clients in {elapsed:.1f}s")
    finally:
        s.stop()
