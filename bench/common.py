"""Shared benchmark helpers (not tests): timing, the botocore floor, hoarfrost and moto servers.

A benchmark script (``bench_<service>.py``) names its targets and hands them to ``main``::

    from common import client, floor_client, hoarfrost_in_process, main, target

    @target("floor")
    def floor():
        sts = floor_client("sts", lambda c: c.get_caller_identity())
        yield sts.get_caller_identity          # the callable that gets timed

    ...
    if __name__ == "__main__":
        main("STS GetCallerIdentity", reference="floor")

A target is a generator: code before ``yield`` is setup (start a server, create a client, warm
up), the yielded zero-argument callable is timed, code after it is teardown. ``main`` runs every
target group in its own fresh interpreter (so moto's and hoarfrost's import-time hooks, caches
and threads never skew each other) and prints one table; targets of one group share an
interpreter and interleave their repetitions, so their ratio survives a noisy machine.
``--group NAME`` runs one group here and prints JSON (what the parent process calls);
``--inline`` runs everything in this process; ``--only NAME...`` picks targets.

The API, kept small on purpose:
  target(name, group=None, scenario=None), main(title, reference, ratios, scenario=None, min_seconds=None),
  scenario_selected(name), measure(name, fn), measure_many(fns),
  client(service, endpoint_url=None),
  floor_client(service, call), raw_http(url, service, call), http_floor_server(service, call),
  hoarfrost_server(), moto_server(), server_url(url), Result.

A script with several scenarios (one table each) passes ``scenario=`` to ``target`` and calls
``main(..., scenario=...)`` once per scenario; ``--scenario NAME`` runs only that one and
``scenario_selected(name)`` tells the script whether to run extra, non-table measurements.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REGION = "us-east-1"

# Benchmarks must never reach AWS, whatever the shell has configured.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION,
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                  AWS_EC2_METADATA_DISABLED="true")
sys.path.insert(0, str(ROOT / "src"))


# -- timing -------------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    ops_per_sec: float  # median over the repetitions
    usec_per_op: float
    best_ops_per_sec: float  # the fastest repetition: least disturbed by other processes
    repetitions: int
    calls_per_repetition: int
    spread: float  # (max - min) / median ops/s: how noisy the run was

    @classmethod
    def from_json(cls, text: str) -> list[Result]:
        return [cls(**item) for item in json.loads(text)]


def _calibrate(fn: Callable[[], Any], min_seconds: float, warmup: int) -> int:
    """Enough calls that one repetition takes ``min_seconds``."""
    for _ in range(warmup):
        fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return calls
        calls = max(calls * 2, int(calls * min_seconds / max(elapsed, 1e-6) * 1.1))


def measure_many(fns: dict[str, Callable[[], Any]], *, repetitions: int = 9, min_seconds: float = 0.25,
                 warmup: int = 20) -> list[Result]:
    """Median ops/s of each callable, repetitions *interleaved* (a, b, a, b, ...) so a burst of
    load from other processes hits every target alike and their ratio stays meaningful."""
    calls = {name: _calibrate(fn, min_seconds, warmup) for name, fn in fns.items()}
    rates: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repetitions):
        for name, fn in fns.items():
            count = calls[name]
            start = time.perf_counter()
            for _ in range(count):
                fn()
            rates[name].append(count / (time.perf_counter() - start))
    results = []
    for name, samples in rates.items():
        median = statistics.median(samples)
        results.append(Result(name, median, 1e6 / median, max(samples), repetitions, calls[name],
                              (max(samples) - min(samples)) / median))
    return results


def measure(name: str, fn: Callable[[], Any], **options: Any) -> Result:
    """Median ops/s of ``fn`` over repetitions of a calibrated number of calls."""
    return measure_many({name: fn}, **options)[0]


# -- clients -----------------------------------------------------------------------------------------
def client(service: str, endpoint_url: str | None = None, **kwargs: Any) -> Any:
    """A boto3 client with dummy credentials, us-east-1, and no retries (a benchmark wants the
    first answer's cost)."""
    import boto3
    from botocore.config import Config

    kwargs.setdefault("region_name", REGION)
    kwargs.setdefault("aws_access_key_id", "testing")
    kwargs.setdefault("aws_secret_access_key", "testing")
    kwargs.setdefault("config", Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    return boto3.session.Session().client(service, endpoint_url=endpoint_url, **kwargs)


class _CannedBody:
    """The raw body botocore reads a canned response from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, amt: int | None = None) -> bytes:
        body, self._body = self._body, b""
        return body


def canned_answer(service: str, call: Callable[[Any], Any], **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one real answer to ``call(client)``, captured from hoarfrost
    in-process, so it is valid for whatever protocol the service speaks."""
    import hoarfrost

    captured: dict[str, Any] = {}

    def record(http_response: Any, **_: Any) -> None:
        captured.update(status=http_response.status_code, headers=dict(http_response.headers),
                        body=http_response.content)

    with hoarfrost.mock_aws(direct=False):  # a real wire answer: direct mode sends none
        probe = client(service, **kwargs)
        probe.meta.events.register("after-call", record)
        call(probe)
    return captured["status"], captured["headers"], captured["body"]


def floor_client(service: str, call: Callable[[Any], Any], **kwargs: Any) -> Any:
    """The botocore FLOOR: a client whose requests are answered by a ``before-send`` handler that
    returns the canned answer to ``call``, so all that is timed is botocore itself (serialise,
    sign, parse). Nothing can answer a boto3 call in-process faster than this."""
    from botocore.awsrequest import AWSResponse

    status, headers, body = canned_answer(service, call, **kwargs)

    def canned(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, _CannedBody(body))

    floor = client(service, **kwargs)
    floor.meta.events.register_first("before-send", canned)
    # botocore calls *every* before-send handler and keeps the first answer, so while a
    # hoarfrost target of the same group has its mock active, hoarfrost's built-in handler would
    # still do the whole request behind the canned answer and bill it to the floor.
    import hoarfrost.mock

    floor.meta.events.unregister("before-send", hoarfrost.mock._before_send)
    # Likewise a direct-mode block (``mock_aws(direct=True)``) would answer it at before-call.
    floor.meta.events.unregister("before-parameter-build", hoarfrost.mock._keep_params)
    floor.meta.events.unregister("before-call", hoarfrost.mock._before_call)
    return floor


def raw_http(endpoint_url: str, service: str, call: Callable[[Any], Any], **kwargs: Any) -> Callable[[], bytes]:
    """A callable that replays the HTTP request botocore makes for ``call(client)`` on one
    keep-alive connection: the server's cost without botocore's (the signature goes stale, which
    neither hoarfrost nor moto checks)."""
    import http.client
    from urllib.parse import urlsplit

    from botocore.awsrequest import AWSResponse

    captured: dict[str, Any] = {}

    def record(request: Any, **_: Any) -> AWSResponse:
        body = request.body or b""
        captured.update(method=request.method, url=request.url, headers=dict(request.headers),
                        body=body.encode() if isinstance(body, str) else body)
        return AWSResponse(request.url, 500, {}, _CannedBody(b""))

    probe = client(service, endpoint_url=endpoint_url, **kwargs)
    probe.meta.events.register_first("before-send", record)
    with contextlib.suppress(Exception):
        call(probe)
    target = urlsplit(captured["url"])
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in captured["headers"].items()}
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    method, body = captured["method"], captured["body"]

    def send() -> bytes:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{response.status}: {data[:200]!r}")
        return data

    return send


# -- servers -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {url}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {timeout}s: {url}")


@contextlib.contextmanager
def _server(command: list[str], url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                               env={**os.environ, **(env or {})})
    try:
        _wait_for(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def canned_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI app answering every request with the answer in ``$BENCH_CANNED`` (the HTTP floor)."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    status, headers, body = _CANNED
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _load_canned() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    document = json.loads(os.environ.get("BENCH_CANNED", '{"status": 200, "headers": {}, "body": ""}'))
    body = document["body"].encode("latin-1")
    headers = [(k.lower().encode(), v.encode()) for k, v in document["headers"].items()
               if k.lower() not in ("content-length", "date", "server")]
    return document["status"], headers + [(b"content-length", str(len(body)).encode())], body


_CANNED = _load_canned()


def http_floor_server(service: str, call: Callable[[Any], Any]) -> contextlib.AbstractContextManager[str]:
    """The HTTP FLOOR: uvicorn (as ``hoarfrost serve`` runs it) answering every request with the
    canned answer to ``call``, no pipeline behind it; yields its URL."""
    status, headers, body = canned_answer(service, call)
    port = free_port()
    canned = json.dumps({"status": status, "headers": headers, "body": body.decode("latin-1")})
    command = [PYTHON, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "common:canned_app", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    return _server(command, f"http://127.0.0.1:{port}", env={"BENCH_CANNED": canned})


def hoarfrost_server() -> contextlib.AbstractContextManager[str]:
    """``hoarfrost serve`` in a subprocess on a free port; yields its URL."""
    port = free_port()
    return _server([PYTHON, "-m", "hoarfrost.cli", "serve", "--port", str(port)], f"http://127.0.0.1:{port}")


def moto_server() -> contextlib.AbstractContextManager[str]:
    """``python -m moto.server`` in a subprocess on a free port; yields its URL."""
    port = free_port()
    return _server([PYTHON, "-m", "moto.server", "-p", str(port)], f"http://127.0.0.1:{port}/moto-api/")


def server_url(url: str) -> str:
    """The endpoint URL a ``*_server()`` yields, without any probe path."""
    return url.split("/moto-api/")[0]


# -- running targets ------------------------------------------------------------------------------------
TargetFn = Callable[[], Iterator[Callable[[], Any]]]
_TARGETS: dict[str, tuple[TargetFn, str]] = {}
_SCENARIO_TARGETS: dict[str | None, dict[str, tuple[TargetFn, str]]] = {None: _TARGETS}


def target(name: str, group: str | None = None, scenario: str | None = None) -> Callable[[TargetFn], TargetFn]:
    """Register a generator target (setup, ``yield`` the callable to time, teardown) under ``name``.

    Targets of one ``group`` run in the same interpreter with interleaved repetitions (use it for
    the pairs whose ratio matters and that can share a process, e.g. the floor and hoarfrost
    in-process); every other target gets an interpreter of its own. ``scenario`` files the target
    under one of several tables of a script (see ``main``).
    """

    def register(fn: TargetFn) -> TargetFn:
        _SCENARIO_TARGETS.setdefault(scenario, {})[name] = (fn, group or name)
        return fn

    return register


def run_group(group: str, scenario: str | None = None, **options: Any) -> list[Result]:
    """Run one group's targets interleaved; ``options`` go to ``measure_many``."""
    with contextlib.ExitStack() as stack:
        fns = {name: stack.enter_context(contextlib.contextmanager(fn)())
               for name, (fn, member_of) in _SCENARIO_TARGETS.get(scenario, {}).items() if member_of == group}
        return measure_many(fns, **options)


def _run_isolated(script: str, group: str, scenario: str | None = None) -> list[Result] | str:
    command = [PYTHON, script, "--group", group] + (["--scenario", scenario] if scenario else [])
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return (result.stderr.strip().splitlines() or ["failed"])[-1]
    return Result.from_json(lines[-1])


def table(title: str, results: list[Result | tuple[str, str]], reference: str | None) -> str:
    """A Markdown table; ``% of reference`` compares each row's median ops/s with the reference's."""
    base = next((r.ops_per_sec for r in results if isinstance(r, Result) and r.name == reference), None)
    lines = [f"### {title}", "", f"| target | ops/s (median) | µs/op | best ops/s | % of {reference or '-'} | spread |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for item in results:
        if isinstance(item, Result):
            share = f"{100 * item.ops_per_sec / base:.0f}%" if base else "-"
            lines.append(f"| {item.name} | {item.ops_per_sec:,.0f} | {item.usec_per_op:,.0f} | "
                         f"{item.best_ops_per_sec:,.0f} | {share} | {100 * item.spread:.0f}% |")
        else:
            lines.append(f"| {item[0]} | error: {item[1]} | | | | |")
    return "\n".join(lines)


def _parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--group", help="run one target group in this process and print the results as JSON")
    parser.add_argument("--inline", action="store_true", help="run every group in this process")
    parser.add_argument("--only", nargs="*", help="run only the groups of these targets")
    parser.add_argument("--scenario", help="run only this scenario (scripts with several tables)")
    return parser.parse_args()


def scenario_selected(name: str) -> bool:
    """True in the parent run of a script when scenario ``name`` is wanted (no ``--scenario``, or
    that one); False in a ``--group`` child. For measurements that are not a table of targets."""
    args = _parse_args("")
    return not args.group and args.scenario in (None, name)


def main(title: str, reference: str | None = None, ratios: list[tuple[str, str, str]] | None = None,
         scenario: str | None = None, min_seconds: float | None = None) -> None:
    """Command line of a bench script. ``ratios`` adds lines "label: a / b" (median ops/s) under
    the table. ``scenario`` picks the targets registered with that scenario (call ``main`` once
    per scenario; each prints its own table). ``min_seconds`` lengthens each repetition (slow
    operations, e.g. 0.1 s a call, otherwise get two or three calls a repetition)."""
    args = _parse_args(title)
    if args.scenario is not None and args.scenario != scenario:
        return
    targets = _SCENARIO_TARGETS.get(scenario, {})
    options = {} if min_seconds is None else {"min_seconds": min_seconds}
    if args.group:
        print(json.dumps([asdict(result) for result in run_group(args.group, scenario, **options)]))
        return
    groups = list(dict.fromkeys(group for name, (_, group) in targets.items() if not args.only or name in args.only))
    script = sys.argv[0]
    results: list[Result | tuple[str, str]] = []
    for group in groups:
        outcome = run_group(group, scenario, **options) if args.inline else _run_isolated(script, group, scenario)
        if isinstance(outcome, str):
            results.extend((name, outcome) for name, (_, member_of) in targets.items() if member_of == group)
        else:
            results.extend(outcome)
    print(table(title, results, reference))
    rates = {r.name: r.ops_per_sec for r in results if isinstance(r, Result)}
    for label, numerator, denominator in ratios or ():
        if numerator in rates and denominator in rates:
            print(f"\n{label}: {rates[numerator] / rates[denominator]:.2f}x")
    sys.stdout.flush()
