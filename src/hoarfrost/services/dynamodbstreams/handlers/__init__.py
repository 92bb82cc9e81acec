"""DynamoDB Streams' operations; importing this package registers every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("dynamodbstreams")

from hoarfrost.services.dynamodbstreams.handlers import streams  # noqa: E402,F401
