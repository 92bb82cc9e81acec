"""A whole environment, object bodies included, exported to one document and imported again."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from hoarfrost import cli
from tests.harness import ServerHarness

BODY = b"hello \x00 world" * 1000


def fill(server: ServerHarness) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="exports")
    s3.put_object(Bucket="exports", Key="dir/a b.bin", Body=BODY)
    server.client("sqs").create_queue(QueueName="jobs")


def check(server: ServerHarness) -> None:
    assert server.client("s3").get_object(Bucket="exports", Key="dir/a b.bin")["Body"].read() == BODY
    assert server.client("sqs").get_queue_url(QueueName="jobs")["QueueUrl"].endswith("/jobs")


def test_export_with_blobs_rebuilds_everything(server: ServerHarness) -> None:
    fill(server)
    document = requests.get(server.http_url("/_hoarfrost/state"), params={"blobs": "1"}).json()
    assert {v["service"] for v in document["views"]} >= {"s3", "sqs"}
    assert len(document["blobs"]) == 1

    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert server.client("s3").list_buckets()["Buckets"] == []

    response = requests.put(server.http_url("/_hoarfrost/state"), json=document)
    assert response.status_code == 200, response.text
    check(server)


def test_import_missing_a_blob_changes_nothing(server: ServerHarness) -> None:
    fill(server)
    document = requests.get(server.http_url("/_hoarfrost/state"), params={"blobs": "1"}).json()
    server.client("s3").put_object(Bucket="exports", Key="later", Body=b"kept")
    document["blobs"] = {}

    response = requests.put(server.http_url("/_hoarfrost/state"), json=document)

    assert response.status_code == 409
    assert response.json()["kind"] == "blob"
    check(server)
    assert server.client("s3").get_object(Bucket="exports", Key="later")["Body"].read() == b"kept"


def test_cli_export_blobs_then_import(server: ServerHarness, tmp_path: Path) -> None:
    assert server.endpoint_url is not None
    fill(server)
    archive = tmp_path / "env.json"
    assert cli.main(["state", "export", "--url", server.endpoint_url, "--blobs", "-o", str(archive)]) == 0
    assert json.loads(archive.read_text())["blobs"]

    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert cli.main(["state", "import", "--url", server.endpoint_url, str(archive)]) == 0
    check(server)
