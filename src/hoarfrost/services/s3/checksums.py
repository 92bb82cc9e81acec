"""S3's body digests: MD5 ETags, the flexible checksums, and the ``aws-chunked`` decoder.

CRC32 and the hashes come from the standard library. CRC32C and CRC64NVME have no stdlib
implementation; they are table-driven here (slicing-by-8, ~0.1 s per MiB) rather than a new
dependency: they are computed only when a client asks for that algorithm, and an emulator
needs them correct more than fast. Checksums are base64 of the big-endian digest, as S3 sends them.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Iterable
from typing import Protocol

from hoarfrost.services.s3.errors import errors

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5")
# Input/output member per algorithm: ChecksumCRC32, ...
MEMBER = {name: f"Checksum{name}" for name in ALGORITHMS}
HEADER = {name: f"x-amz-checksum-{name.lower()}" for name in ALGORITHMS}
ALGORITHM_OF_HEADER = {header: name for name, header in HEADER.items()}
# What S3 stores for an object written without any checksum (since December 2024).
DEFAULT_ALGORITHM = "CRC64NVME"
# A checksum value not computed yet: a default CRC64NVME of a completed multipart object is
# worked out when first read (``handlers.common.resolved_checksums``), not on the write path.
PENDING = ""


def _tables(poly: int) -> tuple[list[int], ...]:
    """Slicing-by-8 tables of a reflected CRC: eight bytes per loop step instead of one."""
    first = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        first.append(crc)
    tables = [first]
    for _ in range(7):
        previous = tables[-1]
        tables.append([(value >> 8) ^ first[value & 0xFF] for value in previous])
    return tuple(tables)


_CRC32C_TABLES = _tables(0x82F63B78)
_CRC64NVME_TABLES = _tables(0x9A6C9329AC4BC9B5)
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_WORDS = struct.Struct("<Q")


class Digest(Protocol):
    def update(self, data: bytes) -> None: ...
    def digest(self) -> bytes: ...


class _Crc32:
    def __init__(self) -> None:
        self.crc = 0

    def update(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)

    def digest(self) -> bytes:
        return self.crc.to_bytes(4, "big")


class _TableCrc:
    """A reflected CRC of width 32 or 64, little-endian 8-byte words through slicing-by-8."""

    def __init__(self, tables: tuple[list[int], ...], mask: int, width: int) -> None:
        self.tables, self.mask, self.width = tables, mask, width
        self.crc = mask

    def update(self, data: bytes) -> None:
        t0, t1, t2, t3, t4, t5, t6, t7 = self.tables
        crc = self.crc
        whole = len(data) // 8 * 8
        for (word,) in _WORDS.iter_unpack(memoryview(data)[:whole]):
            x = crc ^ word
            crc = (t7[x & 0xFF] ^ t6[(x >> 8) & 0xFF] ^ t5[(x >> 16) & 0xFF] ^ t4[(x >> 24) & 0xFF]
                   ^ t3[(x >> 32) & 0xFF] ^ t2[(x >> 40) & 0xFF] ^ t1[(x >> 48) & 0xFF] ^ t0[x >> 56])
        for byte in memoryview(data)[whole:]:
            crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
        self.crc = crc

    def digest(self) -> bytes:
        return (self.crc ^ self.mask).to_bytes(self.width, "big")


def new_digest(algorithm: str) -> Digest:
    if algorithm == "CRC32":
        return _Crc32()
    if algorithm == "CRC32C":
        return _TableCrc(_CRC32C_TABLES, _MASK32, 4)
    if algorithm == "CRC64NVME":
        return _TableCrc(_CRC64NVME_TABLES, _MASK64, 8)
    if algorithm == "SHA1":
        return hashlib.sha1()  # noqa: S324 - an S3 checksum, not security
    if algorithm == "SHA256":
        return hashlib.sha256()
    if algorithm == "SHA512":
        return hashlib.sha512()
    if algorithm == "MD5":
        return hashlib.md5()  # noqa: S324 - an S3 checksum, not security
    # The XXHASH family has no implementation here (no stdlib one; not worth a dependency yet).
    raise errors.InvalidArgument(f"Checksum algorithm {algorithm} is not supported by hoarfrost",
                                 ArgumentName="x-amz-checksum-algorithm")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def checksum_of(algorithm: str, data: bytes | Iterable[bytes]) -> str:
    digest = new_digest(algorithm)
    for chunk in (data,) if isinstance(data, bytes) else data:
        digest.update(chunk)
    return b64(digest.digest())


def composite_checksum(algorithm: str, part_checksums: list[str]) -> str:
    """A multipart object's COMPOSITE checksum: the checksum of the parts' raw checksums, ``-N``."""
    digest = new_digest(algorithm)
    for value in part_checksums:
        digest.update(base64.b64decode(value))
    return f"{b64(digest.digest())}-{len(part_checksums)}"


class BodyDigester:
    """Computes MD5 and the requested checksums while chunks pass through on their way to the store."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self.md5 = hashlib.md5()  # noqa: S324 - ETag, not security
        self.digests = {name: new_digest(name) for name in algorithms}
        self.size = 0

    def wrap(self, chunks: Iterable[bytes]) -> Iterable[bytes]:
        for chunk in chunks:
            self.md5.update(chunk)
            for digest in self.digests.values():
                digest.update(chunk)
            self.size += len(chunk)
            yield chunk

    def checksums(self) -> dict[str, str]:
        return {name: b64(digest.digest()) for name, digest in self.digests.items()}


def decode_aws_chunked(body: bytes) -> tuple[list[memoryview], dict[str, str]]:
    """Split an ``aws-chunked`` body into its data chunks (views, no copies) and its trailers.

    Each chunk is ``<hex size>[;chunk-signature=...]\\r\\n<data>\\r\\n``; a zero-size chunk ends
    the data and is followed by ``name:value\\r\\n`` trailer lines and a blank line.
    """
    view = memoryview(body)
    chunks: list[memoryview] = []
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise errors.InvalidRequest("Malformed aws-chunked body: missing chunk header")
        header = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(header, 16)
        except ValueError:
            raise errors.InvalidRequest("Malformed aws-chunked body: bad chunk size") from None
        pos = eol + 2
        if size == 0:
            break
        if pos + size > len(body):
            raise errors.InvalidRequest("Malformed aws-chunked body: chunk is shorter than its size")
        chunks.append(view[pos : pos + size])
        pos += size
        if body[pos : pos + 2] == b"\r\n":
            pos += 2
    trailers: dict[str, str] = {}
    for line in body[pos:].split(b"\r\n"):
        if b":" in line:
            name, _, value = line.partition(b":")
            trailers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return chunks, trailers
