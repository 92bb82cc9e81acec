"""Amazon DynamoDB Streams: reading the change records of DynamoDB tables' streams (reached
through the core's stream port); ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.dynamodbstreams.service import DynamoDbStreamsService

SERVICE = DynamoDbStreamsService

__all__ = ["SERVICE", "DynamoDbStreamsService"]
