"""DynamoDbService: DynamoDB's backends and its view conversions."""

from __future__ import annotations

from typing import ClassVar

from hoarfrost.core.views import StatefulService
from hoarfrost.services.dynamodb import convert
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.state import DynamoDbBackend
from hoarfrost.services.dynamodb.views import DynamoDbStateView


class DynamoDbService(StatefulService[DynamoDbBackend, DynamoDbStateView]):
    name: ClassVar[str] = "dynamodb"
    view_type: ClassVar[type[DynamoDbStateView]] = DynamoDbStateView
    operations = ops

    def new_backend(self, account: str, region: str) -> DynamoDbBackend:
        return DynamoDbBackend(account, region)

    def to_view(self, backend: DynamoDbBackend, account: str, region: str) -> DynamoDbStateView:
        return convert.to_view(backend)

    def from_view(self, view: DynamoDbStateView, account: str, region: str) -> DynamoDbBackend:
        return convert.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: DynamoDbBackend, source: DynamoDbBackend) -> None:
        convert.merge(target, source)
