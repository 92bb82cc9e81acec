"""The services hoarfrost implements: botocore service name -> module exposing ``SERVICE``
(a ``StatefulService`` subclass). A module is imported the first time its service is used."""

IMPLEMENTED: dict[str, str] = {
    "sts": "hoarfrost.services.sts",
    "s3": "hoarfrost.services.s3",
    "sqs": "hoarfrost.services.sqs",
    "sns": "hoarfrost.services.sns",
    "logs": "hoarfrost.services.logs",
    "lambda": "hoarfrost.services.lambda",
    "kms": "hoarfrost.services.kms",
    "secretsmanager": "hoarfrost.services.secretsmanager",
    "ssm": "hoarfrost.services.ssm",
    "iam": "hoarfrost.services.iam",
    "dynamodb": "hoarfrost.services.dynamodb",
    "dynamodbstreams": "hoarfrost.services.dynamodbstreams",
    "kinesis": "hoarfrost.services.kinesis",
    "firehose": "hoarfrost.services.firehose",
    "scheduler": "hoarfrost.services.scheduler",
    "events": "hoarfrost.services.events",
    "cloudwatch": "hoarfrost.services.cloudwatch",
}
