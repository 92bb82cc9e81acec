"""The ``hoarfrost`` command: ``serve`` as a real process, and ``state export|import|show``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from hoarfrost import cli
from tests.harness import ServerHarness

VIEW = {"domains": {"alpha": {"name": "alpha", "created": "2024-01-02T03:04:05Z"}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nothing listens on ``port`` and a new server can bind it (SO_REUSEADDR, as servers do:
    the connections the test made may linger in TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
        return True


def hoarfrost_command() -> list[str]:
    script = Path(sys.executable).parent / "hoarfrost"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hoarfrost.cli"]


def start_serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    environment = {**os.environ, "HOARFROST_PORT": str(port), **(env or {})}
    process = subprocess.Popen([*hoarfrost_command(), "serve", *args], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_hoarfrost/health", timeout=1) as response:
                assert response.status == 200
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate()
                pytest.fail(f"hoarfrost serve did not come up: {err.decode()}")
            time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_shuts_down_cleanly_on_signal(signum: int) -> None:
    process, port = start_serve()

    process.send_signal(signum)
    _, err = process.communicate(timeout=20)

    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert port_is_free(port)


def test_sigterm_does_not_wait_out_a_long_poll() -> None:
    process, port = start_serve()
    harness_client = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                                  aws_access_key_id="testing", aws_secret_access_key="testing",
                                  config=Config(read_timeout=60, retries={"total_max_attempts": 1}))
    url = harness_client.create_queue(QueueName="waiting")["QueueUrl"]
    poll = threading.Thread(target=lambda: _quietly(lambda: harness_client.receive_message(
        QueueUrl=url, WaitTimeSeconds=20)), daemon=True)
    poll.start()
    time.sleep(0.5)

    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)  # well inside the poll's 20 s

    assert process.returncode == 0, err.decode()
    assert port_is_free(port)


def _quietly(call: Callable[[], object]) -> None:
    try:
        call()
    except Exception:
        pass


def test_serve_options_and_request_log() -> None:
    process, port = start_serve("--log-requests", "--default-account", "210987654321",
                                "--default-region", "eu-central-1")
    try:
        health = requests.get(f"http://127.0.0.1:{port}/_hoarfrost/health").json()
        assert health["version"] and "sts" in health["services"]
        response = requests.get(f"http://127.0.0.1:{port}/_hoarfrost/nothing")
        assert response.status_code == 404
        # The default scope follows the flags.
        view = requests.get(f"http://127.0.0.1:{port}/_hoarfrost/state/sts").json()
        assert (view["account"], view["region"]) == ("210987654321", "eu-central-1")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    log = err.decode()
    assert process.returncode == 0, log
    assert f"serving on http://127.0.0.1:{port}" in log
    assert "GET /_hoarfrost/health admin 200" in log
    assert "GET /_hoarfrost/nothing admin 404" in log
    assert "GET /_hoarfrost/state/sts admin 200" in log


def test_state_export_import_show_round_trip(server: ServerHarness, sdb: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = server.endpoint_url
    assert url is not None
    requests.put(server.http_url("/_hoarfrost/state/sdb"), params={"region": "eu-west-1"}, json=VIEW).raise_for_status()

    # One scope's view.
    one = tmp_path / "one.json"
    assert cli.main(["state", "export", "--url", url, "--service", "sdb", "--region", "eu-west-1", "-o", str(one)]) == 0
    view = json.loads(one.read_text())
    assert view["region"] == "eu-west-1" and list(view["domains"]) == ["alpha"]

    # Everything.
    everything = tmp_path / "all.json"
    assert cli.main(["state", "export", "--url", url, "-o", str(everything)]) == 0
    exported = json.loads(everything.read_text())
    assert [(v["service"], v["region"]) for v in exported["views"]] == [("sdb", "eu-west-1")]

    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert cli.main(["state", "import", "--url", url, str(everything)]) == 0
    assert list(server.emulator.service("sdb").snapshot("123456789012", "eu-west-1").domains) == ["alpha"]

    # A single view goes back to the scope it names; --merge adds to what is there.
    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert cli.main(["state", "import", "--url", url, "--service", "sdb", str(one)]) == 0
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"region": "eu-west-1",
                                 "domains": {"beta": {"name": "beta", "created": "2024-01-01T00:00:00Z"}}}))
    assert cli.main(["state", "import", "--url", url, "--service", "sdb", "--merge", str(extra)]) == 0
    assert sorted(server.emulator.service("sdb").snapshot("123456789012", "eu-west-1").domains) == ["alpha", "beta"]

    capsys.readouterr()
    assert cli.main(["state", "show", "--url", url, "--json"]) == 0
    shown = capsys.readouterr().out
    assert "== sdb 123456789012/eu-west-1" in shown
    assert '"beta": {' in shown


def test_state_commands_report_errors_without_tracebacks(server: ServerHarness, sdb: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    url = server.endpoint_url
    assert url is not None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"domains": {"x": {"name": "y", "created": "2024-01-01T00:00:00Z"}}}))

    assert cli.main(["state", "import", "--url", url, "--service", "sdb", str(bad)]) == 1
    assert "StateViewError (invalid)" in capsys.readouterr().err

    assert cli.main(["state", "show", "--url", url, "--service", "nope"]) == 1
    assert "UnknownService" in capsys.readouterr().err

    assert cli.main(["state", "show", "--url", f"http://127.0.0.1:{free_port()}"]) == 2
    assert "cannot reach hoarfrost" in capsys.readouterr().err
