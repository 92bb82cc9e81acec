"""DynamoDbService: DynamoDB's backends, its view conversions, and its tables' streams on the
core port (``emulator.ports.streams("dynamodb")``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.views import StatefulService
from hoarfrost.services.dynamodb import convert
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.state import DynamoDbBackend
from hoarfrost.services.dynamodb.streams import TableStreams
from hoarfrost.services.dynamodb.views import DynamoDbStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class DynamoDbService(StatefulService[DynamoDbBackend, DynamoDbStateView]):
    name: ClassVar[str] = "dynamodb"
    view_type: ClassVar[type[DynamoDbStateView]] = DynamoDbStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        # Tables' streams, for DynamoDB Streams and (later) Lambda, through the core port.
        emulator.ports.register_streams("dynamodb", TableStreams(self))

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A table named by ARN lives where its ARN says (another account's table is reachable
        by ARN, as with a resource policy; policies are not evaluated); by name, the caller's."""
        for member in ("TableName", "TableArn", "ResourceArn", "SourceTableArn"):
            value = request.get(member)
            if isinstance(value, str) and value.startswith("arn:"):
                arn = try_parse_arn(value)
                if arn is not None and arn.service == "dynamodb" and arn.account and arn.region:
                    return arn.account, arn.region
        return account, region

    def new_backend(self, account: str, region: str) -> DynamoDbBackend:
        return DynamoDbBackend(account, region)

    def to_view(self, backend: DynamoDbBackend, account: str, region: str) -> DynamoDbStateView:
        return convert.to_view(backend)

    def from_view(self, view: DynamoDbStateView, account: str, region: str) -> DynamoDbBackend:
        return convert.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: DynamoDbBackend, source: DynamoDbBackend) -> None:
        convert.merge(target, source)
