"""Cross-region requests from several threads: each holds one scope lock at a time, so none deadlock."""

from __future__ import annotations

import threading

from tests.harness import Harness


def test_cross_region_writers_do_not_deadlock(inprocess: Harness) -> None:
    east = inprocess.client("s3")
    west = inprocess.client("s3", region_name="eu-west-1")
    east.create_bucket(Bucket="east-side")
    west.create_bucket(Bucket="west-side", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    errors: list[BaseException] = []

    def writer(client: object, bucket: str, prefix: str) -> None:
        try:
            for n in range(40):
                client.put_object(Bucket=bucket, Key=f"{prefix}/{n}", Body=b"x")  # type: ignore[attr-defined]
                client.list_objects_v2(Bucket=bucket, Prefix=prefix)  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(inprocess.client("s3"), "west-side", "from-east")),
        threading.Thread(target=writer, args=(inprocess.client("s3", region_name="eu-west-1"), "east-side",
                                              "from-west")),
        threading.Thread(target=writer, args=(inprocess.client("s3"), "east-side", "local")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    assert errors == []
    assert east.list_objects_v2(Bucket="west-side")["KeyCount"] == 40
    assert west.list_objects_v2(Bucket="east-side")["KeyCount"] == 80
