"""Lambda invocations per second: synchronous invokes of a trivial Python function on a warm
worker, for the botocore floor and hoarfrost (in-process and over HTTP), and the cost of a cold
start (a fresh worker process: spawn, import the handler, invoke).

Run: ``.venv/bin/python bench/bench_lambda.py`` (each group in a fresh interpreter).
moto is not measured: its Lambda runs every function in a Docker container, which this machine
does not need and may not have; the floor is the honest reference.
"""

from __future__ import annotations

import io
import json
import zipfile

from common import client, floor_client, hoarfrost_server, main, server_url, target

SOURCE = "def handler(event, context):\n    return {'ok': True, 'n': event.get('n', 0)}\n"
ROLE = "arn:aws:iam::123456789012:role/bench"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", SOURCE)
    return buffer.getvalue()


def _prepare(lam):
    lam.create_function(FunctionName="bench", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": _zip()}, Timeout=10)
    lam.get_function(FunctionName="bench")  # Pending -> Active
    lam.invoke(FunctionName="bench", Payload=b"{}")  # warm the worker


def _warm(lam):
    payload = json.dumps({"n": 1}).encode()

    def run():
        response = lam.invoke(FunctionName="bench", Payload=payload)
        response["Payload"].read()

    return run


def _invoke(lam):
    _prepare(lam)  # the floor's probe runs on a fresh hoarfrost: the function must exist there
    return lam.invoke(FunctionName="bench", Payload=b'{"n": 1}')


@target("floor (botocore, canned answers)", group="in-process", scenario="warm")
def floor():
    lam = floor_client("lambda", _invoke)
    yield _warm(lam)


@target("hoarfrost in-process", group="in-process", scenario="warm")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws():
        lam = client("lambda")
        _prepare(lam)
        yield _warm(lam)


@target("hoarfrost server", group="server", scenario="warm")
def hoarfrost_http():
    with hoarfrost_server() as url:
        lam = client("lambda", endpoint_url=server_url(url))
        _prepare(lam)
        yield _warm(lam)


# Two groups (two interpreters): two mock_aws() blocks in one process would both answer from the
# innermost emulator.
@target("hoarfrost in-process, cold start each call", group="cold", scenario="cold")
def cold_start():
    import hoarfrost

    with hoarfrost.mock_aws() as emulator:
        lam = client("lambda")
        _prepare(lam)
        pool = emulator.service("lambda").executor.pool
        arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        warm = _warm(lam)

        def run():
            pool.retire(arn)  # the next invoke starts a fresh worker process
            warm()

        yield run


@target("hoarfrost in-process, warm", group="warm", scenario="cold")
def warm_reference():
    import hoarfrost

    with hoarfrost.mock_aws():
        lam = client("lambda")
        _prepare(lam)
        yield _warm(lam)


if __name__ == "__main__":
    main(
        "Lambda synchronous invokes of a trivial Python function on a warm worker (boto3, one client)",
        reference="floor (botocore, canned answers)", scenario="warm",
        ratios=[("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)")],
    )
    main("Lambda cold starts (a fresh worker process per invoke) against warm invokes", scenario="cold",
         reference="hoarfrost in-process, warm", min_seconds=1.0)
