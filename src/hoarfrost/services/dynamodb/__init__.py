"""Amazon DynamoDB: tables, items, the expression language, queries and scans over indexes,
batches and transactions; ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.dynamodb.service import DynamoDbService

SERVICE = DynamoDbService

__all__ = ["SERVICE", "DynamoDbService"]
