"""S3 ops/s and memory: the botocore floor, hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_s3.py`` (each group in a fresh interpreter; one table per
scenario, then the memory figure). ``--scenario put-get|list|memory`` runs one of them.

- put-get: one op = one PutObject of a 1 KiB body + one GetObject of it with the body read, cycling
  over 2,000 keys (the bucket holds 2,000 objects throughout). Target: in-process >= 70% of the floor.
- list: one op = one ListObjectsV2 page of 1,000 keys, walking a 10,000-key bucket page after
  page (and starting over). Target: in-process >= 60% of the floor.
- memory: RSS growth of a fresh interpreter that puts 20,000 objects of 10 KiB (distinct bodies)
  through hoarfrost in-process. Target: growth <= 1.3x the payload.

The floor answers from canned responses (one client per operation), so it is botocore's cost alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    client,
    floor_client,
    hoarfrost_server,
    main,
    moto_server,
    scenario_selected,
    server_url,
    target,
)

BUCKET = "bench"
FLOOR = "floor (botocore, canned answers)"

# -- put + get --------------------------------------------------------------------------------------
OBJECTS = 2_000
BODY = bytes(range(256)) * 4  # 1 KiB
KEYS = [f"objects/{i:05d}.bin" for i in range(OBJECTS)]


def _put(s3):
    s3.create_bucket(Bucket=BUCKET)
    return s3.put_object(Bucket=BUCKET, Key=KEYS[0], Body=BODY)


def _get(s3):
    _put(s3)
    return s3.get_object(Bucket=BUCKET, Key=KEYS[0])


def _put_get_cycle(putter, getter):
    position = [0]

    def run():
        key = KEYS[position[0]]
        position[0] = (position[0] + 1) % OBJECTS
        putter.put_object(Bucket=BUCKET, Key=key, Body=BODY)
        body = getter.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        if len(body) != len(BODY):
            raise RuntimeError(f"GetObject returned {len(body)} bytes")

    return run


def _prepare_objects(s3):
    s3.create_bucket(Bucket=BUCKET)
    for key in KEYS:
        s3.put_object(Bucket=BUCKET, Key=key, Body=BODY)
    return _put_get_cycle(s3, s3)


@target(FLOOR, group="in-process", scenario="put-get")
def put_get_floor():
    yield _put_get_cycle(floor_client("s3", _put), floor_client("s3", _get))


@target("hoarfrost in-process", group="in-process", scenario="put-get")
def put_get_hoarfrost():
    import hoarfrost

    with hoarfrost.mock_aws():
        yield _prepare_objects(client("s3"))


@target("moto in-process", scenario="put-get")
def put_get_moto():
    import moto

    with moto.mock_aws():
        yield _prepare_objects(client("s3"))


@target("hoarfrost server", group="server", scenario="put-get")
def put_get_hoarfrost_server():
    with hoarfrost_server() as url:
        yield _prepare_objects(client("s3", endpoint_url=server_url(url)))


@target("moto server", group="server", scenario="put-get")
def put_get_moto_server():
    with moto_server() as url:
        yield _prepare_objects(client("s3", endpoint_url=server_url(url)))


# -- listing ---------------------------------------------------------------------------------------
LISTED = 10_000
PAGE = 1_000
LIST_KEYS = [f"logs/2026/{i // 1000:02d}/{i:06d}.json" for i in range(LISTED)]


def _list_page(s3):
    s3.create_bucket(Bucket=BUCKET)
    for key in LIST_KEYS[:PAGE + 1]:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    return s3.list_objects_v2(Bucket=BUCKET, MaxKeys=PAGE)


def _walk_pages(s3):
    """Each call fetches the next page; after the last page the walk starts over."""
    token = [None]

    def run():
        kwargs = {"ContinuationToken": token[0]} if token[0] else {}
        page = s3.list_objects_v2(Bucket=BUCKET, MaxKeys=PAGE, **kwargs)
        if len(page["Contents"]) != PAGE:
            raise RuntimeError(f"page of {len(page['Contents'])} keys")
        token[0] = page.get("NextContinuationToken")

    return run


def _prepare_listing(s3):
    s3.create_bucket(Bucket=BUCKET)
    for key in LIST_KEYS:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    return _walk_pages(s3)


@target(FLOOR, group="in-process", scenario="list")
def list_floor():
    floor = floor_client("s3", _list_page)

    def run():
        page = floor.list_objects_v2(Bucket=BUCKET, MaxKeys=PAGE)
        if len(page["Contents"]) != PAGE:
            raise RuntimeError(f"page of {len(page['Contents'])} keys")

    yield run


@target("hoarfrost in-process", group="in-process", scenario="list")
def list_hoarfrost():
    import hoarfrost

    with hoarfrost.mock_aws():
        yield _prepare_listing(client("s3"))


@target("moto in-process", scenario="list")
def list_moto():
    import moto

    with moto.mock_aws():
        yield _prepare_listing(client("s3"))


@target("hoarfrost server", group="server", scenario="list")
def list_hoarfrost_server():
    with hoarfrost_server() as url:
        yield _prepare_listing(client("s3", endpoint_url=server_url(url)))


@target("moto server", group="server", scenario="list")
def list_moto_server():
    with moto_server() as url:
        yield _prepare_listing(client("s3", endpoint_url=server_url(url)))


# -- memory ----------------------------------------------------------------------------------------
MEMORY_OBJECTS = 20_000
MEMORY_BODY = 10 * 1024


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def memory_child() -> None:
    """Run in a fresh interpreter: RSS growth while hoarfrost in-process holds the objects."""
    import gc

    import hoarfrost

    with hoarfrost.mock_aws():
        s3 = client("s3")
        s3.create_bucket(Bucket=BUCKET)
        for _ in range(50):  # warm every cache on the path before the baseline
            s3.put_object(Bucket=BUCKET, Key="warm", Body=os.urandom(MEMORY_BODY))
            s3.get_object(Bucket=BUCKET, Key="warm")["Body"].read()
        s3.delete_object(Bucket=BUCKET, Key="warm")
        gc.collect()
        before = _rss_bytes()
        for i in range(MEMORY_OBJECTS):
            s3.put_object(Bucket=BUCKET, Key=f"objects/{i:06d}.bin", Body=os.urandom(MEMORY_BODY))
        gc.collect()
        after = _rss_bytes()
        last = s3.head_object(Bucket=BUCKET, Key=f"objects/{MEMORY_OBJECTS - 1:06d}.bin")
        if last["ContentLength"] != MEMORY_BODY:
            raise RuntimeError("the last object is not there")
    print(json.dumps({"payload": MEMORY_OBJECTS * MEMORY_BODY, "growth": after - before}))


def memory() -> None:
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); sys.argv = ['bench_s3.py'];"
            "import bench_s3; bench_s3.memory_child()")
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=900)
    lines = result.stdout.strip().splitlines()
    print(f"\n### S3 memory: {MEMORY_OBJECTS:,} objects of {MEMORY_BODY // 1024} KiB put through "
          "hoarfrost in-process (fresh interpreter, VmRSS after gc.collect)\n")
    if result.returncode != 0 or not lines:
        print(f"error: {(result.stderr.strip().splitlines() or ['failed'])[-1]}")
        return
    figures = json.loads(lines[-1])
    payload, growth = figures["payload"] / 2**20, figures["growth"] / 2**20
    print(f"payload {payload:,.1f} MiB; RSS growth {growth:,.1f} MiB; "
          f"growth / payload {growth / payload:.2f}x (target <= 1.3x)")
    sys.stdout.flush()


if __name__ == "__main__":
    main(
        f"S3 PutObject + GetObject of 1 KiB (boto3, one client, {OBJECTS:,} objects cycled)",
        reference=FLOOR,
        scenario="put-get",
        ratios=[
            ("hoarfrost in-process / floor (target >= 0.70)", "hoarfrost in-process", FLOOR),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
    main(
        f"S3 ListObjectsV2 pages of {PAGE:,} keys ({LISTED:,}-key bucket walked page by page)",
        reference=FLOOR,
        scenario="list",
        min_seconds=1.0,  # a page takes ~0.1 s: ten calls a repetition, not two
        ratios=[
            ("hoarfrost in-process / floor (target >= 0.60)", "hoarfrost in-process", FLOOR),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
    if scenario_selected("memory"):
        memory()
