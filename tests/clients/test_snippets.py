"""The code the page shows for each KMS call (written by core's `view::code`, printed by
`kmsplay code`) runs as shown against `kmsplay serve` and gets the answer the run got: the
AWS CLI command in bash, the boto3 snippet in Python."""

import base64
import contextlib
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.exceptions
import pytest

from conftest import Server, kmsplay_bin

# Built-ins whose every step is a KMS call a principal of the scenario makes.
BUILTINS = ["encryption-context", "key-rotation"]


def principals_only(name, tmp_path):
    """The built-in without its steps: the world its first step starts from."""
    text = subprocess.run([kmsplay_bin(), "show", name], capture_output=True, text=True, check=True).stdout
    scenario = json.loads(text)
    scenario["steps"] = []
    path = tmp_path / f"{name}-principals.json"
    path.write_text(json.dumps(scenario))
    return path


def calls(name, endpoint):
    out = subprocess.run(
        [kmsplay_bin(), "code", name, "--json", "--endpoint", endpoint],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def comparable(value):
    """A response without what differs between two runs by design: timestamps (the run's
    virtual clock against the server's wall clock)."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if not k.endswith("Date") and k != "ResponseMetadata"}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def expected(call, runner):
    if call["error"]:
        return ("error", call["error"]["__type"])
    response = comparable(call["response"] or {})
    if runner is run_cli:
        # The CLI pages through a list itself and prints no paging fields.
        for k in ("Truncated", "NextMarker"):
            response.pop(k, None)
    return ("ok", response)


def run_cli(code):
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    out = subprocess.run(["bash", "-c", code], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        marker = "An error occurred ("
        assert marker in out.stderr, out.stderr
        return ("error", out.stderr.split(marker, 1)[1].split(")", 1)[0])
    return ("ok", comparable(json.loads(out.stdout) if out.stdout.strip() else {}))


def run_python(code):
    namespace = {"__name__": "__snippet__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<snippet>", "exec"), namespace)
    except botocore.exceptions.ClientError as e:
        return ("error", e.response["Error"]["Code"])
    return ("ok", comparable(namespace["response"]))


@pytest.mark.parametrize("name", BUILTINS)
@pytest.mark.parametrize("runner", [run_cli, run_python], ids=["aws-cli", "boto3"])
def test_each_call_as_code_gets_what_the_run_got(name, runner, tmp_path):
    server = Server(scenario=principals_only(name, tmp_path))
    try:
        todo = calls(name, server.url)
        assert todo, f"{name} made no KMS call"
        for call in todo:
            code = call["cli" if runner is run_cli else "python"]
            assert server.url in code
            got = runner(code)
            assert got == expected(call, runner), f"step {call['step'] + 1} ({call['operation']}):\n{code}"
    finally:
        server.stop()


def test_the_code_for_aws_has_no_endpoint():
    out = subprocess.run([kmsplay_bin(), "code", "encryption-context", "--aws", "--language", "python"],
                         capture_output=True, text=True, check=True).stdout
    assert "kms.encrypt(" in out and "endpoint_url" not in out and "aws_access_key_id" not in out
