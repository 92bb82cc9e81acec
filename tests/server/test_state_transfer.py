"""Whole-environment export and import (``hoarfrost state export|import``, ``hoarfrost.state``),
against a server and directly on a state directory; the summary ``state show`` and the
dashboard print; the admin routes they use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

import hoarfrost
from hoarfrost import cli
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from hoarfrost.server.persistence import MANIFEST, Persister
from hoarfrost.server.run import BackgroundServer
from hoarfrost.state import export_document
from tests.harness import Harness, ServerHarness

BODY = bytes(range(256)) * 64


def seed(aws: Harness) -> None:
    """One of nearly everything, with payloads, messages, items and a moved clock."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="travelling")
    s3.put_object(Bucket="travelling", Key="body.bin", Body=BODY)
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="travelling")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="travelling", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="travelling", Item={"id": {"S": "1"}, "n": {"N": "2"}})
    aws.client("sns").create_topic(Name="travelling")
    aws.client("secretsmanager").create_secret(Name="travelling", SecretString="s3cr3t")
    aws.client("ssm").put_parameter(Name="/travelling", Value="v", Type="SecureString")
    aws.client("iam").create_user(UserName="traveller")
    aws.client("glue").create_database(DatabaseInput={"Name": "travelling"})
    aws.client("sqs", region_name="eu-west-1").create_queue(QueueName="abroad")
    aws.emulator.clock.advance(5000)


def documents_equal(left: dict[str, Any], right: dict[str, Any]) -> None:
    assert [(v["service"], v["account"], v["region"]) for v in left["views"]] == \
        [(v["service"], v["account"], v["region"]) for v in right["views"]]
    for mine, theirs in zip(left["views"], right["views"], strict=True):
        assert mine == theirs, mine["service"]
    assert left.get("blobs") == right.get("blobs")
    assert left["clock"] == right["clock"]


# -- against a server --------------------------------------------------------------------------
def test_export_then_import_on_a_fresh_server_reproduces_identical_snapshots(server: ServerHarness,
                                                                              tmp_path: Path) -> None:
    seed(server)
    exported = tmp_path / "env.json"
    assert cli.main(["state", "export", str(exported), "--url", server.endpoint_url or ""]) == 0
    document = json.loads(exported.read_text())
    assert document["clock"]["offset"] == server.emulator.clock.offset >= 5000
    assert {v["service"] for v in document["views"]} >= {"s3", "sqs", "dynamodb", "sns", "secretsmanager", "ssm",
                                                         "iam", "glue", "kms"}

    with BackgroundServer(Emulator()) as fresh:
        assert cli.main(["state", "import", str(exported), "--url", fresh.url]) == 0
        again = requests.get(fresh.url + "/_hoarfrost/state", timeout=30).json()
        documents_equal(document, again)
        s3 = boto3.client("s3", endpoint_url=fresh.url, region_name="us-east-1", aws_access_key_id="k",
                          aws_secret_access_key="s",
                          config=boto3.session.Config(s3={"addressing_style": "path"}))
        assert s3.get_object(Bucket="travelling", Key="body.bin")["Body"].read() == BODY


def test_merge_keeps_what_exists_and_replace_does_not(server: ServerHarness, tmp_path: Path) -> None:
    with hoarfrost.mock_aws():
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="from-file")
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="from-file")
        hoarfrost.state.export_to(tmp_path / "other.json")
    sqs = server.client("sqs")
    sqs.create_queue(QueueName="already-here")
    url = server.endpoint_url or ""

    assert cli.main(["state", "import", str(tmp_path / "other.json"), "--url", url, "--merge"]) == 0
    assert sorted(q.rsplit("/", 1)[1] for q in sqs.list_queues()["QueueUrls"]) == ["already-here", "from-file"]
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["from-file"]

    assert cli.main(["state", "import", str(tmp_path / "other.json"), "--url", url]) == 0
    assert [q.rsplit("/", 1)[1] for q in sqs.list_queues()["QueueUrls"]] == ["from-file"]


