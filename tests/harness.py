"""The shared test harness: the same test body drives hoarfrost in-process and over HTTP.

A test takes the ``aws`` fixture (see ``conftest.py``) and uses it like this::

    def test_queue_round_trip(aws):
        sqs = aws.client("sqs")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        ...
        view = aws.emulator.service("sqs").snapshot(aws.account, aws.region)

``aws.mode`` is ``"inprocess"`` (boto3 answered by ``mock_aws()``, no socket) or ``"server"``
(boto3 talks HTTP to a uvicorn server on a loopback port). Both start every test with empty
state.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

import hoarfrost
from hoarfrost.core.emulator import Emulator
from hoarfrost.server.run import BackgroundServer

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

# Tests want the first answer, not botocore's retries with back-off on a 500.
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})

# One boto3 session for the whole run (created on first use, after conftest has fenced off the
# environment): its loader caches the service models, so a client costs milliseconds instead
# of re-reading JSON from disk.
_session: boto3.session.Session | None = None
_session_lock = threading.Lock()


def _shared_session() -> boto3.session.Session:
    global _session
    if _session is None:
        _session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
        )
    return _session


def _client_kwargs(kwargs: dict[str, Any], endpoint_url: str | None) -> dict[str, Any]:
    kwargs.setdefault("region_name", REGION)
    if "aws_access_key_id" not in kwargs and "aws_secret_access_key" not in kwargs:
        kwargs["aws_access_key_id"] = ACCESS_KEY
        kwargs["aws_secret_access_key"] = SECRET_KEY
    config = kwargs.get("config")
    kwargs["config"] = NO_RETRIES if config is None else NO_RETRIES.merge(config)
    if endpoint_url is not None:
        kwargs.setdefault("endpoint_url", endpoint_url)
        # Operations with a host prefix (deadline's management., iotsitewise's api.) would
        # otherwise go to management.127.0.0.1: what every SDK user of a local server sets.
        kwargs["config"] = kwargs["config"].merge(Config(inject_host_prefix=False))
    return kwargs


class Harness:
    """What the ``aws`` fixture yields. Attribute names are a contract for every test folder."""

    mode: str
    emulator: Emulator
    endpoint_url: str | None
    region: str = REGION

    @property
    def account(self) -> str:
        """The account requests with the default credentials land in."""
        return self.emulator.settings.default_account

    def client(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 client (us-east-1, keys testing/testing unless given; retries off unless a
        ``config`` turns them on) that reaches this harness's emulator."""
        kwargs = _client_kwargs(kwargs, self.endpoint_url)
        with _session_lock:
            return _shared_session().client(service_name, **kwargs)

    def resource(self, service_name: str, **kwargs: Any) -> Any:
        kwargs = _client_kwargs(kwargs, self.endpoint_url)
        with _session_lock:
            return _shared_session().resource(service_name, **kwargs)

    def http_url(self, path: str) -> str:
        """Absolute URL of ``path`` on the server (server mode only: raw HTTP needs a socket)."""
        if self.endpoint_url is None:
            raise RuntimeError("http_url() needs the server harness; in-process there is no socket")
        return self.endpoint_url + (path if path.startswith("/") else "/" + path)

    def __repr__(self) -> str:
        where = f" {self.endpoint_url}" if self.endpoint_url else ""
        return f"<Harness {self.mode}{where}>"


class InProcessHarness(Harness):
    """boto3 answered by ``hoarfrost.mock_aws()`` on a fresh Emulator per test (in direct mode
    when ``HOARFROST_DIRECT=1`` is set: ``direct`` says which)."""

    mode = "inprocess"
    endpoint_url = None

    def __init__(self, direct: bool | None = None) -> None:
        self._mock = hoarfrost.mock_aws(direct=direct)
        self.direct = self._mock.direct

    def __enter__(self) -> InProcessHarness:
        self.emulator = self._mock.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mock.__exit__(*exc)


class ServerHarness(Harness):
    """boto3 over HTTP to one uvicorn server shared by the whole session; state is reset per test."""

    mode = "server"

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.emulator = server.emulator
        self.endpoint_url = server.url

    def __enter__(self) -> ServerHarness:
        self.emulator.reset()
        return self

    def __exit__(self, *exc: object) -> None:
        pass
