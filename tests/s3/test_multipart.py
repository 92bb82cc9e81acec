"""Multipart uploads: the whole lifecycle, S3's ETag, part validation, copies, checksums, listings."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.services.s3.checksums import checksum_of, composite_checksum
from tests.s3.conftest import code, status

MIB = 1024 * 1024
PART1 = b"a" * (5 * MIB)
PART2 = b"b" * (5 * MIB)
PART3 = b"tail"


def _etag(*parts: bytes) -> str:
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def test_complete_upload(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="text/plain", Metadata={"m": "v"})
    upload_id = upload["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=n, Body=body)["ETag"]
             for n, body in ((1, PART1), (2, PART2), (3, PART3))]
    assert etags[2] == f'"{hashlib.md5(PART3).hexdigest()}"'
    parts = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, 5 * MIB), (2, 5 * MIB), (3, 4)]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big", upload_id)]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    assert done["ETag"] == _etag(PART1, PART2, PART3)
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentLength"] == 10 * MIB + 4 and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"m": "v"} and got["ETag"] == done["ETag"]
    assert got["Body"].read() == PART1 + PART2 + PART3
    second = s3.get_object(Bucket=bucket, Key="big", PartNumber=3)
    assert second["Body"].read() == PART3 and second["PartsCount"] == 3
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert code(excinfo) == "NoSuchUpload" and status(excinfo) == 404
    attributes = s3.get_object_attributes(Bucket=bucket, Key="big", ObjectAttributes=["ObjectParts"])
    assert attributes["ObjectParts"]["TotalPartsCount"] == 3


def test_part_validation(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"small")["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"last")["ETag"]
    cases = [
        ([{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}], "EntityTooSmall"),
        ([{"PartNumber": 2, "ETag": last}, {"PartNumber": 1, "ETag": small}], "InvalidPartOrder"),
        ([{"PartNumber": 1, "ETag": '"ffff"'}], "InvalidPart"),
        ([{"PartNumber": 7, "ETag": small}], "InvalidPart"),
    ]
    for parts, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                         MultipartUpload={"Parts": parts})
        assert code(excinfo) == expected and status(excinfo) == 400
    # A single small part is fine (the last part may be any size).
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"small"
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="nope", PartNumber=1, Body=b"x")
    assert code(excinfo) == "NoSuchUpload"


def test_abort(s3: Any, bucket: str, aws: Any) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data")
    assert s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)[
        "ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    assert code(excinfo) == "NoSuchUpload"
    view = aws.emulator.service("s3").snapshot(aws.account, aws.region)
    assert view.buckets[0].multipart_uploads == []


def test_upload_part_copy_with_range(s3: Any, bucket: str) -> None:
    source = bytes(range(256)) * 30000  # 7.3 MiB
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=0-{5 * MIB - 1}")
    assert first["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[:5 * MIB]).hexdigest()}"'
    second = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=2,
                                 CopySource=f"{bucket}/src", CopySourceRange=f"bytes={5 * MIB}-{len(source) - 1}")
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == source
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId="gone", PartNumber=1, CopySource=f"{bucket}/src")
    assert code(excinfo) == "NoSuchUpload"


def test_composite_checksum(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="c", ChecksumAlgorithm="SHA256")
    assert upload["ChecksumAlgorithm"] == "SHA256" and upload["ChecksumType"] == "COMPOSITE"
    upload_id = upload["UploadId"]
    parts = []
    for number, body in ((1, PART1), (2, PART3)):
        answer = s3.upload_part(Bucket=bucket, Key="c", UploadId=upload_id, PartNumber=number, Body=body,
                                ChecksumAlgorithm="SHA256")
        assert answer["ChecksumSHA256"] == checksum_of("SHA256", body)
        parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": answer["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="c", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    expected = composite_checksum("SHA256", [checksum_of("SHA256", PART1), checksum_of("SHA256", PART3)])
    assert done["ChecksumSHA256"] == expected
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected and head["ChecksumType"] == "COMPOSITE"


def test_list_uploads_with_prefix_and_delimiter(s3: Any, bucket: str) -> None:
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("a/1", "a/2", "b", "c/3")}
    listed = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in listed["Uploads"]] == ["b"]
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["a/", "c/"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert [u["Key"] for u in page["Uploads"]] == ["a/1", "a/2"] and page["IsTruncated"]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["UploadId"] for u in rest["Uploads"]] == [ids["b"], ids["c/3"]]


def test_list_parts_pages_and_refuses_a_max_parts_out_of_range(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="paged")["UploadId"]
    for number in (1, 2, 3):
        s3.upload_part(Bucket=bucket, Key="paged", UploadId=upload_id, PartNumber=number, Body=b"x")
    first = s3.list_parts(Bucket=bucket, Key="paged", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2] and first["IsTruncated"]
    rest = s3.list_parts(Bucket=bucket, Key="paged", UploadId=upload_id, PartNumberMarker=first["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and not rest["IsTruncated"]
    assert first["NextPartNumberMarker"] == 2 and rest["NextPartNumberMarker"] == 3  # always there
    for value in (0, -1, 2**31):
        with pytest.raises(ClientError) as excinfo:
            s3.list_parts(Bucket=bucket, Key="paged", UploadId=upload_id, MaxParts=value)
        assert code(excinfo) == "InvalidArgument" and status(excinfo) == 400
        assert excinfo.value.response["Error"]["ArgumentName"] == "max-parts"


def _error(excinfo: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    return dict(excinfo.value.response["Error"])


def test_complete_errors_as_aws_words_them(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"small")["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"last")["ETag"]
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": []})
    assert _error(excinfo)["Code"] == "InvalidRequest"
    assert _error(excinfo)["Message"] == "You must specify at least one part"
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0f0f"'}]})
    error = _error(excinfo)
    assert error["Message"] == ("One or more of the specified parts could not be found.  The part may not have been "
                                "uploaded, or the specified entity tag may not match the part's entity tag.")
    assert error["ETag"] == "0f0f" and error["PartNumber"] == "1" and error["UploadId"] == upload_id
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": last}, {"PartNumber": 1, "ETag": small}]})
    assert _error(excinfo)["Message"] == ("The list of parts was not in ascending order. Parts must be ordered by "
                                          "part number.")
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}]})
    error = _error(excinfo)
    assert error["Code"] == "EntityTooSmall" and error["ETag"] == small.strip('"') and error["ProposedSize"] == "5"


def test_completing_a_completed_upload_again_succeeds(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"only")["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    first = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload=parts)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload=parts)
    assert again["ETag"] == first["ETag"] and again["Key"] == "k"
    with pytest.raises(ClientError) as excinfo:  # another key never had that upload
        s3.complete_multipart_upload(Bucket=bucket, Key="other", UploadId=upload_id, MultipartUpload=parts)
    assert code(excinfo) == "NoSuchUpload"


def test_parts_count_only_when_a_part_is_asked_for(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"only")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert "PartsCount" not in s3.head_object(Bucket=bucket, Key="k")
    assert "PartsCount" not in s3.get_object(Bucket=bucket, Key="k")
    assert s3.head_object(Bucket=bucket, Key="k", PartNumber=1)["PartsCount"] == 1


def test_list_parts_owner_initiator_and_checksums(s3: Any, bucket: str) -> None:
    plain = s3.create_multipart_upload(Bucket=bucket, Key="plain")["UploadId"]
    # boto3 sends a CRC32 with every part; the upload named no algorithm, so none is listed.
    s3.upload_part(Bucket=bucket, Key="plain", UploadId=plain, PartNumber=1, Body=b"x")
    listed = s3.list_parts(Bucket=bucket, Key="plain", UploadId=plain)
    assert "DisplayName" not in listed["Owner"] and listed["Initiator"]["DisplayName"]
    assert listed["NextPartNumberMarker"] == 1 and not listed["IsTruncated"]
    assert not any(name.startswith("Checksum") for name in listed["Parts"][0])
    summed = s3.create_multipart_upload(Bucket=bucket, Key="summed", ChecksumAlgorithm="CRC32")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="summed", UploadId=summed, PartNumber=1, Body=b"x", ChecksumAlgorithm="CRC32")
    assert s3.list_parts(Bucket=bucket, Key="summed", UploadId=summed)["Parts"][0]["ChecksumCRC32"] == checksum_of(
        "CRC32", b"x")
    empty = s3.create_multipart_upload(Bucket=bucket, Key="empty")["UploadId"]
    assert s3.list_parts(Bucket=bucket, Key="empty", UploadId=empty)["NextPartNumberMarker"] == 0
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert all("DisplayName" not in u["Owner"] for u in uploads)


def test_default_and_composite_checksums_of_multipart_objects(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="plain")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="plain", UploadId=upload_id, PartNumber=n, Body=body)["ETag"]
             for n, body in ((1, b"first part"),)]
    s3.complete_multipart_upload(Bucket=bucket, Key="plain", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    head = s3.head_object(Bucket=bucket, Key="plain", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == checksum_of("CRC64NVME", b"first part")
    assert head["ChecksumType"] == "FULL_OBJECT"
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["ChecksumAlgorithm"] == ["CRC64NVME"] and listed["ChecksumType"] == "FULL_OBJECT"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="c", ChecksumAlgorithm="CRC32")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="c", UploadId=upload_id, PartNumber=1, Body=b"one",
                          ChecksumAlgorithm="CRC32")
    s3.complete_multipart_upload(Bucket=bucket, Key="c", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]}]})
    attributes = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attributes["Checksum"]["ChecksumCRC32"] == composite_checksum("CRC32", [checksum_of("CRC32", b"one")])
    assert attributes["Checksum"]["ChecksumCRC32"].endswith("-1")
    assert attributes["Checksum"]["ChecksumType"] == "COMPOSITE"
    assert attributes["ObjectParts"]["Parts"][0]["ChecksumCRC32"] == checksum_of("CRC32", b"one")


def test_a_part_with_another_checksum_algorithm_is_refused(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    with pytest.raises(ClientError) as excinfo:  # boto3 sends a CRC32 unless told otherwise
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert code(excinfo) == "InvalidRequest"
    assert _error(excinfo)["Message"] == ("Checksum Type mismatch occurred, expected checksum Type: sha256, "
                                          "actual checksum Type: crc32")
    answer = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x",
                            ChecksumAlgorithm="SHA256")
    assert answer["ChecksumSHA256"] == checksum_of("SHA256", b"x")
