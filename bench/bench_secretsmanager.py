"""Secrets Manager create + get per second: CreateSecret of a new 1 KiB secret, then
GetSecretValue of it, for the botocore floor, hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_secretsmanager.py`` (each group in a fresh interpreter).
One op in the table is one cycle (two API calls); every cycle creates a new secret, so the
state grows as it would in a test suite that makes its secrets as it goes.
"""

from __future__ import annotations

import itertools

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

VALUE = "s" * 1024


def _cycle(sm):
    names = (f"bench/secret-{i}" for i in itertools.count())

    def run():
        name = next(names)
        sm.create_secret(Name=name, SecretString=VALUE)
        sm.get_secret_value(SecretId=name)

    return run


@target("floor (beside direct)", group="direct")
@target("floor (botocore, canned answers)", group="in-process")
def floor():
    creator = floor_client("secretsmanager", lambda c: c.create_secret(Name="bench/secret", SecretString=VALUE))

    def _get(c):
        c.create_secret(Name="bench/secret", SecretString=VALUE)
        return c.get_secret_value(SecretId="bench/secret")

    getter = floor_client("secretsmanager", _get)

    def run():
        creator.create_secret(Name="bench/secret", SecretString=VALUE)
        getter.get_secret_value(SecretId="bench/secret")

    yield run


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws(direct=False):
        yield _cycle(client("secretsmanager"))


@target("hoarfrost direct in-process", group="direct")
def hoarfrost_direct_in_process():
    import hoarfrost

    with hoarfrost.mock_aws(direct=True):
        yield _cycle(client("secretsmanager"))


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        yield _cycle(client("secretsmanager"))


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        yield _cycle(client("secretsmanager", endpoint_url=server_url(url)))


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        yield _cycle(client("secretsmanager", endpoint_url=server_url(url)))


if __name__ == "__main__":
    main(
        "Secrets Manager CreateSecret -> GetSecretValue cycles (boto3, one client, 1 KiB values)",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)"),
            ("hoarfrost direct in-process / its floor", "hoarfrost direct in-process", "floor (beside direct)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
