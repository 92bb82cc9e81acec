"""DynamoDbStreamsStateView: empty by design. The stream records live in DynamoDB's view (each
table's ``stream_records``); iterators are tokens held by clients. Restore and merge accept it
so that a whole-emulator snapshot round-trips."""

from __future__ import annotations

from hoarfrost.core.views import StateView


class DynamoDbStreamsStateView(StateView):
    """Nothing: see the module docstring."""
