"""hoarfrost: a stateful AWS service emulator with typed state views."""

from hoarfrost import state  # hoarfrost.state.export_to(...) / import_from(...)
from hoarfrost.core.emulator import Emulator, Settings
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.views import StateChange, StatefulService, StateView, StateViewError
from hoarfrost.mock import mock_aws

__version__ = "0.1.0"

__all__ = [
    "Emulator",
    "ServiceError",
    "Settings",
    "StateChange",
    "StateView",
    "StateViewError",
    "StatefulService",
    "__version__",
    "mock_aws",
    "state",
]
