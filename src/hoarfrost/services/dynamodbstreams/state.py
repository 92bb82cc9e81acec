"""DynamoDB Streams keeps no state of its own: the records are the tables' (DynamoDB's state,
read through ``emulator.ports.streams("dynamodb")``), and a shard iterator is a self-contained,
tamper-evident token naming the stream, the shard and the position, so it survives a restore."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class DynamoDbStreamsBackend:
    account: str
    region: str
