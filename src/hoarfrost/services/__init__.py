"""The services hoarfrost implements: botocore service name -> module exposing ``SERVICE``
(a ``StatefulService`` subclass). A module is imported the first time its service is used."""

IMPLEMENTED: dict[str, str] = {
    "sts": "hoarfrost.services.sts",
    "s3": "hoarfrost.services.s3",
    "sqs": "hoarfrost.services.sqs",
    "sns": "hoarfrost.services.sns",
    "kms": "hoarfrost.services.kms",
    "secretsmanager": "hoarfrost.services.secretsmanager",
    "ssm": "hoarfrost.services.ssm",
    "dynamodb": "hoarfrost.services.dynamodb",
    "dynamodbstreams": "hoarfrost.services.dynamodbstreams",
}
