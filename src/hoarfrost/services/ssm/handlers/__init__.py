"""SSM Parameter Store's operations, one module per concern; importing this package registers
every handler on ``ops``. SSM's other resources (documents, associations...) have no handler
and answer NotImplemented."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("ssm")

from hoarfrost.services.ssm.handlers import history, labels, listing, parameters, tags  # noqa: E402, F401
