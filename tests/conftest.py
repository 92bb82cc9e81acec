"""Fixtures every test folder shares.

* ``aws`` — parametrized over ``inprocess``, ``direct`` and ``server``: the same test runs
  against ``mock_aws()`` on the wire path, against ``mock_aws(direct=True)`` (botocore answered
  at ``before-call``, see ``hoarfrost.direct``) and against the HTTP server (see
  ``tests/harness.py`` for the attributes).
* ``inprocess`` / ``server`` — one mode only, for tests that only make sense one way.
* ``hoarfrost_server`` — the session's ``BackgroundServer`` itself (started on first use).

``inprocess`` is the wire path (what exercises the protocol layer); ``tests/direct`` compares
both modes field by field over a sweep of every service.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hoarfrost.core.emulator import Emulator
from hoarfrost.server.run import BackgroundServer
from tests.harness import InProcessHarness, ServerHarness

# No test may reach a real AWS account, whatever the developer's shell has configured.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def hoarfrost_server() -> Iterator[BackgroundServer]:
    """One uvicorn server for the whole test session, on a free loopback port."""
    server = BackgroundServer(Emulator()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inprocess() -> Iterator[InProcessHarness]:
    with InProcessHarness(direct=False) as harness:
        yield harness


@pytest.fixture
def server(hoarfrost_server: BackgroundServer) -> Iterator[ServerHarness]:
    with ServerHarness(hoarfrost_server) as harness:
        yield harness


@pytest.fixture(params=["inprocess", "direct", "server"])
def aws(request: pytest.FixtureRequest) -> Iterator[InProcessHarness | ServerHarness]:
    if request.param in ("inprocess", "direct"):
        with InProcessHarness(direct=request.param == "direct") as harness:
            yield harness
    else:
        with ServerHarness(request.getfixturevalue("hoarfrost_server")) as harness:
            yield harness


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.coverage_report import LINES

    if LINES:
        terminalreporter.section("coverage of botocore's operations")
        for line in LINES:
            terminalreporter.write_line(line)
