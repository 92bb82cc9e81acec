"""Checks on a message being published (body, subject, structure, attributes, FIFO fields),
with SNS's InvalidParameter texts, and building the ``Publication`` every subscriber sees."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.sns.delivery import Publication
from hoarfrost.services.sns.errors import errors, invalid

MAX_ATTRIBUTES = 10
_RESERVED_PREFIXES = ("aws.", "amazon.")
_GROUP_ID = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}$")


def _attribute_error(text: str) -> ServiceError:
    return invalid(f"MessageAttributes Reason: {text}")


def _value_error(text: str) -> ServiceError:
    """What SNS answers for a malformed attribute name, type or value field: ParameterValueInvalid
    with the bare sentence (no ``Invalid parameter:`` prefix)."""
    return errors.InvalidParameterValueException(text)


def _check_attribute_name(name: str) -> None:
    if len(name.encode("utf-8")) > 256:
        raise _value_error("Length of message attribute name must be less than 256 bytes.")
    if name.startswith("."):
        raise _value_error("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _value_error("Invalid message attribute name ending with character '.' was found.")
    for index, char in enumerate(name):
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            raise _value_error(f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                               "attribute name. Can only include alphanumeric characters, hyphens, underscores, "
                               "or dots.")
        if char == "." and index and name[index - 1] == ".":
            raise _value_error("Message attribute name can not have successive '.' character.")
    if not name or name.lower().startswith(_RESERVED_PREFIXES):
        raise _attribute_error(f"Invalid attribute name: {name}")


def check_attributes(attributes: dict[str, dict[str, Any]]) -> None:
    """SNS's validation of MessageAttributes' names, data types and values."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise _attribute_error(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    for name, attribute in attributes.items():
        _check_attribute_name(name)
        data_type = attribute.get("DataType") or ""
        if not data_type:
            raise _attribute_error(f"The message attribute '{name}' must contain non-empty message attribute type.")
        base = data_type.split(".", 1)[0]
        string_value = attribute.get("StringValue")
        binary_value = attribute.get("BinaryValue")
        if base not in ("String", "Number", "Binary"):
            raise _value_error(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        if base == "Binary":
            if binary_value is None:
                raise _value_error(f"The message attribute '{name}' with type 'Binary' must use field 'Binary'.")
            if not binary_value:
                raise _value_error(f"The message attribute '{name}' must contain non-empty message attribute "
                                   f"value for message attribute type '{data_type}'.")
            continue
        if not string_value:
            if binary_value is not None and string_value is None:
                raise _value_error(f"The message attribute '{name}' with type '{data_type}' must use field 'String'.")
            raise _value_error(
                f"The message attribute '{name}' must contain non-empty message attribute value for message "
                f"attribute type '{data_type}'."
            )
        if base == "Number":
            _check_number(name, string_value)
        elif data_type.startswith("String.Array"):
            _check_array(name, string_value)


def _check_number(name: str, value: str) -> None:
    """Numbers may have up to 38 digits, between 10^-128 and 10^+126 (SQS's and SNS's rule)."""
    try:
        number = float(value)
    except ValueError as exc:
        raise _attribute_error(f"Could not cast message attribute '{name}' value to number.") from exc
    if number != number or number in (float("inf"), float("-inf")) or abs(number) >= 1e126:
        raise _attribute_error(f"Value {value} for message attribute '{name}' is out of range.")


def _check_array(name: str, value: str) -> None:
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list) or any(isinstance(item, (list, dict)) for item in items):
        raise _attribute_error(
            f"The message attribute '{name}' with type 'String.Array' must be a JSON array of strings, numbers, "
            "booleans or nulls."
        )


def check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if not subject or len(subject) >= 100 or not subject[0].isprintable() or not subject.isprintable() \
            or not subject.isascii():
        raise invalid("Subject")


def per_protocol_messages(message: str, structure: str | None) -> dict[str, str] | None:
    if structure is None:
        return None
    if structure != "json":
        raise invalid("MessageStructure")
    try:
        document = json.loads(message)
    except ValueError as exc:
        raise invalid("Message Structure - JSON message body failed to parse") from exc
    if not isinstance(document, dict):
        raise invalid("Message Structure - JSON message body failed to parse")
    if "default" not in document:
        raise invalid("Message Structure - No default entry in JSON message body")
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in document.items()}


def message_size(message: str, attributes: dict[str, dict[str, Any]]) -> int:
    size = len(message.encode("utf-8"))
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(str(attribute.get("DataType", "")).encode())
        value = attribute.get("BinaryValue")
        size += len(value) if isinstance(value, (bytes, bytearray)) else len(
            str(attribute.get("StringValue") or "").encode())
    return size


def check_group_id(value: str, member: str = "MessageGroupId") -> None:
    if not _GROUP_ID.match(value):
        raise invalid(f"{member} Reason: {member} can only contain up to 128 alphanumeric and punctuation characters")


def build(request: dict[str, Any], now: float, max_size: int = 262144) -> Publication:
    """Validate the message members of a Publish request (or batch entry) into a Publication."""
    message = request.get("Message")
    if message is None or message == "":
        raise invalid("Empty message")
    attributes: dict[str, dict[str, Any]] = dict(request.get("MessageAttributes") or {})
    check_attributes(attributes)
    subject = request.get("Subject")
    check_subject(subject)
    per_protocol = per_protocol_messages(message, request.get("MessageStructure"))
    if message_size(message, attributes) > max_size:
        raise invalid("Message too long")
    group_id = request.get("MessageGroupId")
    if group_id is not None:
        check_group_id(group_id)
    dedup_id = request.get("MessageDeduplicationId")
    if dedup_id is not None:
        check_group_id(dedup_id, "MessageDeduplicationId")
    return Publication(
        message_id=str(uuid.uuid4()), message=message, subject=subject, attributes=attributes,
        sent_at=now, per_protocol=per_protocol, group_id=group_id, deduplication_id=dedup_id,
    )
