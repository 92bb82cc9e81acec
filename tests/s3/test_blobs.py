"""The blob store on its own: memory and directory stores, ranges, traversal-proof keys, held deletes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hoarfrost.core.blobs import (
    DirectoryBlobStore,
    MemoryBlobArchive,
    MemoryBlobStore,
    make_blob_store,
)


@pytest.fixture(params=["memory", "directory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> MemoryBlobStore | DirectoryBlobStore:
    return make_blob_store(None if request.param == "memory" else str(tmp_path / "blobs"))  # type: ignore[return-value]


def test_put_open_ranges_and_delete(store: MemoryBlobStore | DirectoryBlobStore) -> None:
    size = store.put("a/b", iter([b"hello ", b"wide ", b"world"]))
    assert size == 16 and store.size("a/b") == 16 and store.exists("a/b")
    assert store.read("a/b") == b"hello wide world"
    assert b"".join(store.open("a/b", 3, 9)) == b"lo wid"
    assert b"".join(store.open("a/b", 12)) == b"orld"
    assert store.copy("a/b", "c") == 16 and store.read("c") == b"hello wide world"
    store.delete("a/b")
    assert not store.exists("a/b") and store.read("c") == b"hello wide world"
    with pytest.raises(KeyError):
        store.open("a/b")


def test_deletes_wait_while_held(store: MemoryBlobStore | DirectoryBlobStore) -> None:
    store.put("k", b"data")
    with store.held():
        store.delete("k")
        assert store.read("k") == b"data"
    assert not store.exists("k")


@pytest.mark.parametrize("key", ["../../escape", "/etc/passwd", "..", "a/../../b", "x\x00y", "C:\\win", "é/../..//"])
def test_directory_keys_never_leave_the_root(tmp_path: Path, key: str) -> None:
    root = tmp_path / "blobs"
    store = DirectoryBlobStore(root)
    store.put(key, b"secret")
    assert store.read(key) == b"secret"
    files = [Path(d) / f for d, _, fs in os.walk(tmp_path) for f in fs]
    assert files and all(root.resolve() in f.resolve().parents for f in files)
    assert store.path_for(key).parent.parent == root.resolve()


def test_stores_feed_each_other_in_batches() -> None:
    source = MemoryBlobStore()
    source.put("one", b"1")
    source.put("two", [b"2", b"2"])
    archive = MemoryBlobArchive()
    archive.write_batch(list(source.read_batch(["one", "two"])))
    assert archive.blobs == {"one": b"1", "two": b"22"}
    target = MemoryBlobStore()
    target.write_batch(list(archive.read_batch(["two"])))
    assert target.read("two") == b"22"
    with pytest.raises(KeyError):
        list(source.read_batch(["missing"]))


def test_object_keys_cannot_escape_the_blob_dir(tmp_path: Path) -> None:
    import boto3

    import hoarfrost

    root = tmp_path / "blobs"
    hostile = ["../../../outside", "/etc/passwd", "..%2F..%2Fx", "a/../../../../b", "....//....//c"]
    with hoarfrost.mock_aws(blob_dir=str(root)):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="trav-bucket")
        for key in hostile:
            s3.put_object(Bucket="trav-bucket", Key=key, Body=key.encode())
        for key in hostile:
            assert s3.get_object(Bucket="trav-bucket", Key=key)["Body"].read() == key.encode()
    files = [Path(d) / f for d, _, fs in os.walk(tmp_path) for f in fs]
    assert len(files) == len(hostile)
    assert all(root.resolve() in f.resolve().parents for f in files)
