"""DynamoDbStreamsService: the DynamoDB Streams API over DynamoDB's tables' streams."""

from __future__ import annotations

from typing import ClassVar

from hoarfrost.core.views import StatefulService
from hoarfrost.services.dynamodbstreams.handlers import ops
from hoarfrost.services.dynamodbstreams.state import DynamoDbStreamsBackend
from hoarfrost.services.dynamodbstreams.views import DynamoDbStreamsStateView


class DynamoDbStreamsService(StatefulService[DynamoDbStreamsBackend, DynamoDbStreamsStateView]):
    name: ClassVar[str] = "dynamodbstreams"
    view_type: ClassVar[type[DynamoDbStreamsStateView]] = DynamoDbStreamsStateView
    operations = ops

    def new_backend(self, account: str, region: str) -> DynamoDbStreamsBackend:
        return DynamoDbStreamsBackend(account, region)

    def to_view(self, backend: DynamoDbStreamsBackend, account: str, region: str) -> DynamoDbStreamsStateView:
        return DynamoDbStreamsStateView()

    def from_view(self, view: DynamoDbStreamsStateView, account: str, region: str) -> DynamoDbStreamsBackend:
        return DynamoDbStreamsBackend(account, region)

    def merge_backend(self, target: DynamoDbStreamsBackend, source: DynamoDbStreamsBackend) -> None:
        """Nothing to merge: the service holds no resources."""
