"""Checksum algorithms against their published check values, and the aws-chunked decoder."""

from __future__ import annotations

import base64

import pytest

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.s3.checksums import (
    checksum_of,
    composite_checksum,
    decode_aws_chunked,
)


@pytest.mark.parametrize(
    ("algorithm", "check"),
    [("CRC32", 0xCBF43926), ("CRC32C", 0xE3069283), ("CRC64NVME", 0xAE8B14860A799888)],
)
def test_crc_check_values(algorithm: str, check: int) -> None:
    width = 8 if algorithm == "CRC64NVME" else 4
    assert checksum_of(algorithm, b"123456789") == base64.b64encode(check.to_bytes(width, "big")).decode()


def test_hashes_and_chunked_input_agree() -> None:
    data = b"the quick brown fox"
    for algorithm in ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"):
        assert checksum_of(algorithm, [data[:5], data[5:]]) == checksum_of(algorithm, data)
    assert checksum_of("SHA256", b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert composite_checksum("SHA256", [checksum_of("SHA256", b"a"), checksum_of("SHA256", b"b")]).endswith("-2")


def test_decode_aws_chunked_with_signatures_and_trailer() -> None:
    body = (b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n"
            b"0;chunk-signature=000\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:zz\r\n\r\n")
    chunks, trailers = decode_aws_chunked(body)
    assert b"".join(chunks) == b"hello world"
    assert trailers["x-amz-checksum-crc32"] == "DUoRhQ=="


def test_decode_rejects_short_chunks() -> None:
    with pytest.raises(ServiceError) as excinfo:
        decode_aws_chunked(b"10\r\nshort\r\n0\r\n\r\n")
    assert excinfo.value.code == "InvalidRequest"


def _chunked_put(emulator: object, key: str, body: bytes, trailer_value: str) -> object:
    from hoarfrost.core.http import HttpRequest

    framed = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (len(body), body, trailer_value.encode())
    request = HttpRequest("PUT", f"/chunk-bucket/{key}", "", {
        "host": "s3.amazonaws.com",
        "authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host, Signature=x",
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": str(len(body)),
        "content-length": str(len(framed)),
    }, framed)
    return emulator.handle(request, ("s3", "PutObject"))  # type: ignore[attr-defined]


def test_aws_chunked_trailer_is_verified() -> None:
    import boto3

    import hoarfrost

    with hoarfrost.mock_aws() as emulator:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="chunk-bucket")
        good = _chunked_put(emulator, "good", b"hello world", checksum_of("CRC32", b"hello world"))
        assert good.status == 200 and good.headers["x-amz-checksum-crc32"] == checksum_of("CRC32", b"hello world")
        assert s3.get_object(Bucket="chunk-bucket", Key="good")["Body"].read() == b"hello world"
        bad = _chunked_put(emulator, "bad", b"hello world", checksum_of("CRC32", b"other"))
        assert bad.status == 400 and b"<Code>BadDigest</Code>" in bad.body_bytes()
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="chunk-bucket")["Contents"]]
        assert keys == ["good"]


def _bitwise_crc(data: bytes, poly: int, width: int) -> int:
    """The textbook bit-at-a-time reflected CRC: the oracle for the sliced tables."""
    mask = (1 << width) - 1
    crc = mask
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc ^ mask


@pytest.mark.parametrize(("algorithm", "poly", "width"),
                         [("CRC32C", 0x82F63B78, 32), ("CRC64NVME", 0x9A6C9329AC4BC9B5, 64)])
def test_sliced_crcs_match_the_bitwise_definition(algorithm: str, poly: int, width: int) -> None:
    data = bytes((n * 131 + 7) % 256 for n in range(3001))
    expected = base64.b64encode(_bitwise_crc(data, poly, width).to_bytes(width // 8, "big")).decode()
    assert checksum_of(algorithm, data) == expected
    assert checksum_of(algorithm, [data[:13], data[13:1000], data[1000:]]) == expected
