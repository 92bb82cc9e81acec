"""CloudWatch fixtures: a boto3 client on the ``aws`` harness (json: botocore prefers it to
rpc-v2-cbor and query), clients forced onto each of CloudWatch's three protocols, and helpers for metric data
pinned to whole minutes so that a test never depends on where the real clock is in a minute."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from tests.harness import ACCESS_KEY, NO_RETRIES, REGION, SECRET_KEY, Harness

PROTOCOLS = ("smithy-rpc-v2-cbor", "json", "query")

_lock = threading.Lock()
_sessions: dict[str, boto3.session.Session] = {}


def _session(protocol: str, root: Path) -> boto3.session.Session:
    """A boto3 session whose CloudWatch model lists only ``protocol``, so botocore speaks it."""
    with _lock:
        if protocol not in _sessions:
            reader = botocore.session.get_session().get_component("data_loader")
            model = copy.deepcopy(reader.load_service_model("cloudwatch", "service-2"))
            core = botocore.session.get_session()  # a loader that has not cached the real model
            loader = core.get_component("data_loader")
            model["metadata"]["protocol"] = protocol
            model["metadata"]["protocols"] = [protocol]
            target = root / protocol / "cloudwatch" / model["metadata"]["apiVersion"]
            target.mkdir(parents=True, exist_ok=True)
            (target / "service-2.json").write_text(json.dumps(model))
            loader.search_paths.insert(0, str(root / protocol))
            _sessions[protocol] = boto3.session.Session(botocore_session=core, region_name=REGION,
                                                        aws_access_key_id=ACCESS_KEY,
                                                        aws_secret_access_key=SECRET_KEY)
        return _sessions[protocol]


@pytest.fixture(scope="session")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cloudwatch-models")


def protocol_client(aws: Harness, protocol: str, root: Path) -> Any:
    kwargs: dict[str, Any] = {"region_name": REGION, "config": NO_RETRIES}
    if aws.endpoint_url is not None:
        kwargs["endpoint_url"] = aws.endpoint_url
    session = _session(protocol, root)
    with _lock:
        client = session.client("cloudwatch", **kwargs)
    assert client.meta.service_model.resolved_protocol == protocol
    return client


@pytest.fixture
def cw(aws: Harness) -> Any:
    return aws.client("cloudwatch")


def minute(aws: Harness, minutes_ago: int = 0) -> dt.datetime:
    """A whole minute of the emulator clock, ``minutes_ago`` before the current one."""
    now = aws.emulator.clock.time()
    return dt.datetime.fromtimestamp((now // 60 - minutes_ago) * 60, dt.timezone.utc)


def code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def message(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return str(excinfo.value.response["Error"]["Message"])
