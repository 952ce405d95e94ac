"""boto3 against `kmsplay serve`, against moto's server, and against a stub that answers
every request with a fixed response (the client's own floor), in one run: requests per
second and p99 latency for GenerateDataKey and Encrypt+Decrypt, with 1 client and with 8
concurrent client processes. The server's share of a request is its latency minus the
stub's. Prints one JSON document (cargo xtask bench puts it in its table).

    python bench/clients.py KMSPLAY_BIN [--quick]
"""

import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).parent
SCENARIO = HERE.parent / "tests" / "clients" / "moto-scenario.json"
KEY = ("AKIAKMSPLAYBENCH0001", "bench-secret")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, what):
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{what} exited")
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen within 60 s")


class Stub(BaseHTTPRequestHandler):
    """Answers any KMS request with a fixed, valid response for its operation."""

    protocol_version = "HTTP/1.1"
    blob = "AQID" * 40
    answers = {
        "GenerateDataKey": json.dumps({"CiphertextBlob": blob, "Plaintext": "A" * 44, "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}).encode(),
        "Encrypt": json.dumps({"CiphertextBlob": blob, "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}).encode(),
        "Decrypt": json.dumps({"Plaintext": "aGVsbG8=", "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}).encode(),
        "CreateKey": json.dumps({"KeyMetadata": {"KeyId": "k", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k"}}).encode(),
    }

    def setup(self):
        super().setup()
        # One write per answer and no Nagle: otherwise delayed ACKs add 40 ms to each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        op = self.headers.get("X-Amz-Target", ".").split(".")[-1]
        body = self.answers.get(op, b"{}")
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"Content-Length: {len(body)}\r\nx-amzn-RequestId: stub\r\n\r\n"
        ).encode()
        self.wfile.write(head + body)

    def log_message(self, *args):
        pass


def client(url):
    import boto3
    from botocore.config import Config

    return boto3.client("kms", endpoint_url=url, region_name="us-east-1", aws_access_key_id=KEY[0],
                        aws_secret_access_key=KEY[1], config=Config(retries={"max_attempts": 1}))


def run_client(url, op, n, ready, results):
    """One client process: sets up its client and key and warms its connection, waits at
    `ready` until every client has, then times `n` operations. Puts on `results` the
    loop's start and end (CLOCK_MONOTONIC, comparable across processes) and each
    operation's latency (s)."""
    kms = client(url)
    key = kms.create_key()["KeyMetadata"]["KeyId"]

    def once():
        if op == "GenerateDataKey":
            kms.generate_data_key(KeyId=key, KeySpec="AES_256")
        else:
            ct = kms.encrypt(KeyId=key, Plaintext=b"x" * 1024)["CiphertextBlob"]
            kms.decrypt(CiphertextBlob=ct, KeyId=key)

    for _ in range(5):
        once()
    ready.wait(timeout=120)  # a client that failed to start breaks it for all
    times = []
    started = time.monotonic()
    for _ in range(n):
        t = time.perf_counter()
        once()
        times.append(time.perf_counter() - t)
    results.put((started, time.monotonic(), times))


def measure(url, op, clients, n):
    """`clients` processes of `n` operations each. Throughput counts only the timed loops
    (from the first loop's start to the last one's end), not what each process does
    before them: starting Python, importing boto3, building the client (tens of ms of
    CPU each), which would otherwise dilute the servers' difference."""
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(clients)
    results = ctx.Queue()
    procs = [ctx.Process(target=run_client, args=(url, op, n, ready, results), daemon=True) for _ in range(clients)]
    try:
        for p in procs:
            p.start()
        runs = [results.get(timeout=600) for _ in procs]
    finally:
        # A client that failed (and so never put its result) must not hang the bench.
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
    elapsed = max(end for _, end, _ in runs) - min(start for start, _, _ in runs)
    latencies = sorted(t for _, _, r in runs for t in r)
    return {
        "clients": clients,
        "requests": len(latencies),
        "perSecond": len(latencies) / elapsed,
        "medianMs": statistics.median(latencies) * 1000,
        "p99Ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main():
    kmsplay = sys.argv[1]
    quick = "--quick" in sys.argv
    n1, n8 = (200, 100) if quick else (1000, 400)
    servers = {}
    procs = []
    try:
        port = free_port()
        procs.append(subprocess.Popen([kmsplay, "serve", str(SCENARIO), "--port", str(port), "--quiet", "--default-principal", "admin"], stderr=subprocess.DEVNULL))
        wait_for(port, procs[-1], "kmsplay serve")
        servers["kmsplay"] = f"http://127.0.0.1:{port}"
        port = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(port, procs[-1], "moto's server")
        servers["moto"] = f"http://127.0.0.1:{port}"
        port = free_port()
        stub = ThreadingHTTPServer(("127.0.0.1", port), Stub)
        threading.Thread(target=stub.serve_forever, daemon=True).start()
        servers["stub"] = f"http://127.0.0.1:{port}"
        out = {}
        for op in ["GenerateDataKey", "Encrypt+Decrypt"]:
            rows = {}
            for clients, n in [(1, n1), (8, n8)]:
                for name, url in servers.items():
                    rows[f"{name}/{clients}"] = measure(url, op, clients, n)
            for clients in (1, 8):
                floor = rows[f"stub/{clients}"]["medianMs"]
                for name in ("kmsplay", "moto"):
                    rows[f"{name}/{clients}"]["serverMs"] = max(rows[f"{name}/{clients}"]["medianMs"] - floor, 0.0)
            out[op] = rows
        stub.shutdown()
        print(json.dumps({"clients": out, "quick": quick, "cpus": os.cpu_count()}))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
