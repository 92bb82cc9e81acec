"""Lambda's operations, one module per resource; importing this package registers every handler
on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("lambda")

from . import (  # noqa: E402,F401
    aliases,
    code_signing,
    concurrency,
    event_invoke,
    event_sources,
    functions,
    invoke,
    layers,
    permissions,
    tags,
    urls,
    versions,
)
