"""Kinesis's operations; importing this package registers every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("kinesis")

from hoarfrost.services.kinesis.handlers import (  # noqa: E402, F401
    consumers,
    encryption,
    policies,
    records,
    shards,
    streams,
    subscriptions,
    tags,
)
