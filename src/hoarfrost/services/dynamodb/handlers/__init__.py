"""DynamoDB's operations, one module per resource; importing this package registers every
handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("dynamodb")

from hoarfrost.services.dynamodb.handlers import (  # noqa: E402,F401
    backups,
    batches,
    exports,
    items,
    partiql,
    policies,
    queries,
    tables,
    transactions,
)
