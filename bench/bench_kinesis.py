"""Kinesis records per second: PutRecords of a batch, then GetRecords reading that batch back
with the iterator the previous read answered, on an on-demand stream (4 shards; a provisioned
shard would throttle past 1,000 records a second, as AWS's does), for the botocore floor,
hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_kinesis.py`` (each group in a fresh interpreter; one table).
One op in the table is one cycle (two API calls moving ``BATCH`` records in and out), so
records/s is ops/s x ``BATCH`` (printed under the table). The records all carry one partition
key, so they land in one shard and one GetRecords reads the whole batch back; the check that
every batch is read back in full runs inside the timed cycle. The floor answers each call from
its own client with a canned response: botocore's cost of a cycle alone.
"""

from __future__ import annotations

from common import (
    client,
    floor_client,
    hoarfrost_server,
    main,
    moto_server,
    server_url,
    target,
)

BATCH = 100
STREAM = "bench"
RECORDS = [{"Data": b"x" * 200, "PartitionKey": "one-key"} for _ in range(BATCH)]


def _prepare(kinesis):
    """Create the stream; answer the cycle over the shard the records go to."""
    kinesis.create_stream(StreamName=STREAM, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 0.1})
    shard = kinesis.put_record(StreamName=STREAM, Data=b"x", PartitionKey="one-key")["ShardId"]
    position = {"iterator": kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard,
                                                       ShardIteratorType="LATEST")["ShardIterator"]}

    def run():
        kinesis.put_records(StreamName=STREAM, Records=RECORDS)
        page = kinesis.get_records(ShardIterator=position["iterator"], Limit=BATCH)
        if len(page["Records"]) != BATCH:
            raise AssertionError(f"read {len(page['Records'])} records back, not {BATCH}")
        position["iterator"] = page["NextShardIterator"]

    return run


def _put(kinesis):
    kinesis.create_stream(StreamName=STREAM, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return kinesis.put_records(StreamName=STREAM, Records=RECORDS)


def _get(kinesis):
    _put(kinesis)
    shard = kinesis.list_shards(StreamName=STREAM)["Shards"][0]["ShardId"]
    for shard_info in kinesis.list_shards(StreamName=STREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard_info["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page = kinesis.get_records(ShardIterator=iterator, Limit=BATCH)
        if page["Records"]:
            shard = shard_info["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return kinesis.get_records(ShardIterator=iterator, Limit=BATCH)


@target("floor (botocore, canned answers)", group="in-process")
def floor():
    putter, getter = floor_client("kinesis", _put), floor_client("kinesis", _get)

    def run():
        putter.put_records(StreamName=STREAM, Records=RECORDS)
        page = getter.get_records(ShardIterator="canned", Limit=BATCH)
        if len(page["Records"]) != BATCH:
            raise AssertionError("the canned answer lost records")

    yield run


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws():
        yield _prepare(client("kinesis"))


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        yield _prepare(client("kinesis"))


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        yield _prepare(client("kinesis", endpoint_url=server_url(url)))


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        yield _prepare(client("kinesis", endpoint_url=server_url(url)))


if __name__ == "__main__":
    main(
        f"Kinesis PutRecords + GetRecords cycles of {BATCH} records (boto3, one client, an on-demand stream); "
        f"records/s = ops/s x {BATCH}",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
