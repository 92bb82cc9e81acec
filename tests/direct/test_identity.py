"""The direct mode answers exactly what the wire mode answers: a sweep of calls over every
hand-written service (``sweep.py``), errors included, runs as wire, direct, wire again, each on a
fresh emulator, and the direct run's results are compared field by field with the wire's.

The emulator's clock stands still at a moment with microseconds during the sweep, so timestamps
are equal run to run and their precision (milliseconds on most wires, seconds in HTTP dates) is
compared too. What legitimately differs from run to run (ids, receipt handles, timestamps) shows up as a
difference between the two wire runs: there the direct value must only have the same type (a
datetime with the same zone class, bytes, int...). The direct run sits between the two wire runs,
so a timestamp equal in both wire runs must be equal in the direct one too. Request ids are left
out everywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

import hoarfrost
import hoarfrost.core.clock
from hoarfrost.core.emulator import Emulator
from tests.direct.sweep import SWEEP

# 2023-11-14T22:13:20.123456Z: sub-millisecond digits a wire would drop.
FROZEN = 1_700_000_000.123456


class _FrozenTime:
    """What ``hoarfrost.core.clock`` reads the time from, standing still."""

    monotonic = staticmethod(time.monotonic)

    @staticmethod
    def time() -> float:
        return FROZEN

# S3 uploads: on the wire botocore sends the body aws-chunked with a checksum trailer, which the
# handler decodes; their handler inputs differ by that encoding, their results are compared.
_CHUNKED_UPLOADS = frozenset({"PutObject", "UploadPart"})
_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "date")


def _tree(value: Any) -> Any:
    """A comparable picture of a boto3 result: scalars tagged with their type, bodies read."""
    if isinstance(value, dict):
        return {key: _tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tree(item) for item in value]
    if isinstance(value, dt.datetime):
        return ("datetime", value, type(value.tzinfo).__name__)
    if hasattr(value, "read"):
        return ("stream", type(value).__name__, value.read())
    return (type(value).__name__, value)


def _clean(response: dict[str, Any]) -> dict[str, Any]:
    metadata = response.get("ResponseMetadata")
    if isinstance(metadata, dict):
        metadata.pop("RequestId", None)
        metadata.pop("HostId", None)
        headers = metadata.get("HTTPHeaders") or {}
        for name in _ID_HEADERS:
            headers.pop(name, None)
    return response


def _run(sweep: Callable[..., None], direct: bool,
         monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[str, str, Any]], list[tuple[str, str, Any]]]:
    """The sweep's results, and the parameters each handler was given (the direct mode must type
    them as the protocol parser does)."""
    records: list[tuple[str, str, Any]] = []
    inputs: list[tuple[str, str, Any]] = []
    invoke = Emulator.invoke

    def recorded(self: Emulator, service: Any, handler: Any, route: Any, params: dict[str, Any], *args: Any,
                 **kwargs: Any) -> Any:
        inputs.append((route.operation, "params", _tree(copy.deepcopy(params))))
        return invoke(self, service, handler, route, params, *args, **kwargs)

    monkeypatch.setattr(Emulator, "invoke", recorded)

    def call(client: Any, name: str, **params: Any) -> Any:
        try:
            result = getattr(client, name)(**params)
        except ClientError as error:
            records.append((name, "error", _tree(_clean(dict(error.response)))))
            return None
        except ParamValidationError as error:  # botocore's own check, before either mode
            records.append((name, "invalid", str(error)))
            return None
        picture = _tree(_clean(dict(result)))
        records.append((name, "ok", picture))
        # Hand the sweep the values it reads back (a streamed body was consumed by _tree).
        return result

    with hoarfrost.mock_aws(direct=direct):
        session = boto3.session.Session(region_name="us-east-1")
        clients: dict[str, Any] = {}

        def client(service: str) -> Any:
            if service not in clients:
                clients[service] = session.client(service)
            return clients[service]

        sweep(client, call)
    monkeypatch.setattr(Emulator, "invoke", invoke)
    return records, inputs


def _signature(picture: Any) -> Any:
    """The types of a picture, without its values."""
    if isinstance(picture, dict):
        return "dict"
    if isinstance(picture, list):
        return "list"
    if isinstance(picture, tuple):
        return (picture[0], picture[2]) if picture[0] == "datetime" else (picture[0], picture[1]) if (
            picture[0] == "stream") else picture[0]
    return type(picture).__name__


def _compare(first: Any, second: Any, direct: Any, path: str, problems: list[str]) -> None:
    if first == second:
        if direct != first:
            problems.append(f"{path}: wire {first!r} != direct {direct!r}")
        return
    if isinstance(first, dict) and isinstance(second, dict) and isinstance(direct, dict):
        if first.keys() != second.keys():  # a map keyed by ids: only its size can be compared
            if len(first) == len(second) != len(direct):
                problems.append(f"{path}: {len(first)} keys on the wire, {len(direct)} direct")
            return
        for key in first:
            if key not in direct:
                problems.append(f"{path}.{key}: missing in direct")
            else:
                _compare(first[key], second[key], direct[key], f"{path}.{key}", problems)
        for key in direct.keys() - first.keys() - second.keys():
            problems.append(f"{path}.{key}: only in direct")
        return
    if isinstance(first, list) and isinstance(second, list) and isinstance(direct, list) and (
            len(first) == len(second) == len(direct)):
        for index, (a, b, c) in enumerate(zip(first, second, direct)):
            _compare(a, b, c, f"{path}[{index}]", problems)
        return
    if _signature(first) == _signature(second) and _signature(direct) != _signature(first):
        problems.append(f"{path}: wire type {_signature(first)} != direct type {_signature(direct)}")


@pytest.mark.parametrize("sweep", SWEEP, ids=[sweep.__name__.rstrip("_") for sweep in SWEEP])
def test_direct_mode_answers_what_the_wire_answers(sweep: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hoarfrost.core.clock, "time", _FrozenTime)
    first, first_inputs = _run(sweep, False, monkeypatch)
    direct, direct_inputs = _run(sweep, True, monkeypatch)
    second, second_inputs = _run(sweep, False, monkeypatch)
    assert [(name, kind) for name, kind, _ in direct] == [(name, kind) for name, kind, _ in first]
    assert [name for name, _, _ in direct_inputs] == [name for name, _, _ in first_inputs]
    problems: list[str] = []
    for index, ((name, kind, a), (_, _, b), (_, _, c)) in enumerate(zip(first, second, direct)):
        _compare(a, b, c, f"#{index} {name} ({kind})", problems)
    for index, ((name, kind, a), (_, _, b), (_, _, c)) in enumerate(zip(first_inputs, second_inputs, direct_inputs)):
        if name in _CHUNKED_UPLOADS:
            continue
        _compare(a, b, c, f"handler input #{index} {name}", problems)
    assert not problems, "\n".join(problems)
    # The sweep exercised both outcomes where it means to: a sweep that only errs proves little.
    assert any(kind == "ok" for _, kind, _ in first)
    assert not [name for name, kind, _ in first if kind == "invalid"], "the sweep itself is wrong"
