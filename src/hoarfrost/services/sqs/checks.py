"""Checks SQS makes on what a client sends: queue names, message bodies and attributes, batches.

Each raises the error (code and message) SQS answers with; handlers call them before touching
state so a rejected request changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from hoarfrost.services.sqs.errors import errors, invalid_parameter, missing_parameter

MAX_BATCH_ENTRIES = 10
MAX_BATCH_PAYLOAD = 1_048_576
MAX_MESSAGE_ATTRIBUTES = 10

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
# XML 1.0 characters, which is what SQS accepts in a body or string attribute.
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_GROUP_ID = re.compile(r"[!-~]{1,128}")


def check_queue_name(name: str, fifo: bool) -> None:
    if fifo:
        if _FIFO_QUEUE_NAME.fullmatch(name) is None:
            raise errors.InvalidParameterValueException(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length."
            )
    elif _QUEUE_NAME.fullmatch(name) is None:
        raise errors.InvalidParameterValueException(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def check_body(body: str | None) -> str:
    if not body:
        raise missing_parameter("MessageBody")
    if _INVALID_CHARACTER.search(body) is not None:
        raise errors.InvalidMessageContents(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )
    return body


def check_message_attributes(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Validated attributes in the SendMessage input shape, keeping only the members SQS keeps."""
    if not attributes:
        return {}
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise errors.InvalidParameterValueException(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_MESSAGE_ATTRIBUTES}]."
        )
    checked: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        lowered = name.lower()
        if (_ATTRIBUTE_NAME.fullmatch(name) is None or name.startswith(".") or name.endswith(".")
                or ".." in name or lowered.startswith("aws.") or lowered.startswith("amazon.")):
            raise errors.InvalidParameterValueException(f"Message attribute name '{name}' is invalid.")
        checked[name] = _check_attribute_value(name, value)
    return checked


def _check_attribute_value(name: str, value: dict[str, Any]) -> dict[str, Any]:
    data_type = value.get("DataType") or ""
    base = data_type.split(".", 1)[0]
    if base not in ("String", "Number", "Binary") or len(data_type) > 256:
        raise errors.InvalidParameterValueException(
            f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
            "type prefixes is Binary, Number, and String."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise errors.InvalidParameterValueException(
            "Message attribute list values in SendMessage operation are not supported.")
    if base == "Binary":
        binary = value.get("BinaryValue")
        if binary is None or len(binary) == 0:
            raise errors.InvalidParameterValueException(
                f"The message attribute '{name}' must contain non-empty message "
                "attribute value for message attribute type 'Binary'.")
        return {"DataType": data_type, "BinaryValue": bytes(binary)}
    string = value.get("StringValue")
    if string is None or string == "":
        raise errors.InvalidParameterValueException(f"The message attribute '{name}' must contain non-empty message "
                                           f"attribute value for message attribute type '{base}'.")
    if base == "Number":
        try:
            Decimal(string)
        except InvalidOperation:
            raise errors.InvalidParameterValueException(
                f"Could not cast message attribute '{name}' value to number.") from None
    elif _INVALID_CHARACTER.search(string) is not None:
        raise errors.InvalidParameterValueException(f"Message attribute '{name}' must contain valid characters.")
    return {"DataType": data_type, "StringValue": string}


def check_system_attributes(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """MessageSystemAttributes: AWSTraceHeader is the only one a sender may set, as a String."""
    if not attributes:
        return {}
    checked: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if name != "AWSTraceHeader":
            raise errors.InvalidParameterValueException(f"Message system attribute name '{name}' is invalid.")
        if value.get("DataType") != "String" or not value.get("StringValue"):
            raise errors.InvalidParameterValueException(
                "Message system attribute 'AWSTraceHeader' must be of type 'String' with a non-empty value."
            )
        checked[name] = {"DataType": "String", "StringValue": value["StringValue"]}
    return checked


def message_size(body: str, attributes: dict[str, dict[str, Any]]) -> int:
    """What counts against MaximumMessageSize: the body plus each attribute's name, type and value."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            size += len(value["BinaryValue"])
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


def check_message_size(size: int, maximum: int) -> None:
    if size > maximum:
        raise errors.InvalidParameterValueException(
            f"One or more parameters are invalid. Reason: Message must be shorter than {maximum} bytes."
        )


def check_group_id(group_id: str, parameter: str = "MessageGroupId") -> None:
    if _GROUP_ID.fullmatch(group_id) is None:
        raise invalid_parameter(parameter, group_id, f"{parameter} can only include alphanumeric and "
                                "punctuation characters. 1 to 128 in length")


def check_batch(entries: Sequence[dict[str, Any]], entry_kind: str) -> None:
    """The checks that fail a whole batch request rather than one entry."""
    if not entries:
        raise errors.EmptyBatchRequest(f"There should be at least one {entry_kind} in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise errors.TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id", "")
        if _BATCH_ID.fullmatch(entry_id) is None:
            raise errors.InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise errors.BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def entry_size(entry: dict[str, Any]) -> int:
    """What one SendMessageBatch entry adds to the request's payload, counted before the entry
    is checked (an entry that fails on its own still counts): body plus attribute names, types
    and values."""
    size = len((entry.get("MessageBody") or "").encode("utf-8"))
    for name, value in (entry.get("MessageAttributes") or {}).items():
        size += len(name.encode("utf-8")) + len(str(value.get("DataType") or "").encode("utf-8"))
        binary = value.get("BinaryValue")
        if binary is not None:
            size += len(binary)
        else:
            size += len(str(value.get("StringValue") or "").encode("utf-8"))
    return size


def check_batch_payload(total: int) -> None:
    if total > MAX_BATCH_PAYLOAD:
        raise errors.BatchRequestTooLong(
            f"Batch requests cannot be longer than {MAX_BATCH_PAYLOAD} bytes. You have sent {total} bytes."
        )
