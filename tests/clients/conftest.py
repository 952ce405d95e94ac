"""Starts `kmsplay serve` for the client tests and gives them clients signed as each
principal of scenario.json. KMSPLAY_BIN names the binary (cargo xtask test builds it)."""

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

HERE = Path(__file__).parent
SCENARIO = HERE / "scenario.json"
KEYS = {
    name: (p["accessKeyId"], p["secretAccessKey"])
    for name, p in json.loads(SCENARIO.read_text())["principals"].items()
}


def kmsplay_bin():
    path = os.environ.get("KMSPLAY_BIN")
    if not path:
        pytest.exit("KMSPLAY_BIN is not set: run these through `cargo xtask test`", 2)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `kmsplay serve` process and its endpoint."""

    def __init__(self, *args, scenario=SCENARIO):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [kmsplay_bin(), "serve", str(scenario), "--port", str(self.port), "--quiet", *args]
        self.start()

    def start(self):
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"kmsplay serve exited: {self.proc.stderr.read()}")
                time.sleep(0.05)
        raise RuntimeError("kmsplay serve did not start listening within 30 s")

    def kill(self):
        """SIGKILL: no chance to flush or clean up."""
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def get(self, path):
        with urllib.request.urlopen(self.url + path) as r:
            return json.loads(r.read())

    def client(self, principal, service="kms", region="us-east-1"):
        key, secret = KEYS[principal]
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )


@pytest.fixture(scope="module")
def server():
    s = Server("--verify-signatures")
    yield s
    s.stop()


@pytest.fixture
def admin(server):
    return server.client("admin")


@pytest.fixture
def app(server):
    return server.client("app")


@pytest.fixture
def reader(server):
    return server.client("reader")
