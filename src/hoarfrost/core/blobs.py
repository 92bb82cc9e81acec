"""The blob store: where large payloads (S3 object bodies, multipart parts) live, apart from state.

State objects name a blob by an opaque key; the store holds its bytes, in memory (the default)
or as files in a directory. Bodies move through the store as iterables of chunks, so a large
object is never assembled twice: the memory store keeps the chunks it was given (a completed
multipart upload shares its parts' chunks), the directory store writes and reads files in
``CHUNK_SIZE`` pieces.

Keys are never used as file names: a directory store names each file after the SHA-256 of its
key, so no key (``../../etc/passwd``, an absolute path, NUL bytes) can reach outside the
directory.

Views name blobs by key; ``BlobSink`` and ``BlobSource`` are how ``snapshot_with_blobs`` /
``restore_with_blobs`` stream those blobs out of and into a store in batches. A ``BlobStore``
is itself both, and ``MemoryBlobArchive`` is a plain dict-backed one for tests and tools.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, cast, runtime_checkable

CHUNK_SIZE = 1024 * 1024

Chunks = Iterable[bytes]


@runtime_checkable
class BlobSink(Protocol):
    """Receives blobs, a batch at a time (an archive writer, another emulator's store)."""

    def write_batch(self, blobs: Sequence[tuple[str, Chunks]]) -> None: ...


@runtime_checkable
class BlobSource(Protocol):
    """Supplies blobs by key, a batch at a time; a missing key raises ``KeyError``."""

    def read_batch(self, keys: Sequence[str]) -> Iterable[tuple[str, Chunks]]: ...


def _as_chunks(data: bytes | Chunks) -> Chunks:
    # A bytes-like value (bytearray, memoryview) is a chunk as it is: consumers write or join it.
    return cast(Chunks, (data,)) if isinstance(data, (bytes, bytearray, memoryview)) else data


def _slice_chunks(chunks: Iterable[bytes], start: int, end: int | None) -> Iterator[bytes]:
    """The bytes [start, end) of a chunk sequence, without joining it."""
    offset = 0
    for chunk in chunks:
        size = len(chunk)
        if end is not None and offset >= end:
            return
        if offset + size > start:
            lo = max(start - offset, 0)
            hi = size if end is None else min(end - offset, size)
            yield chunk if (lo == 0 and hi == size) else chunk[lo:hi]
        offset += size


class BlobStore:
    """What every store offers. ``put`` consumes chunks once; ``open`` yields chunks of a range.

    Deletions requested while the store is ``held`` (an export streaming blobs outside the
    state lock) wait until the last holder lets go, so an export never loses a body that a
    concurrent overwrite released.
    """

    def __init__(self) -> None:
        self._hold_lock = threading.Lock()
        self._holders = 0
        self._deferred: list[str] = []

    # -- implemented by each store -----------------------------------------------------------
    def put(self, key: str, data: bytes | Chunks) -> int:
        """Store ``data`` under ``key`` (replacing any blob there); returns its size."""
        raise NotImplementedError

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Chunks of bytes [start, end) of the blob; ``KeyError`` when there is none."""
        raise NotImplementedError

    def size(self, key: str) -> int:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def _delete_now(self, key: str) -> None:
        raise NotImplementedError

    def copy(self, source: str, target: str) -> int:
        return self.put(target, self.open(source))

    # -- shared behaviour ----------------------------------------------------------------------
    def read(self, key: str) -> bytes:
        return b"".join(self.open(key))

    def delete(self, key: str) -> None:
        with self._hold_lock:
            if self._holders:
                self._deferred.append(key)
                return
        self._delete_now(key)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._hold_lock:
            self._holders += 1
        try:
            yield
        finally:
            with self._hold_lock:
                self._holders -= 1
                deferred = self._deferred if self._holders == 0 else []
                if deferred:
                    self._deferred = []
            for key in deferred:
                self._delete_now(key)

    # BlobSink / BlobSource, so stores can feed one another directly.
    def write_batch(self, blobs: Sequence[tuple[str, Chunks]]) -> None:
        for key, chunks in blobs:
            self.put(key, chunks)

    def read_batch(self, keys: Sequence[str]) -> Iterable[tuple[str, Chunks]]:
        for key in keys:
            if not self.exists(key):
                raise KeyError(key)
            yield key, self.open(key)


class MemoryBlobStore(BlobStore):
    """Blobs as lists of immutable chunks; copies share chunks instead of duplicating bytes."""

    def __init__(self) -> None:
        super().__init__()
        self._blobs: dict[str, tuple[tuple[bytes, ...], int]] = {}

    def put(self, key: str, data: bytes | Chunks) -> int:
        chunks = tuple(bytes(c) if not isinstance(c, bytes) else c for c in _as_chunks(data) if len(c))
        size = sum(len(c) for c in chunks)
        self._blobs[key] = (chunks, size)
        return size

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        chunks, _ = self._blobs[key]
        if start == 0 and end is None:
            return iter(chunks)
        return _slice_chunks(chunks, start, end)

    def size(self, key: str) -> int:
        return self._blobs[key][1]

    def exists(self, key: str) -> bool:
        return key in self._blobs

    def copy(self, source: str, target: str) -> int:
        self._blobs[target] = self._blobs[source]
        return self._blobs[target][1]

    def _delete_now(self, key: str) -> None:
        self._blobs.pop(key, None)

    def keys(self) -> list[str]:
        return list(self._blobs)


class DirectoryBlobStore(BlobStore):
    """One file per blob under ``root/<2 hex>/<sha256 of key>``; writes are atomic renames."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__()
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        """The file of ``key``: a digest, so always inside ``root`` whatever the key is."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return self.root / digest[:2] / digest

    def put(self, key: str, data: bytes | Chunks) -> int:
        path = self.path_for(key)
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _as_chunks(data):
                    out.write(chunk)
                    size += len(chunk)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return size

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self.path_for(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            raise KeyError(key) from None
        return self._read(handle, start, end)

    @staticmethod
    def _read(handle: object, start: int, end: int | None) -> Iterator[bytes]:
        with handle as fh:  # type: ignore[attr-defined]
            fh.seek(start)
            remaining = None if end is None else max(end - start, 0)
            while remaining is None or remaining > 0:
                chunk = fh.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def size(self, key: str) -> int:
        try:
            return self.path_for(key).stat().st_size
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def copy(self, source: str, target: str) -> int:
        src, dst = self.path_for(source), self.path_for(target)
        if not src.is_file():
            raise KeyError(source)
        dst.parent.mkdir(exist_ok=True)
        tmp = dst.parent / f".tmp-link-{os.getpid()}-{threading.get_ident()}"
        try:
            os.link(src, tmp)  # blobs are never modified in place, so a hard link is a copy
            os.replace(tmp, dst)
            return dst.stat().st_size
        except OSError:
            return self.put(target, self.open(source))

    def _delete_now(self, key: str) -> None:
        try:
            self.path_for(key).unlink()
        except FileNotFoundError:
            pass


class MemoryBlobArchive:
    """A dict of key -> bytes that is both a ``BlobSink`` and a ``BlobSource`` (tests, tools)."""

    def __init__(self, blobs: dict[str, bytes] | None = None) -> None:
        self.blobs: dict[str, bytes] = dict(blobs or {})
        self.batches = 0

    def write_batch(self, blobs: Sequence[tuple[str, Chunks]]) -> None:
        self.batches += 1
        for key, chunks in blobs:
            self.blobs[key] = b"".join(chunks)

    def read_batch(self, keys: Sequence[str]) -> Iterable[tuple[str, Chunks]]:
        for key in keys:
            yield key, (self.blobs[key],)


def make_blob_store(blob_dir: str | None) -> BlobStore:
    """Memory when ``blob_dir`` is None, else a directory store rooted there."""
    return MemoryBlobStore() if blob_dir is None else DirectoryBlobStore(blob_dir)