def test_a_bad_document_changes_nothing_in_merge_or_replace(server: ServerHarness) -> None:
    server.client("sqs").create_queue(QueueName="untouched")
    before = requests.get(server.http_url("/_hoarfrost/state"), timeout=10).json()
    bad = {"views": [{"service": "sqs", "account": server.account, "region": "eu-west-1",
                      "view": {"queues": [{"queue_name": "x"}]}},
                     {"service": "sqs", "account": server.account, "region": server.region,
                      "view": {"queues": "not a list"}}]}
    for method in ("PATCH", "PUT"):
        answer = requests.request(method, server.http_url("/_hoarfrost/state"), json=bad, timeout=10)
        assert answer.status_code == 400, answer.text
        assert answer.json()["kind"] == "invalid"
    assert requests.get(server.http_url("/_hoarfrost/state"), timeout=10).json() == before


def test_show_prints_counts_per_scope_and_the_moved_clock(server: ServerHarness,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    seed(server)
    url = server.endpoint_url or ""
    capsys.readouterr()
    assert cli.main(["state", "show", "--url", url]) == 0
    shown = capsys.readouterr().out
    assert "emulator clock:" in shown and "(moved 1h 23m 20s ahead of real time)" in shown
    assert f"== s3 {server.account}/{server.region}\n  buckets: 1\n    travelling  objects=1  versions=1" in shown
    assert f"== sqs {server.account}/eu-west-1\n  queues: 1\n    abroad  messages=0" in shown
    assert "    travelling  items=1" in shown
    assert "== glue" in shown and "travelling" in shown

    assert cli.main(["state", "show", "--url", url, "--service", "sqs", "--region", "eu-west-1"]) == 0
    only = capsys.readouterr().out
    assert "abroad" in only and "== s3" not in only and f"{server.account}/{server.region}" not in only


def test_the_summary_route(server: ServerHarness) -> None:
    server.client("sqs").create_queue(QueueName="counted")
    answer = requests.get(server.http_url("/_hoarfrost/summary"), params={"service": "sqs"}, timeout=10).json()
    assert answer["clock"]["moved"] is False and answer["clock"]["offset"] == 0
    assert answer["scopes"] == [{"service": "sqs", "account": server.account, "region": server.region,
                                 "collections": [{"name": "queues", "count": 1, "truncated": False,
                                                  "items": [{"name": "counted", "counts": {"messages": 0}}]}]}]
    assert requests.get(server.http_url("/_hoarfrost/summary"), params={"region": "nowhere-1"},
                        timeout=10).json()["scopes"] == []
    unknown = requests.get(server.http_url("/_hoarfrost/summary"), params={"service": "nope"}, timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"] == "UnknownService"
    server.emulator.service("sqs").reset()
    assert requests.get(server.http_url("/_hoarfrost/summary"), timeout=10).json()["scopes"] == []


def test_the_dashboard_is_served_from_the_package(server: ServerHarness) -> None:
    page = requests.get(server.http_url("/_hoarfrost/"), timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]  # nothing from elsewhere
    assert requests.get(server.http_url("/_hoarfrost/dashboard"), timeout=10).text == page.text
    for name, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        asset = requests.get(server.http_url(f"/_hoarfrost/dashboard/{name}"), timeout=10)
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
        assert f"/_hoarfrost/dashboard/{name}" in page.text
    assert requests.get(server.http_url("/_hoarfrost/dashboard/secret.py"), timeout=10).status_code == 404
    assert requests.post(server.http_url("/_hoarfrost/"), timeout=10).status_code == 405


# -- directly on a state directory --------------------------------------------------------------
def make_state_dir(root: Path) -> None:
    emulator = Emulator()
    persister = Persister(emulator, root, save_delay=3600)
    persister.load()
    persister.start()
    emulator.call("s3", "CreateBucket", {"Bucket": "on-disk"})
    emulator.call("s3", "PutObject", {"Bucket": "on-disk", "Key": "k", "Body": BODY})
    emulator.call("sqs", "CreateQueue", {"QueueName": "on-disk"})
    emulator.clock.advance(60)
    persister.close()
    emulator.close()


def test_export_and_import_work_on_a_state_directory_without_a_server(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "source"
    make_state_dir(source)
    manifest_before = (source / MANIFEST).read_bytes()
    exported = tmp_path / "env.json"
    assert cli.main(["state", "export", str(exported), "--state-dir", str(source), "--progress"]) == 0
    assert (source / MANIFEST).read_bytes() == manifest_before  # an export writes nothing there
    assert "exporting 2/2 scopes (sqs " in capsys.readouterr().err
    document = json.loads(exported.read_text())
    assert [v["service"] for v in document["views"]] == ["s3", "sqs"] and document["clock"]["offset"] == 60
    assert list(document["blobs"].values()) and document["views"][0]["view"]["buckets"][0]["name"] == "on-disk"

    target = tmp_path / "target"  # a new directory: created
    assert cli.main(["state", "import", str(exported), "--state-dir", str(target), "--progress"]) == 0
    assert "importing 2/2 scopes" in capsys.readouterr().err
    emulator = Emulator()
    persister = Persister(emulator, target)
    try:
        persister.load()
        assert emulator.read_object("arn:aws:s3:::on-disk/k") == BODY
        assert emulator.clock.offset == 60
        documents_equal(document, export_document(emulator))
    finally:
        persister.close_without_saving()
        emulator.close()

    # --merge keeps what the directory holds; a plain import replaces it.
    with hoarfrost.mock_aws():
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="merged-in")
        hoarfrost.state.export_to(tmp_path / "more.json")
    assert cli.main(["state", "import", str(tmp_path / "more.json"), "--state-dir", str(target), "--merge"]) == 0
    capsys.readouterr()
    assert cli.main(["state", "show", "--state-dir", str(target)]) == 0
    shown = capsys.readouterr().out
    assert "on-disk  objects=1" in shown and "merged-in" in shown and "emulator clock:" in shown
    assert cli.main(["state", "import", str(tmp_path / "more.json"), "--state-dir", str(target)]) == 0
    assert cli.main(["state", "show", "--state-dir", str(target)]) == 0
    shown = capsys.readouterr().out
    assert "merged-in" in shown and "on-disk" not in shown


def test_state_directory_commands_refuse_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "source"
    make_state_dir(source)
    manifest_before = (source / MANIFEST).read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"views": [{"service": "sqs", "account": "1", "region": "r", "view": {"queues": 5}}]}))
    assert cli.main(["state", "import", str(bad), "--state-dir", str(source)]) == 1
    assert "was not imported (invalid)" in capsys.readouterr().err
    assert (source / MANIFEST).read_bytes() == manifest_before

    assert cli.main(["state", "export", "--state-dir", str(tmp_path / "nothing")]) == 1
    assert "no manifest.json" in capsys.readouterr().err
    assert cli.main(["state", "export", "--state-dir", str(source), "--service", "s3"]) == 1
    assert "whole environment" in capsys.readouterr().err

    emulator = Emulator()
    in_use = Persister(emulator, source)  # as a running server holds it
    try:
        assert cli.main(["state", "export", "--state-dir", str(source)]) == 1
        assert "--url" in capsys.readouterr().err
    finally:
        in_use.close_without_saving()
        emulator.close()


