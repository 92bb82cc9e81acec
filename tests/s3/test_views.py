"""S3's state views: snapshot/restore/merge (with and without blobs), validation, the global
name index across restore/merge/reset, and notifications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from hoarfrost.services.s3.checksums import checksum_of
from hoarfrost.services.s3.views import S3StateView
from tests.harness import Harness
from tests.s3.conftest import code

ACCOUNT, REGION = "123456789012", "us-east-1"


def _fill(s3: Any) -> None:
    s3.create_bucket(Bucket="plain-bucket")
    s3.put_object(Bucket="plain-bucket", Key="a/one.txt", Body=b"one", Metadata={"k": "v"}, ContentType="text/plain",
                  Tagging="t=1")
    s3.put_object(Bucket="plain-bucket", Key="b", Body=b"", ChecksumAlgorithm="SHA256")
    s3.put_bucket_tagging(Bucket="plain-bucket", Tagging={"TagSet": [{"Key": "x", "Value": "y"}]})
    s3.put_bucket_lifecycle_configuration(Bucket="plain-bucket", LifecycleConfiguration={"Rules": [
        {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 3}}]})
    s3.create_bucket(Bucket="versioned-bucket")
    s3.put_bucket_versioning(Bucket="versioned-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="versioned-bucket", Key="k", Body=b"v1")
    s3.put_object(Bucket="versioned-bucket", Key="k", Body=b"v2")
    s3.delete_object(Bucket="versioned-bucket", Key="k")
    upload = s3.create_multipart_upload(Bucket="versioned-bucket", Key="mp")["UploadId"]
    s3.upload_part(Bucket="versioned-bucket", Key="mp", UploadId=upload, PartNumber=1, Body=b"part-one")


def _observe(s3: Any) -> dict[str, Any]:
    """Everything a client can see, bodies included (without request ids)."""
    out: dict[str, Any] = {"buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]]}
    for name in out["buckets"]:
        objects = s3.list_object_versions(Bucket=name)
        for group in ("Versions", "DeleteMarkers"):
            for item in objects.get(group, []):
                item.pop("LastModified")
        out[name] = {
            "versions": objects.get("Versions", []), "markers": objects.get("DeleteMarkers", []),
            "bodies": {v["VersionId"]: s3.get_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])[
                "Body"].read() for v in objects.get("Versions", [])},
            "uploads": [(u["Key"], u["UploadId"]) for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", [])],
            "tags": s3.get_object_tagging(Bucket=name, Key="a/one.txt")["TagSet"] if name == "plain-bucket" else [],
        }
    return out


def test_snapshot_is_json_and_round_trips_with_blobs(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    _fill(s3)
    before = _observe(s3)
    archive = MemoryBlobArchive()
    view = inprocess.emulator.service("s3").snapshot_with_blobs(ACCOUNT, REGION, archive)
    text = view.model_dump_json()
    assert json.loads(text)["buckets"][0]["name"] == "plain-bucket"
    assert len(archive.blobs) == 5  # four object versions (the empty body too) and one uploaded part
    with hoarfrost.mock_aws() as fresh:
        fresh.service("s3").restore_with_blobs(ACCOUNT, REGION, text, archive)
        after = _observe(boto3.client("s3", region_name=REGION))
    assert after == before
    assert S3StateView.model_validate_json(text).buckets[1].objects[-1].delete_marker is True


def test_restore_without_blobs_needs_the_blob_store(tmp_path: Path) -> None:
    blob_dir = str(tmp_path / "blobs")
    with hoarfrost.mock_aws(blob_dir=blob_dir) as first:
        s3 = boto3.client("s3", region_name=REGION)
        _fill(s3)
        before = _observe(s3)
        text = first.service("s3").snapshot_json(ACCOUNT, REGION)
    # A fresh emulator on the same blob directory restores from the plain view.
    with hoarfrost.mock_aws(blob_dir=blob_dir) as second:
        second.service("s3").restore(ACCOUNT, REGION, text)
        assert _observe(boto3.client("s3", region_name=REGION)) == before
    # A fresh emulator with an empty store refuses the view: its blobs are missing.
    with hoarfrost.mock_aws() as third:
        with pytest.raises(StateViewError) as excinfo:
            third.service("s3").restore(ACCOUNT, REGION, text)
        assert excinfo.value.kind == "blob"
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []


def test_invalid_views_change_nothing(aws: Harness) -> None:
    s3 = aws.client("s3")
    _fill(s3)
    service = aws.emulator.service("s3")
    before = service.snapshot(ACCOUNT, REGION).model_dump()
    good = service.snapshot(ACCOUNT, REGION).model_dump(mode="json")
    broken_views = [
        {"buckets": [{"name": "x-bucket"}]},  # no creation date
        {"buckets": [{"name": "x-bucket", "creation_date": "2020-01-01T00:00:00Z", "surprise": 1}]},
        {**good, "buckets": good["buckets"] + [good["buckets"][0]]},  # a bucket twice
        {"buckets": [{**good["buckets"][0], "objects": [{**good["buckets"][0]["objects"][0], "blob": "s3/nope"}]}]},
        {"schema_version": 99},
        {"buckets": [{"name": "Not_A_Bucket", "creation_date": "2020-01-01T00:00:00Z"}]},
        "not json",
    ]
    for broken in broken_views:
        with pytest.raises(StateViewError) as excinfo:
            service.restore(ACCOUNT, REGION, broken)
        assert excinfo.value.kind in ("invalid", "blob")
        with pytest.raises(StateViewError):
            service.merge(ACCOUNT, REGION, broken)
    assert service.snapshot(ACCOUNT, REGION).model_dump() == before
    assert s3.get_object(Bucket="plain-bucket", Key="a/one.txt")["Body"].read() == b"one"


def test_name_index_follows_restore_merge_and_reset(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    service = inprocess.emulator.service("s3")
    s3.create_bucket(Bucket="kept-bucket")
    s3.put_object(Bucket="kept-bucket", Key="k", Body=b"body")
    archive = MemoryBlobArchive()
    view = service.snapshot_with_blobs(ACCOUNT, REGION, archive)
    # The name is held by us-east-1: another region cannot take it from a view.
    with pytest.raises(StateViewError) as excinfo:
        service.restore(ACCOUNT, "eu-west-1", view)
    assert excinfo.value.kind == "invalid" and "kept-bucket" in excinfo.value.message
    service.restore(ACCOUNT, REGION, S3StateView())
    with pytest.raises(ClientError) as error:
        s3.head_bucket(Bucket="kept-bucket")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # Now free, the view restores elsewhere and the bucket is found from any region.
    service.restore_with_blobs(ACCOUNT, "eu-west-1", view, archive)
    assert s3.get_bucket_location(Bucket="kept-bucket")["LocationConstraint"] == "eu-west-1"
    assert s3.get_object(Bucket="kept-bucket", Key="k")["Body"].read() == b"body"
    inprocess.emulator.reset()
    s3.create_bucket(Bucket="kept-bucket")  # the reset released the name
    assert s3.list_buckets()["Buckets"][0]["BucketRegion"] == REGION


def test_merge_adds_and_replaces_never_removes(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    service = inprocess.emulator.service("s3")
    s3.create_bucket(Bucket="merge-bucket")
    s3.put_object(Bucket="merge-bucket", Key="keep", Body=b"kept")
    s3.put_object(Bucket="merge-bucket", Key="swap", Body=b"swap", Metadata={"v": "1"})
    partial = service.snapshot(ACCOUNT, REGION)
    s3.put_object(Bucket="merge-bucket", Key="later", Body=b"later")
    bucket = partial.buckets[0]
    bucket.objects = [o for o in bucket.objects if o.key == "swap"]
    bucket.objects[0].metadata = {"v": "2"}
    bucket.versioning = "Enabled"
    extra = bucket.model_copy(deep=True)
    extra.name, extra.objects = "merged-in-bucket", []
    partial.buckets.append(extra)
    service.merge(ACCOUNT, REGION, partial)
    assert s3.head_object(Bucket="merge-bucket", Key="swap")["Metadata"] == {"v": "2"}
    assert s3.get_object(Bucket="merge-bucket", Key="swap")["Body"].read() == b"swap"
    assert s3.get_object(Bucket="merge-bucket", Key="keep")["Body"].read() == b"kept"
    assert s3.get_object(Bucket="merge-bucket", Key="later")["Body"].read() == b"later"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="merge-bucket")["Contents"]] == ["keep", "later", "swap"]
    assert s3.get_bucket_versioning(Bucket="merge-bucket")["Status"] == "Enabled"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["merge-bucket", "merged-in-bucket"]
    with pytest.raises(ClientError) as excinfo:  # the merged-in bucket's name is now taken
        inprocess.client("s3", aws_access_key_id="210987654321", aws_secret_access_key="x").create_bucket(
            Bucket="merged-in-bucket")
    assert code(excinfo) == "BucketAlreadyExists"


def test_restored_blobs_do_not_leak_or_share(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    service = inprocess.emulator.service("s3")
    store = inprocess.emulator.blobs
    s3.create_bucket(Bucket="leak-bucket")
    s3.put_object(Bucket="leak-bucket", Key="k", Body=b"first")
    s3.put_object(Bucket="leak-bucket", Key="k", Body=b"second")  # replaced body is released
    assert len(store.keys()) == 1
    view = service.snapshot(ACCOUNT, REGION)
    service.restore(ACCOUNT, REGION, S3StateView())
    assert store.keys() == []  # the scope's blobs went with its state
    with pytest.raises(StateViewError):
        service.restore(ACCOUNT, REGION, view)


def test_notifications_after_writes_only(aws: Harness) -> None:
    s3 = aws.client("s3")
    changes: list[str] = []
    with aws.emulator.service("s3").notifier.subscribe(lambda change: changes.append(change.operation)):
        s3.create_bucket(Bucket="note-bucket")
        s3.put_object(Bucket="note-bucket", Key="k", Body=b"x")
        s3.get_object(Bucket="note-bucket", Key="k")["Body"].read()
        s3.head_object(Bucket="note-bucket", Key="k")
        s3.list_objects_v2(Bucket="note-bucket")
        s3.get_bucket_versioning(Bucket="note-bucket")
        s3.put_bucket_versioning(Bucket="note-bucket", VersioningConfiguration={"Status": "Enabled"})
        s3.delete_object(Bucket="note-bucket", Key="k")
    assert changes == ["CreateBucket", "PutObject", "PutBucketVersioning", "DeleteObject"]


def test_cross_region_writes_notify_the_buckets_scope(inprocess: Harness) -> None:
    west = inprocess.client("s3", region_name="eu-west-1")
    west.create_bucket(Bucket="west-notes", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    east = inprocess.client("s3")
    seen: list[tuple[str, str]] = []
    with inprocess.emulator.service("s3").notifier.subscribe(
            lambda change: seen.append((change.region, change.operation))):
        east.put_object(Bucket="west-notes", Key="k", Body=b"x")
    assert seen == [("eu-west-1", "PutObject")]  # the scope addressed (us-east-1) did not change
    view = inprocess.emulator.service("s3").snapshot(ACCOUNT, "eu-west-1")
    assert [o.key for o in view.buckets[0].objects] == ["k"]


def test_json_schema_is_published() -> None:
    schema = Emulator().service("s3").json_schema()
    assert "buckets" in schema["properties"]


def test_blobs_stream_in_batches_into_another_emulators_store(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    s3.create_bucket(Bucket="batch-bucket")
    for n in range(70):
        s3.put_object(Bucket="batch-bucket", Key=f"k{n:02d}", Body=b"body %d" % n)
    archive = MemoryBlobArchive()
    view = inprocess.emulator.service("s3").snapshot_with_blobs(ACCOUNT, REGION, archive)
    assert archive.batches == 2 and len(archive.blobs) == 70
    target = Emulator()
    # A restore into another account copies blobs under that scope's keys.
    target.service("s3").restore_with_blobs("111122223333", "eu-west-1", view, archive)
    restored = target.service("s3").snapshot("111122223333", "eu-west-1")
    assert all(o.blob and o.blob.startswith("s3/111122223333/eu-west-1/") for o in restored.buckets[0].objects)
    assert target.blobs.read(restored.buckets[0].objects[5].blob) == b"body 5"
    with pytest.raises(StateViewError) as excinfo:
        Emulator().service("s3").restore_with_blobs(ACCOUNT, REGION, view, MemoryBlobArchive())
    assert excinfo.value.kind == "blob"


def test_merge_keeps_existing_uploads_and_parts(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    service = inprocess.emulator.service("s3")
    s3.create_bucket(Bucket="upload-bucket")
    upload = s3.create_multipart_upload(Bucket="upload-bucket", Key="big")["UploadId"]
    for number in (1, 2):
        s3.upload_part(Bucket="upload-bucket", Key="big", UploadId=upload, PartNumber=number, Body=b"old %d" % number)
    s3.put_bucket_tagging(Bucket="upload-bucket", Tagging={"TagSet": [{"Key": "old", "Value": "1"}]})
    archive = MemoryBlobArchive()
    partial = service.snapshot_with_blobs(ACCOUNT, REGION, archive)
    bucket = partial.buckets[0]
    kept = bucket.multipart_uploads[0].parts[0]  # part 1 leaves the view, part 2 stays
    bucket.multipart_uploads[0].parts = bucket.multipart_uploads[0].parts[1:]
    bucket.multipart_uploads[0].metadata = {"merged": "yes"}
    s3.upload_part(Bucket="upload-bucket", Key="big", UploadId=upload, PartNumber=3, Body=b"later")
    other = s3.create_multipart_upload(Bucket="upload-bucket", Key="other")["UploadId"]
    assert bucket.configurations.tagging is not None
    bucket.configurations.tagging.tag_set[0].value = "2"
    service.merge(ACCOUNT, REGION, partial)
    parts = s3.list_parts(Bucket="upload-bucket", Key="big", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, kept.size), (2, 5), (3, 5)]
    assert {u["UploadId"] for u in s3.list_multipart_uploads(Bucket="upload-bucket")["Uploads"]} == {upload, other}
    assert s3.get_bucket_tagging(Bucket="upload-bucket")["TagSet"] == [{"Key": "old", "Value": "2"}]
    assert service.snapshot(ACCOUNT, REGION).buckets[0].multipart_uploads[0].metadata == {"merged": "yes"}


def test_completed_uploads_and_pending_checksums_survive_a_round_trip(inprocess: Harness) -> None:
    """A completed multipart object keeps its upload id (a repeated completion still answers it)
    and its default CRC64NVME, computed on first read, through snapshot and restore."""
    s3 = inprocess.client("s3")
    s3.create_bucket(Bucket="mp-bucket")
    upload_id = s3.create_multipart_upload(Bucket="mp-bucket", Key="k")["UploadId"]
    etag = s3.upload_part(Bucket="mp-bucket", Key="k", UploadId=upload_id, PartNumber=1, Body=b"body")["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    done = s3.complete_multipart_upload(Bucket="mp-bucket", Key="k", UploadId=upload_id, MultipartUpload=parts)
    archive = MemoryBlobArchive()
    text = inprocess.emulator.service("s3").snapshot_with_blobs(ACCOUNT, REGION, archive).model_dump_json()
    assert json.loads(text)["buckets"][0]["objects"][0]["upload_id"] == upload_id
    with hoarfrost.mock_aws() as fresh:
        fresh.service("s3").restore_with_blobs(ACCOUNT, REGION, text, archive)
        restored = boto3.client("s3", region_name=REGION)
        again = restored.complete_multipart_upload(Bucket="mp-bucket", Key="k", UploadId=upload_id,
                                                   MultipartUpload=parts)
        assert again["ETag"] == done["ETag"]
        head = restored.head_object(Bucket="mp-bucket", Key="k", ChecksumMode="ENABLED")
        assert head["ChecksumCRC64NVME"] == checksum_of("CRC64NVME", b"body")
