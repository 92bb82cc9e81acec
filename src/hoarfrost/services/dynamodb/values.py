"""Attribute values as DynamoDB keeps them: checked on the way in, numbers normalised, sizes
counted, and compared.

Items stay in the wire's shape (``{"name": {"S": "x"}}``), so answering a read is handing the
stored dict to the serialiser. Stored items are never mutated in place: a write builds a new
dict (copying only the containers it changes), so an answer already handed out stays valid.
Numbers are stored as DynamoDB answers them (normalised text); arithmetic and comparison use
``decimal`` with DynamoDB's 38 significant digits.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.dynamodb.errors import invalid_parameter, validation

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
SCALAR_KEY_TYPES = ("S", "N", "B")
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
MAX_ITEM_SIZE = 400 * 1024
MAX_NUMBER_DIGITS = 38

CONTEXT = decimal.Context(prec=MAX_NUMBER_DIGITS, Emax=125, Emin=-130,
                          traps=[decimal.Overflow, decimal.Underflow, decimal.InvalidOperation])
_PARSE = decimal.Context(prec=200, traps=[decimal.InvalidOperation])
_NAME_OF_SET = {"SS": "string", "NS": "number", "BS": "binary"}


# What the JSON wire carries for each type (a request bypassing an SDK may send anything).
_WIRE_TYPES: dict[str, Any] = {"S": str, "N": str, "B": bytes, "BOOL": bool, "NULL": bool, "SS": (list, str),
                               "NS": (list, str), "BS": (list, bytes), "L": list, "M": dict}


def _wire_ok(data: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        container, element = expected
        return isinstance(data, container) and all(isinstance(x, element) for x in data)
    return isinstance(data, expected)


# -- numbers ------------------------------------------------------------------------------------
# A number already in DynamoDB's form (no exponent, no superfluous zeros); 38 characters or
# fewer cannot hold more than 38 digits nor leave the supported range, so it needs no checks.
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def parse_number(text: str) -> Decimal:
    """A number value's Decimal, with DynamoDB's errors for what it cannot store."""
    if len(text) <= MAX_NUMBER_DIGITS and text != "-0" and _CANONICAL.fullmatch(text):
        return Decimal(text)
    try:
        number = _PARSE.create_decimal(text.strip()) if isinstance(text, str) else None
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite() or text.strip() != text or not text:
        raise validation("A value provided cannot be converted into a number")
    return check_number(number)


def check_number(number: Decimal) -> Decimal:
    if number.is_zero():
        return Decimal(0)
    _sign, digits, exponent = number.normalize(_PARSE).as_tuple()
    if len(digits) > MAX_NUMBER_DIGITS:
        raise validation("Attempting to store more than 38 significant digits in a Number")
    magnitude = len(digits) + int(exponent) - 1
    if magnitude > 125:
        raise validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
    if magnitude < -130:
        raise validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
    return number


def format_number(number: Decimal) -> str:
    """DynamoDB's text for a number: no exponent, no trailing zeros, no sign on zero."""
    if number.is_zero():
        return "0"
    text = format(number.normalize(_PARSE), "f")
    return text


def normalise_number(text: str) -> str:
    if len(text) <= MAX_NUMBER_DIGITS and text != "-0" and _CANONICAL.fullmatch(text):
        return text
    return format_number(parse_number(text))


def add_numbers(left: str, right: str, subtract: bool = False) -> str:
    a, b = Decimal(left), Decimal(right)
    try:
        result = CONTEXT.subtract(a, b) if subtract else CONTEXT.add(a, b)
    except decimal.Overflow:
        raise validation("Number overflow. Attempting to store a number with magnitude larger than supported range") \
            from None
    except decimal.Underflow:
        raise validation("Number underflow. Attempting to store a number with magnitude smaller than supported range") \
            from None
    exact = (a - b) if subtract else (a + b)
    if result != exact:
        raise validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
    return format_number(check_number(result))


