"""``hoarfrost serve --state-dir``: state survives restarts and kill -9, saves stay off requests.

The restart and crash tests run the real command as a subprocess; the off-the-request-path and
load-refusal details are checked in-process on ``Persister`` itself.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from hoarfrost import cli
from hoarfrost.core.emulator import Emulator
from hoarfrost.server.persistence import MANIFEST, Persister, PersistenceError
from tests.server.test_cli import hoarfrost_command, start_serve

ACCOUNT = "123456789012"
REGION = "us-east-1"


def client(service: str, port: int) -> Any:
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10))


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> str:
    process.send_signal(signum)
    _, err = process.communicate(timeout=20)
    return err.decode()


def admin_view(port: int, service: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_hoarfrost/state/{service}?blobs=0", timeout=10) as response:
        return dict(json.loads(response.read()))


def manifest(state_dir: Path) -> dict[str, Any]:
    return dict(json.loads((state_dir / MANIFEST).read_text()))


@pytest.fixture
def persisted(tmp_path: Path) -> Iterator[tuple[Emulator, Persister]]:
    emulator = Emulator()
    persister = Persister(emulator, tmp_path / "state", save_delay=0)
    persister.load()
    persister.start()
    yield emulator, persister
    persister.close()
    emulator.close()


def reload(state_dir: Path) -> tuple[Emulator, Persister]:
    emulator = Emulator()
    persister = Persister(emulator, state_dir, save_delay=0)
    persister.load()
    return emulator, persister


# -- restart ------------------------------------------------------------------------------------
def test_restart_brings_back_every_services_resources(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    process, port = start_serve("--state-dir", str(state_dir), "--save-delay", "0.05")
    try:
        s3, sqs, ddb, glue = (client(name, port) for name in ("s3", "sqs", "dynamodb", "glue"))
        s3.create_bucket(Bucket="kept-bucket")
        s3.put_object(Bucket="kept-bucket", Key="a.txt", Body=b"first body")
        s3.put_object(Bucket="kept-bucket", Key="a.txt", Body=b"second body")  # the first blob goes
        s3.put_object(Bucket="kept-bucket", Key="big.bin", Body=bytes(range(256)) * 4096)
        upload = s3.create_multipart_upload(Bucket="kept-bucket", Key="parts")["UploadId"]
        s3.upload_part(Bucket="kept-bucket", Key="parts", UploadId=upload, PartNumber=1, Body=b"part one")
        queue = sqs.create_queue(QueueName="kept-queue")["QueueUrl"]
        for body in ("one", "two", "three"):
            sqs.send_message(QueueUrl=queue, MessageBody=body)
        ddb.create_table(TableName="kept-table", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="kept-table", Item={"id": {"S": "x"}, "n": {"N": "7"}})
        glue.create_database(DatabaseInput={"Name": "kept_db", "Description": "engine-served"})
    finally:
        err = stop(process)  # a clean shutdown saves what the debounce had not yet
    assert process.returncode == 0, err

    saved = manifest(state_dir)
    # CloudWatch holds the AWS/SQS metrics the sends emitted.
    assert {entry["service"] for entry in saved["scopes"]} == {"s3", "sqs", "dynamodb", "glue", "cloudwatch"}
    for entry in saved["scopes"]:  # plain JSON views, one file per service/account/region
        view = json.loads((state_dir / entry["file"]).read_text())
        assert (view["account"], view["region"]) == (entry["account"], entry["region"]) == (ACCOUNT, REGION)
    blob_files = [p for p in (state_dir / "blobs").rglob("*") if p.is_file()]
    assert len(blob_files) == 3  # a.txt (second body), big.bin, the part: the overwritten body is gone

    process, port = start_serve(env={"HOARFROST_STATE_DIR": str(state_dir)})
    try:
        s3, sqs, ddb, glue = (client(name, port) for name in ("s3", "sqs", "dynamodb", "glue"))
        assert s3.get_object(Bucket="kept-bucket", Key="a.txt")["Body"].read() == b"second body"
        assert s3.get_object(Bucket="kept-bucket", Key="big.bin")["Body"].read() == bytes(range(256)) * 4096
        parts = s3.list_parts(Bucket="kept-bucket", Key="parts", UploadId=upload)["Parts"]
        assert [part["Size"] for part in parts] == [len(b"part one")]
        queue = sqs.get_queue_url(QueueName="kept-queue")["QueueUrl"]
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        assert sorted(m["Body"] for m in received) == ["one", "three", "two"]
        assert ddb.get_item(TableName="kept-table", Key={"id": {"S": "x"}})["Item"] == {"id": {"S": "x"},
                                                                                       "n": {"N": "7"}}
        assert glue.get_database(Name="kept_db")["Database"]["Description"] == "engine-served"
    finally:
        err = stop(process)
    assert process.returncode == 0, err


# -- off the request path ---------------------------------------------------------------------------
def test_a_blocked_save_does_not_block_requests(persisted: tuple[Emulator, Persister],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, persister = persisted
    entered, release = threading.Event(), threading.Event()
    savers: list[str] = []
    write_manifest = Persister._write_manifest

    def blocking_write(self: Persister, *args: Any) -> None:
        savers.append(threading.current_thread().name)
        entered.set()
        assert release.wait(20)
        write_manifest(self, *args)

    monkeypatch.setattr(Persister, "_write_manifest", blocking_write)
    queue = emulator.call("sqs", "CreateQueue", {"QueueName": "busy"})["QueueUrl"]
    assert entered.wait(10), "the change was not saved"

    # The saver is stuck mid-save; requests still complete, their changes wait for the next save.
    for number in range(20):
        emulator.call("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": f"m{number}"})
    assert not release.is_set() and persister.saves == 0
    release.set()
    persister.close()

    assert savers and set(savers) <= {"hoarfrost-persistence", threading.current_thread().name}
    assert savers[0] == "hoarfrost-persistence"
    restored, again = reload(persister.root)
    try:
        attributes = restored.call("sqs", "GetQueueAttributes", {"QueueUrl": queue,
                                                                  "AttributeNames": ["ApproximateNumberOfMessages"]})
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "20"
    finally:
        again.close()


def test_reset_scope_leaves_the_save_and_lock_is_exclusive(persisted: tuple[Emulator, Persister]) -> None:
    emulator, persister = persisted
    emulator.call("sqs", "CreateQueue", {"QueueName": "gone-soon"})
    emulator.call("sqs", "CreateQueue", {"QueueName": "elsewhere"}, region="eu-west-1")
    persister.save()
    assert len(manifest(persister.root)["scopes"]) == 2
    with pytest.raises(PersistenceError, match="in use"):
        Persister(Emulator(), persister.root)

    emulator.service("sqs").reset(ACCOUNT, REGION)
    persister.save()
    scopes = manifest(persister.root)["scopes"]
    assert [(s["service"], s["region"]) for s in scopes] == [("sqs", "eu-west-1")]
    files = [p for p in (persister.root / "views").rglob("*.json")]
    assert [p.name for p in files] == [Path(scopes[0]["file"]).name]  # superseded files removed


def test_a_body_the_last_save_names_outlives_its_overwrite_until_the_next_save(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = Emulator()
    persister = Persister(emulator, tmp_path / "state", save_delay=3600)  # saves driven by hand
    persister.load()
    persister.start()

    def blob_files() -> set[Path]:
        return {p for p in persister.blobs.root.rglob("*") if p.is_file()}

    try:
        emulator.call("s3", "CreateBucket", {"Bucket": "bodies"})
        emulator.call("s3", "PutObject", {"Bucket": "bodies", "Key": "k", "Body": b"old"})
        persister.save()
        old = blob_files()
        emulator.call("s3", "PutObject", {"Bucket": "bodies", "Key": "k", "Body": b"new"})
        assert old < blob_files()  # the last complete save still names the old body

        def crash(self: Persister, *args: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(Persister, "_write_manifest", crash)
        with pytest.raises(OSError):
            persister.save()
        assert old < blob_files()  # a save that never switched deletes nothing
        monkeypatch.undo()
        assert persister.save()  # the failed save's scopes are saved again
        assert not old & blob_files() and len(blob_files()) == 1
    finally:
        persister.close()
    restored, again = reload(persister.root)
    with again:
        assert restored.read_object("arn:aws:s3:::bodies/k") == b"new"


# -- schema versions ----------------------------------------------------------------------------------
def _saved_sqs_dir(tmp_path: Path) -> Path:
    emulator = Emulator()
    with Persister(emulator, tmp_path / "state") as persister:
        persister.load()
        persister.start()
        emulator.call("sqs", "CreateQueue", {"QueueName": "versioned"})
        emulator.call("s3", "CreateBucket", {"Bucket": "versioned-bucket"})
    return tmp_path / "state"


def _edit_view(state_dir: Path, service: str, edit: Any) -> None:
    entry = next(e for e in manifest(state_dir)["scopes"] if e["service"] == service)
    path = state_dir / entry["file"]
    view = json.loads(path.read_text())
    edit(view)
    path.write_text(json.dumps(view))


def test_a_newer_schema_version_refuses_to_start(tmp_path: Path) -> None:
    state_dir = _saved_sqs_dir(tmp_path)
    _edit_view(state_dir, "sqs", lambda view: view.update(schema_version=99))

    result = subprocess.run([*hoarfrost_command(), "serve", "--port", "0", "--state-dir", str(state_dir)],
                            capture_output=True, timeout=60, env={**os.environ, "HOARFROST_STATE_DIR": ""})

    err = result.stderr.decode()
    assert result.returncode != 0
    assert "refusing to start" in err and "sqs" in err and "schema_version 99" in err, err
    assert "Traceback" not in err
    # Nothing was written over the directory it refused.
    assert json.loads(next((state_dir / "views" / "sqs").rglob("*.json")).read_text())["schema_version"] == 99


def test_load_is_all_or_nothing(tmp_path: Path) -> None:
    state_dir = _saved_sqs_dir(tmp_path)
    _edit_view(state_dir, "sqs", lambda view: view.update(queues=[{"queue_name": 5}]))

    emulator = Emulator()
    persister = Persister(emulator, state_dir)
    with pytest.raises(PersistenceError, match=r"cannot load sqs 123456789012/us-east-1"):
        persister.load()
    persister.close_without_saving()
    # s3 comes first, but everything is checked before anything is restored.
    assert emulator.service("s3").scopes_with_state() == []


def test_an_older_schema_version_is_migrated(tmp_path: Path) -> None:
    state_dir = _saved_sqs_dir(tmp_path)

    def to_version_1(view: dict[str, Any]) -> None:  # S3's view 2 added typed configurations
        view["schema_version"] = 1
        for bucket in view["buckets"]:
            bucket["configurations"] = {}

    _edit_view(state_dir, "s3", to_version_1)
    emulator, persister = reload(state_dir)
    with persister:
        assert emulator.call("s3", "ListBuckets", {})["Buckets"][0]["Name"] == "versioned-bucket"
    assert {e["service"]: e["schema_version"] for e in manifest(state_dir)["scopes"]}["s3"] == 2  # rewritten


# -- kill -9 -------------------------------------------------------------------------------------------
def _prefix(indexes: list[int], what: str) -> int:
    """The number of writes of the round present; they must be exactly the first ones."""
    assert sorted(indexes) == list(range(len(indexes))), f"{what}: not a prefix of the writes: {sorted(indexes)}"
    return len(indexes)


def _check_round(port: int, round_: int, acked: int, expected_before: dict[str, int]) -> dict[str, int]:
    """After a restart: round ``round_``'s writes form a consistent prefix in every service, and
    what earlier rounds left is exactly there. Returns the count per service of everything."""
    s3, ddb = client("s3", port), client("dynamodb", port)
    objects: dict[int, list[int]] = {}
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket="crash-bucket"):
        for item in page.get("Contents", []):
            if item["Key"].startswith("obj-"):
                _, r, i = item["Key"].split("-")
                objects.setdefault(int(r), []).append(int(i))
    items: dict[int, list[int]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName="crash-table"):
        for item in page["Items"]:
            r, i = item["id"]["S"].split(":")
            items.setdefault(int(r), []).append(int(i))
    messages: dict[int, list[int]] = {}
    for queue in admin_view(port, "sqs")["queues"]:
        for message in queue["messages"]:
            r, i = message["body"].split(":")
            messages.setdefault(int(r), []).append(int(i))

    counts = dict(expected_before)
    for what, found in (("s3", objects), ("dynamodb", items), ("sqs", messages)):
        for earlier in range(round_):
            assert len(found.get(earlier, [])) == expected_before[f"{what}:{earlier}"], f"{what} lost round {earlier}"
        count = _prefix(found.get(round_, []), what)
        assert count <= acked + 1, f"{what}: {count} writes saved, only {acked} acknowledged (+1 in flight)"
        assert set(found) <= set(range(round_ + 1)), f"{what}: writes of a later round?"
        counts[f"{what}:{round_}"] = count
    # Bodies are intact, and the object overwritten on every write names a blob that exists.
    made = len(objects.get(round_, []))
    for index in random.sample(range(made), min(made, 5)):
        body = s3.get_object(Bucket="crash-bucket", Key=f"obj-{round_}-{index}")["Body"].read()
        assert body == _body(round_, index)
    latest = s3.get_object(Bucket="crash-bucket", Key="latest")["Body"].read().decode()
    if made >= 2:
        assert latest in (f"{round_}:{made - 1}", f"{round_}:{made - 2}"), (latest, made)
    return counts


def _body(round_: int, index: int) -> bytes:
    return f"{round_}:{index}:".encode() * 200


def _write_until_killed(process: subprocess.Popen[bytes], port: int, round_: int, kill_after: int) -> int:
    """Write round ``round_`` in a loop; SIGKILL the server after ``kill_after`` acknowledged
    writes (0: right after the first request went out). Returns the acknowledged writes."""
    s3, sqs, ddb = client("s3", port), client("sqs", port), client("dynamodb", port)
    queue = sqs.get_queue_url(QueueName="crash-queue")["QueueUrl"]
    killer: threading.Timer | None = None
    if kill_after == 0:
        killer = threading.Timer(0.01, process.kill)
        killer.start()
    acked = 0
    try:
        while True:
            s3.put_object(Bucket="crash-bucket", Key=f"obj-{round_}-{acked}", Body=_body(round_, acked))
            s3.put_object(Bucket="crash-bucket", Key="latest", Body=f"{round_}:{acked}".encode())
            ddb.put_item(TableName="crash-table", Item={"id": {"S": f"{round_}:{acked}"}})
            sqs.send_message(QueueUrl=queue, MessageBody=f"{round_}:{acked}")
            acked += 1
            if acked == kill_after:
                process.send_signal(signal.SIGKILL)
    except Exception:
        pass  # the server died under the client
    finally:
        if killer is not None:
            killer.join()
    process.wait(10)
    assert process.returncode == -signal.SIGKILL
    return acked


def test_kill_9_during_heavy_writes_reloads_a_consistent_save(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    args = ("--state-dir", str(state_dir), "--save-delay", "0.02")
    process, port = start_serve(*args)
    s3, sqs, ddb = client("s3", port), client("sqs", port), client("dynamodb", port)
    s3.create_bucket(Bucket="crash-bucket")
    s3.put_object(Bucket="crash-bucket", Key="latest", Body=b"none")
    sqs.create_queue(QueueName="crash-queue")
    ddb.create_table(TableName="crash-table", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    deadline = time.monotonic() + 20  # the set-up is saved before the first crash
    while not (state_dir / MANIFEST).exists() or len(manifest(state_dir)["scopes"]) < 3:
        assert time.monotonic() < deadline, "the set-up was never saved"
        time.sleep(0.05)
    rng = random.Random(14)
    kills = [0, *(rng.randint(5, 40) for _ in range(4))]
    counts: dict[str, int] = {}
    saved_any = False
    try:
        for round_, kill_after in enumerate(kills):
            acked = _write_until_killed(process, port, round_, kill_after)
            process, port = start_serve(*args)  # the directory loads: else start_serve fails
            counts = _check_round(port, round_, acked, counts)
            saved_any = saved_any or counts[f"s3:{round_}"] > 0
    finally:
        if process.poll() is None:
            err = stop(process)
            assert process.returncode == 0, err
    assert saved_any  # the crashes did land while saves were being made


def test_blob_dir_and_state_dir_exclude_each_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["serve", "--port", "0", "--blob-dir", str(tmp_path / "b"), "--state-dir", str(tmp_path / "s")])

    assert code != 0
    assert "--blob-dir and --state-dir exclude each other" in capsys.readouterr().err


# -- the clock ----------------------------------------------------------------------------------
def wait_for_manifest(root: Path, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
    """The manifest once the saving thread has written one ``predicate`` accepts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = manifest(root)
        except (FileNotFoundError, ValueError):
            found = None
        if found is not None and predicate(found):
            return found
        time.sleep(0.02)
    raise AssertionError(f"no manifest matching the condition within {timeout} s")


