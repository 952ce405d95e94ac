"""moto's own KMS tests (tests/test_kms of the pinned moto sdist, downloaded here, never
committed) in moto's server mode against `kmsplay serve`. Every failure must be an
expected divergence from moto, listed with what AWS does in moto-divergences.txt; a listed
test that passes is reported too, so the list stays true."""

import json
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import HERE, Server

MOTO_VERSION = "5.2.5"
# Tests of moto's own internals (its models, utilities and server), and of CloudFormation,
# which the playground does not model: they do not talk to an endpoint.
NOT_ENDPOINT_TESTS = ["test_model.py", "test_utils.py", "test_server.py", "test_kms_cloudformation.py"]


def moto_tests():
    cache = Path(os.environ.get("KMSPLAY_CACHE", HERE / ".cache")) / f"moto-{MOTO_VERSION}"
    root = cache / f"moto-{MOTO_VERSION}"
    if not (root / "tests" / "test_kms").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"moto=={MOTO_VERSION}", "--no-deps", "--no-binary", ":all:", "-d", str(cache), "-q"],
            check=True,
        )
        with tarfile.open(cache / f"moto-{MOTO_VERSION}.tar.gz") as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(f"moto-{MOTO_VERSION}/tests/") and (
                "/tests/test_kms/" in m.name or m.name.count("/") == 2)]
            tar.extractall(cache, members=members, filter="data")
    return root


def divergences():
    out = {}
    for line in (HERE / "moto-divergences.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            test, reason = line.split(" | ", 1)
            out[test.strip()] = reason.strip()
    return out


def listed(test, listing):
    return any(test == p or (p.endswith("*") and test.startswith(p[:-1])) for p in listing)


def test_motos_kms_tests_pass_or_are_listed_divergences(tmp_path):
    root = moto_tests()
    server = Server("--default-principal", "admin", scenario=HERE / "moto-scenario.json")
    report = tmp_path / "moto.xml"
    try:
        env = dict(os.environ, TEST_SERVER_MODE="true", TEST_SERVER_MODE_ENDPOINT=server.url,
                   AWS_ACCESS_KEY_ID="FOOBARKEY", AWS_SECRET_ACCESS_KEY="FOOBARSECRET")
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_kms", f"--junitxml={report}", "-o", "junit_family=xunit2"]
        args += [f"--ignore=tests/test_kms/{t}" for t in NOT_ENDPOINT_TESTS]
        subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)
    finally:
        server.stop()
    passed, failed = [], []
    for case in ET.parse(report).getroot().iter("testcase"):
        parts = case.get("classname").split(".")
        cls = parts[-1:] if parts[-1].startswith("Test") else []
        path = "/".join(parts[: len(parts) - len(cls)]) + ".py"
        test = "::".join([path, *cls, case.get("name")])
        bad = case.find("failure") is not None or case.find("error") is not None
        if case.find("skipped") is None:
            (failed if bad else passed).append(test)
    listing = divergences()
    unexpected = [t for t in failed if not listed(t, listing)]
    stale = [t for t in passed if listed(t, listing)]
    summary = {"moto": MOTO_VERSION, "passed": len(passed), "divergences": len(failed) - len(unexpected), "unexpected": unexpected, "listed_but_passing": stale}
    results = Path(os.environ.get("KMSPLAY_RESULTS", tmp_path))
    results.mkdir(parents=True, exist_ok=True)
    (results / "moto.json").write_text(json.dumps(summary, indent=2))
    print(f"\nmoto {MOTO_VERSION} tests/test_kms against kmsplay serve: {len(passed)} passed, "
          f"{summary['divergences']} failed as listed divergences, {len(unexpected)} unexpected")
    assert not unexpected, f"moto tests that fail and are not listed divergences: {unexpected}"
    assert not stale, f"listed divergences that now pass (remove them): {stale}"
