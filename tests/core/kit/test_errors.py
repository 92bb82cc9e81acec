"""Error classes generated from botocore's models: code, status and query code as the model
(patched by core.spec_patches) gives them, a loud failure for a code it lacks, and hand
declarations only for codes it lacks."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import ServiceErrors, declare, model_errors
from hoarfrost.services.s3.errors import errors as s3_errors
from hoarfrost.services.sns.errors import errors as sns_errors
from hoarfrost.services.sqs.errors import errors as sqs_errors
from hoarfrost.services.sts.errors import errors as sts_errors
from tests.harness import Harness


def _facts(cls: type[ServiceError]) -> tuple[str, int | None, bool, str | None]:
    return cls.code, cls.status, cls.sender_fault, cls.query_code


def test_a_json_service_class_has_the_model_code_and_fault() -> None:
    dynamodb = model_errors("dynamodb")
    assert _facts(dynamodb.ResourceNotFoundException) == ("ResourceNotFoundException", 400, True, None)
    # The model marks it "fault": the server's side, answered with 500.
    assert _facts(dynamodb.InternalServerError) == ("InternalServerError", 500, False, None)
    assert issubclass(dynamodb.ResourceNotFoundException, ServiceError)
    assert dynamodb.ResourceNotFoundException.__name__ == "ResourceNotFoundException"


def test_a_query_service_class_sends_the_modelled_code_with_its_status() -> None:
    sns = model_errors("sns")
    assert _facts(sns.NotFoundException) == ("NotFound", 404, True, None)
    assert _facts(sns.AuthorizationErrorException) == ("AuthorizationError", 403, True, None)
    error = sns.NotFoundException("Topic does not exist")
    assert (error.code, error.message, error.status) == ("NotFound", "Topic does not exist", 404)


def test_a_rest_xml_service_class_has_the_model_status() -> None:
    s3 = model_errors("s3")
    assert _facts(s3.NoSuchBucket) == ("NoSuchBucket", 404, True, None)
    assert _facts(s3.BucketAlreadyOwnedByYou) == ("BucketAlreadyOwnedByYou", 409, True, None)
    error = s3.NoSuchKey("gone", Key="k")
    assert error.fields == {"Key": "k"}


def test_a_query_compatible_class_carries_the_shape_name_and_the_query_code() -> None:
    sqs = model_errors("sqs")
    assert _facts(sqs.QueueDoesNotExist) == ("QueueDoesNotExist", 400, True, "AWS.SimpleQueueService.NonExistentQueue")
    assert _facts(sqs.PurgeQueueInProgress)[1] == 403
    assert _facts(sqs.QueueNameExists)[3] == "QueueAlreadyExists"


def test_a_code_the_model_lacks_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchBukcet"):
        model_errors("s3").NoSuchBukcet  # noqa: B018 - the look-up is the test
    with pytest.raises(AttributeError, match="names the shape for that code 'NotFoundException'"):
        model_errors("sns").NotFound  # noqa: B018
    assert "NoSuchBucket" in model_errors("s3") and "NoSuchVersion" not in model_errors("s3")


def test_classes_are_built_once_per_service() -> None:
    # A class raised in one module must be the class another module catches.
    assert model_errors("sqs") is model_errors("sqs")
    assert model_errors("sqs").QueueDoesNotExist is sqs_errors.QueueDoesNotExist


def test_extended_adds_declared_codes_and_default_messages_without_touching_the_model() -> None:
    base = model_errors("s3")
    extended = base.extended(declare("NoSuchVersion", 404, "The specified version does not exist."),
                             messages={"NoSuchBucket": "The specified bucket does not exist"})
    assert isinstance(extended, ServiceErrors) and "NoSuchVersion" not in base
    assert extended.NoSuchVersion().message == "The specified version does not exist."
    assert extended.NoSuchVersion("other").message == "other"
    bucket = extended.NoSuchBucket(BucketName="b")
    assert (bucket.code, bucket.status, bucket.message) == ("NoSuchBucket", 404, "The specified bucket does not exist")
    assert isinstance(bucket, base.NoSuchBucket)  # an except clause on the model's class still catches it
    assert base.NoSuchBucket().message == ""
    with pytest.raises(AttributeError):
        base.extended(messages={"NoSuchBukcet": "typo"})


def test_declare_defaults_fault_from_status() -> None:
    assert _facts(declare("AccessDenied", 403)) == ("AccessDenied", 403, True, None)
    assert _facts(declare("Busy", 503)) == ("Busy", 503, False, None)
    assert declare("InvalidParameterValue", 400, query_code="Q").query_code == "Q"


@pytest.mark.parametrize("errors", [s3_errors, sns_errors, sqs_errors, sts_errors], ids=lambda e: e.service)
def test_services_declare_by_hand_only_codes_their_model_lacks(errors: ServiceErrors) -> None:
    model = model_errors(errors.service)
    modelled_codes = {getattr(model, name).code for name in dir(model) if name in model}
    redundant = [cls.__name__ for cls in errors.declared if cls.__name__ in model or cls.code in modelled_codes]
    assert redundant == [], f"the model now has these; drop the hand declarations: {redundant}"


def test_a_query_compatible_code_reaches_botocore(aws: Harness) -> None:
    sqs = aws.client("sqs")
    assert sqs.meta.service_model.protocol == "json"
    with pytest.raises(ClientError) as caught:
        sqs.get_queue_url(QueueName="no-such-queue")
    error: dict[str, Any] = caught.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert isinstance(caught.value, sqs.exceptions.QueueDoesNotExist)