def test_the_clock_offset_survives_a_restart(persisted: tuple[Emulator, Persister]) -> None:
    emulator, persister = persisted
    queue = emulator.call("sqs", "CreateQueue", {"QueueName": "timed"})["QueueUrl"]
    emulator.call("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": "m"})
    persister.save()
    emulator.clock.advance(7200)
    # A clock move alone is a change the saving thread writes.
    saved = wait_for_manifest(persister.root, lambda found: found.get("clock_offset", 0) >= 7200)
    assert saved["clock_offset"] == emulator.clock.offset
    received = emulator.call("sqs", "ReceiveMessage", {"QueueUrl": queue, "VisibilityTimeout": 600})
    assert len(received["Messages"]) == 1  # in flight for 600 s of the emulator's time
    emulator.clock.advance(300)
    persister.close()
    emulator.close()

    again, reloaded = reload(persister.root)
    try:
        assert again.clock.offset >= 7500
        assert abs(again.clock.time() - emulator.clock.time()) < 60
        # Still in flight: its deadline is on the emulator's clock, which came back with it.
        assert "Messages" not in again.call("sqs", "ReceiveMessage", {"QueueUrl": queue})
        again.clock.advance(301)
        assert [m["Body"] for m in again.call("sqs", "ReceiveMessage", {"QueueUrl": queue})["Messages"]] == ["m"]
        reloaded.start()
        again.reset()  # back to real time: saved too
        assert wait_for_manifest(reloaded.root, lambda found: found.get("clock_offset") == 0)["scopes"] == []
    finally:
        reloaded.close()
        again.close()


def test_a_bad_clock_offset_refuses_to_load(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / MANIFEST).write_text(json.dumps({"format": "hoarfrost-state-dir", "format_version": 1,
                                                  "generation": 1, "clock_offset": -5, "scopes": []}))
    emulator = Emulator()
    persister = Persister(emulator, state_dir)
    try:
        with pytest.raises(PersistenceError, match="clock_offset"):
            persister.load()
    finally:
        persister.close_without_saving()
    assert emulator.clock.offset == 0
