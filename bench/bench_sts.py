"""STS GetCallerIdentity ops/s: the botocore floor, hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_sts.py`` (each target in a fresh interpreter; one table).
Targets: in-process >= 75% of the floor; hoarfrost server >= 3x moto server. The raw-HTTP rows
replay one captured request on a keep-alive connection: the server's cost without botocore's.
"""

from __future__ import annotations

from common import (
    client,
    floor_client,
    hoarfrost_server,
    http_floor_server,
    main,
    moto_server,
    raw_http,
    server_url,
    target,
)


def _call(sts):
    return sts.get_caller_identity()


@target("floor (botocore, canned answer)", group="in-process")
def floor():
    sts = floor_client("sts", _call)
    yield sts.get_caller_identity


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws():
        sts = client("sts")
        yield sts.get_caller_identity


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        sts = client("sts")
        yield sts.get_caller_identity


@target("HTTP floor (uvicorn, canned answer)", group="server")
def http_floor():
    with http_floor_server("sts", _call) as url:
        sts = client("sts", endpoint_url=url)
        yield sts.get_caller_identity


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        sts = client("sts", endpoint_url=server_url(url))
        yield sts.get_caller_identity


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        sts = client("sts", endpoint_url=server_url(url))
        yield sts.get_caller_identity


@target("HTTP floor, raw HTTP", group="raw")
def http_floor_raw():
    with http_floor_server("sts", _call) as url:
        yield raw_http(url, "sts", _call)


@target("hoarfrost server, raw HTTP", group="raw")
def hoarfrost_raw():
    with hoarfrost_server() as url:
        yield raw_http(server_url(url), "sts", _call)


@target("moto server, raw HTTP", group="raw")
def moto_raw():
    with moto_server() as url:
        yield raw_http(server_url(url), "sts", _call)


if __name__ == "__main__":
    main(
        "STS GetCallerIdentity (boto3, one client, sequential calls)",
        reference="floor (botocore, canned answer)",
        ratios=[
            ("hoarfrost in-process / floor (target >= 0.75)", "hoarfrost in-process", "floor (botocore, canned answer)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server (target >= 3)", "hoarfrost server", "moto server"),
            ("hoarfrost server / moto server, raw HTTP (server cost alone)", "hoarfrost server, raw HTTP",
             "moto server, raw HTTP"),
        ],
    )
