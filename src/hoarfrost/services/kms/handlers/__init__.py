"""KMS's operations, one module per concern; importing this package registers every handler
on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("kms")

from hoarfrost.services.kms.handlers import (  # noqa: E402,F401  (registration by import)
    aliases,
    custom_key_stores,
    encryption,
    grants,
    imports,
    keys,
    multi_region,
    rotation,
    signing,
)
