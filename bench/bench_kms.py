"""KMS round trips per second: Encrypt -> Decrypt of 1 KiB under a symmetric key with an
encryption context, for the botocore floor, hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_kms.py`` (each group in a fresh interpreter; one table).
One op in the table is one full round trip (two API calls). The floor answers each call from
its own client with a canned response, so it is botocore's cost of a round trip alone.
"""

from __future__ import annotations

import os

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

PLAINTEXT = os.urandom(1024)
CONTEXT = {"purpose": "benchmark"}


def _prepare(kms):
    """A symmetric key; its id."""
    return kms.create_key(Description="bench")["KeyMetadata"]["KeyId"]


def _round_trip(kms, key_id):
    def run():
        blob = kms.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == PLAINTEXT

    return run


def _encrypt(kms):
    return kms.encrypt(KeyId=_prepare(kms), Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)


def _decrypt(kms):
    blob = _encrypt(kms)["CiphertextBlob"]
    return kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)


@target("floor (beside direct)", group="direct")
@target("floor (botocore, canned answers)", group="in-process")
def floor():
    encrypter, decrypter = floor_client("kms", _encrypt), floor_client("kms", _decrypt)
    key_id = "11111111-2222-3333-4444-555555555555"

    def run():
        blob = encrypter.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)["CiphertextBlob"]
        assert decrypter.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == PLAINTEXT

    yield run


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws(direct=False):
        kms = client("kms")
        yield _round_trip(kms, _prepare(kms))


@target("hoarfrost direct in-process", group="direct")
def hoarfrost_direct_in_process():
    import hoarfrost

    with hoarfrost.mock_aws(direct=True):
        kms = client("kms")
        yield _round_trip(kms, _prepare(kms))


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        kms = client("kms")
        yield _round_trip(kms, _prepare(kms))


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        kms = client("kms", endpoint_url=server_url(url))
        yield _round_trip(kms, _prepare(kms))


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        kms = client("kms", endpoint_url=server_url(url))
        yield _round_trip(kms, _prepare(kms))


if __name__ == "__main__":
    main(
        "KMS Encrypt -> Decrypt round trips (boto3, one client, 1 KiB plaintext, encryption context)",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)"),
            ("hoarfrost direct in-process / its floor", "hoarfrost direct in-process", "floor (beside direct)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