# -- the Python API -----------------------------------------------------------------------------
def test_export_to_and_import_from_in_process(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    seen: list[tuple[int, int, str]] = []
    with hoarfrost.mock_aws() as emulator:
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="in-process")
        boto3.client("s3", region_name="us-east-1").put_object(Bucket="in-process", Key="k", Body=b"body")
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="in-process")
        emulator.clock.advance(30)
        assert hoarfrost.state.export_to(path, progress=lambda *step: seen.append(step)) == 2
        original = export_document(emulator)
    assert [(done, total) for done, total, _ in seen] == [(1, 2), (2, 2)]
    assert seen[0][2] == "s3 123456789012/us-east-1"

    with hoarfrost.mock_aws() as emulator:
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="local")
        assert hoarfrost.state.import_from(path, merge=True) == 2
        names = sorted(q.rsplit("/", 1)[1] for q in boto3.client("sqs", region_name="us-east-1")
                       .list_queues()["QueueUrls"])
        assert names == ["in-process", "local"] and emulator.clock.offset >= 30
        hoarfrost.state.import_from(path)
        documents_equal(original, export_document(emulator))
        assert boto3.client("s3", region_name="us-east-1").get_object(
            Bucket="in-process", Key="k")["Body"].read() == b"body"
        path.write_text('{"views": [{"service": "nope", "account": "1", "region": "r", "view": {}}]}')
        with pytest.raises(StateViewError, match="nope"):
            hoarfrost.state.import_from(path)
        assert export_document(emulator)["views"] == original["views"]  # unchanged
    with pytest.raises(RuntimeError, match="no mock_aws"):
        hoarfrost.state.export_to(path)
