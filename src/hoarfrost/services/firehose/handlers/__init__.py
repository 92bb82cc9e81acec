"""Firehose's operations; importing this package registers every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("firehose")

from hoarfrost.services.firehose.handlers import encryption, records, streams, tags  # noqa: E402, F401
