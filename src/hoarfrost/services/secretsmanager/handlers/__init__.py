"""Secrets Manager's operations, one module per concern; importing this package registers
every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("secretsmanager")

from hoarfrost.services.secretsmanager.handlers import (  # noqa: E402, F401
    passwords,
    policies,
    replication,
    rotation,
    secrets,
    tags,
    values,
)