# -- checking what comes in -----------------------------------------------------------------------
def check_value(value: Any, *, top: bool = True) -> AttributeValue:
    """A checked, normalised copy of one attribute value (numbers normalised, sets de-duplicated
    checks, empty sets refused)."""
    if not isinstance(value, dict) or not value:
        raise validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    if len(value) > 1:
        raise validation("Supplied AttributeValue has more than one datatypes set, "
                         "must contain exactly one of the supported datatypes")
    (kind, data), = value.items()
    expected = _WIRE_TYPES.get(kind)
    if expected is not None and not _wire_ok(data, expected):
        raise ServiceError("Unexpected value type in payload", code="SerializationException", status=400)
    if kind == "S":
        return value
    if kind == "N":
        return {"N": normalise_number(data)}
    if kind == "B":
        return value
    if kind == "BOOL":
        return value
    if kind == "NULL":
        if data is not True:
            raise invalid_parameter("Null attribute value types must have the value of true")
        return value
    if kind in SET_TYPES:
        if not data:
            raise invalid_parameter(f"An {_NAME_OF_SET[kind]} set  may not be empty")
        if kind == "NS":
            numbers = [parse_number(n) for n in data]
            if len(set(numbers)) != len(numbers):
                raise invalid_parameter(f"Input collection {_show_list(data)} contains duplicates.")
            return {"NS": [format_number(n) for n in numbers]}
        if len(set(data)) != len(data):
            raise invalid_parameter(f"Input collection {_show_list(data)} contains duplicates.")
        return value
    if kind == "L":
        return {"L": [check_value(element, top=False) for element in data]}
    if kind == "M":
        return {"M": {name: check_value(element, top=False) for name, element in data.items()}}
    raise validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def _show_list(data: list[Any]) -> str:
    return "[" + ", ".join(x.decode("latin-1") if isinstance(x, bytes) else str(x) for x in data) + "]"


def check_item(item: Any) -> Item:
    """A checked copy of a whole item (PutItem's ``Item``)."""
    return {name: check_value(value) for name, value in item.items()}


def check_values_map(values: dict[str, Any]) -> dict[str, AttributeValue]:
    return {name: check_value(value) for name, value in values.items()}


# -- sizes ----------------------------------------------------------------------------------------
def value_size(value: AttributeValue) -> int:
    """Bytes a value counts for in the item size (DynamoDB's rules, approximately for numbers)."""
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(element) for name, element in data.items())
    return 0


def _number_size(text: str) -> int:
    digits = len(text.lstrip("-").replace(".", "").strip("0")) or 1
    return (digits + 1) // 2 + 1


def item_size(item: Item) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def check_size(item: Item) -> int:
    size = item_size(item)
    if size > MAX_ITEM_SIZE:
        raise validation("Item size has exceeded the maximum allowed size")
    return size


# -- comparing ------------------------------------------------------------------------------------
def type_of(value: AttributeValue) -> str:
    return next(iter(value))


def scalar(value: AttributeValue) -> Any:
    """The comparable Python value of an S, N or B value (None for other types)."""
    (kind, data), = value.items()
    if kind == "N":
        return Decimal(data)
    if kind in ("S", "B"):
        return data
    return None


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    (ka, da), = a.items()
    (kb, db), = b.items()
    if ka != kb:
        return False
    if ka == "N":
        return Decimal(da) == Decimal(db)
    if ka in SET_TYPES:
        if ka == "NS":
            return {Decimal(x) for x in da} == {Decimal(x) for x in db}
        return set(da) == set(db)
    if ka == "L":
        return len(da) == len(db) and all(equal(x, y) for x, y in zip(da, db, strict=True))
    if ka == "M":
        return da.keys() == db.keys() and all(equal(da[k], db[k]) for k in da)
    return bool(da == db)


def set_members(value: AttributeValue) -> set[Any]:
    (kind, data), = value.items()
    return {Decimal(x) for x in data} if kind == "NS" else set(data)


def key_value(value: AttributeValue) -> Any:
    """The Python value a key attribute sorts and hashes by: Decimal, str or bytes (UTF-8 code
    point order equals str order; binary compares unsigned bytewise)."""
    (kind, data), = value.items()
    return Decimal(data) if kind == "N" else data


def type_name(kind: str) -> str:
    """The operand type names DynamoDB's messages use for ADD/DELETE operands."""
    return {"S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "SET", "NS": "SET", "BS": "SET", "L": "LIST",
            "M": "MAP", "BOOL": "BOOLEAN", "NULL": "NULL"}[kind]
