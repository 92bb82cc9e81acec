"""The generic validator: constraints from botocore's model, messages as AWS words them."""

from __future__ import annotations

import pytest

from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.validation import validate_input, validation_errors


def op(service: str, name: str):  # type: ignore[no-untyped-def]
    return catalog.operation_model(service, name)


def test_missing_required_member_is_named_in_camel_case() -> None:
    errors = validation_errors({"RoleSessionName": "ok-name"}, op("sts", "AssumeRole"))
    assert errors == ["Value null at 'roleArn' failed to satisfy constraint: Member must not be null"]


def test_length_range_and_pattern() -> None:
    errors = validation_errors(
        {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "x y", "DurationSeconds": 10},
        op("sts", "AssumeRole"),
    )
    assert any("at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern"
               in e for e in errors)
    assert "Value '10' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900" in errors


def test_enum_and_nested_list_paths() -> None:
    errors = validation_errors(
        {"QueueUrl": "u", "Entries": [{"Id": "1", "MessageBody": "b",
                                       "MessageAttributes": {"a": {"DataType": "String"}}}]},
        op("sqs", "SendMessageBatch"),
    )
    assert errors == []
    errors = validation_errors({"QueueUrl": "u", "Entries": [{"Id": "1"}]}, op("sqs", "SendMessageBatch"))
    assert errors == ["Value null at 'entries.1.member.messageBody' failed to satisfy constraint: Member must not be null"]


def test_validate_input_raises_with_count_and_code() -> None:
    with pytest.raises(ServiceError) as info:
        validate_input({}, op("sts", "AssumeRole"), "ValidationError")
    assert info.value.code == "ValidationError"
    assert info.value.status == 400
    assert info.value.message.startswith("2 validation errors detected: Value null at 'roleArn'")


def test_valid_input_passes_silently() -> None:
    validate_input({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s"}
                   | {"RoleSessionName": "session"}, op("sts", "AssumeRole"), "ValidationError")
