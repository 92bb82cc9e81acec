"""botocore as the oracle for the JSON family: json, rest-json and smithy-rpc-v2-cbor.

For every operation of every service botocore ships in one of these protocols (each protocol
of a multi-protocol service):

* input: seeded values -> botocore's serialiser -> ``HttpRequest`` -> our parser; the parsed
  dict must equal the values;
* output: seeded values -> our serialiser -> botocore's parser; equal again;
* errors: every modeled error (with its extra members) -> our error serialiser -> botocore's
  error parse and modeled-error parse: same Code, Message and members.

Every exclusion is listed in ``EXCEPTIONS`` (or is an event stream, counted separately).
Per-protocol counts are printed at the end of the module.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer

from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest
from hoarfrost.mock import to_http_request
from hoarfrost.protocols.base import get_protocol
from tests.coverage_report import report
from tests.protocols.values import ValueBuilder, comparable

PROTOCOLS = ("json", "rest-json", "smithy-rpc-v2-cbor")

# (service, operation, direction) -> why it cannot round-trip. direction: input/output/error.
EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("dataexchange", "SendApiAsset", "output"): (
        "ResponseHeaders is a header map with the empty prefix: botocore's parser puts every "
        "response header (content-type, x-amzn-requestid) into it"
    ),
}

# ServiceError's own keyword arguments; an error member spelled like one cannot be passed as a field.
_ERROR_KWARGS = {"code", "status", "sender_fault", "headers", "message", "Message"}

_COUNTS: Counter[tuple[str, str]] = Counter()


def _targets() -> list[tuple[str, str]]:
    targets = []
    for service in catalog.available_services():
        model = catalog.service_model(service)
        for protocol in model.metadata.get("protocols", [model.protocol]):
            if protocol in PROTOCOLS:
                targets.append((service, protocol))
    return targets


TARGETS = _targets()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    for protocol in PROTOCOLS:
        report(f"{protocol}: " + ", ".join(
            f"{direction} {_COUNTS[(protocol, direction)]}" for direction in ("input", "output", "error", "skipped")))


def _seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())


def _lower_header_maps(values: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """Header names are case-insensitive; ours are lower-case."""
    for name, member in shape.members.items():
        if member.serialization.get("location") == "headers" and name in values:
            values[name] = {key.lower(): value for key, value in values[name].items()}
    return values


def _model(service: str, protocol: str) -> Any:
    """The service model; a multi-protocol service shares it between its protocols (the
    protocol only changes the wire, which the serialiser and parser are chosen by)."""
    return catalog.service_model(service)


def _drop_empty_unions(value: Any, shape: Shape) -> Any:
    """ValueBuilder leaves a union empty when its one chosen member hit the depth limit; a
    union needs exactly one member set, so drop such unions (botocore rejects them on parse)."""
    type_name = shape.type_name
    if type_name == "structure" and isinstance(value, dict) and not shape.is_document_type:
        members = shape.members
        for name in list(value):
            member = members.get(name)
            if member is None:
                continue
            value[name] = _drop_empty_unions(value[name], member)
            if member.type_name == "structure" and member.is_tagged_union and value[name] == {}:
                del value[name]
    elif type_name == "list" and isinstance(value, list):
        value[:] = [_drop_empty_unions(item, shape.member) for item in value]
        if shape.member.type_name == "structure" and shape.member.is_tagged_union:
            value[:] = [item for item in value if item != {}]
    elif type_name == "map" and isinstance(value, dict):
        for key in list(value):
            value[key] = _drop_empty_unions(value[key], shape.value)
            if shape.value.type_name == "structure" and shape.value.is_tagged_union and value[key] == {}:
                del value[key]
    return value


def _http_request(service: str, protocol: str, operation: OperationModel, params: dict[str, Any]) -> HttpRequest:
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    host = f"{serialized.get('host_prefix', '')}{service}.us-east-1.amazonaws.com"
    prepare_request_dict(serialized, f"https://{host}")
    return to_http_request(create_request_object(serialized).prepare())


def _uri_params(request: HttpRequest, operation: OperationModel) -> dict[str, str] | None:
    if operation.input_shape is None or not any(
        member.serialization.get("location") == "uri" for member in operation.input_shape.members.values()
    ):
        return None
    from hoarfrost.core.routing.uri_template import split_request_uri

    template, _ = split_request_uri(operation.http["requestUri"])
    return template.match(request.path)


def _check_input(service: str, protocol: str, operation: OperationModel) -> str | None:
    shape = operation.input_shape
    values = ValueBuilder(_seed(service, operation.name, "input")).build(shape)
    request = _http_request(service, protocol, operation, values)
    parsed = get_protocol(protocol).parse_request(request, operation, _uri_params(request, operation))
    expected = _lower_header_maps(values, shape) if shape is not None else values
    if comparable(parsed) != comparable(expected):
        return f"input mismatch\n parsed:   {comparable(parsed)}\n expected: {comparable(expected)}"
    return None


def _check_output(service: str, protocol: str, operation: OperationModel) -> str | None:
    shape = operation.output_shape
    values = ValueBuilder(_seed(service, operation.name, "output")).build(shape)
    if shape is not None:
        values = _drop_empty_unions(values, shape)
        for name, member in shape.members.items():
            if member.serialization.get("location") == "statusCode":
                values[name] = 200  # any other value would read as an error or redirect
        values = _lower_header_maps(values, shape)
    response = get_protocol(protocol).serialize_response(values, operation, "req-1")
    body: Any = response.body_bytes()
    if operation.has_streaming_output:  # botocore hands its parser the raw stream for blob payloads
        body = StreamingBody(io.BytesIO(body), len(body))
    parsed = create_parser(protocol).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": body,
         "context": {"operation_name": operation.name}},
        shape,
    )
    if shape is not None and parsed.get("ResponseMetadata", {}).get("RequestId") != "req-1":
        return "output: request id not read back"
    if comparable(parsed) != comparable(values):
        return f"output mismatch\n parsed:   {comparable(parsed)}\n expected: {comparable(values)}"
    return None


def _check_error(service: str, protocol: str, error_shape: Shape) -> str | None:
    model = _model(service, protocol)
    fields = ValueBuilder(_seed(service, error_shape.name, "error")).build(error_shape)
    fields = {name: value for name, value in fields.items() if name not in _ERROR_KWARGS}
    fields = _lower_header_maps(fields, error_shape)
    for name, member in error_shape.members.items():
        if name in fields and member.serialization.get("name", "").lower() == "x-amzn-errortype":
            fields[name] = error_shape.name  # the header carries the code, whatever the member says
    error = ServiceError("it went wrong", code=error_shape.name, **fields)
    response = get_protocol(protocol).serialize_error(error, model, None, "req-2")
    response_dict = {"status_code": response.status, "headers": HeadersDict(response.headers),
                     "body": response.body_bytes()}
    parser = create_parser(protocol)
    parsed = parser.parse(response_dict, None)
    expected_code = error_shape.error_code  # the query code for query-compatible services
    got = parsed.get("Error", {})
    if got.get("Code") != expected_code or got.get("Message") != "it went wrong":
        return f"error: parsed {got}, expected Code {expected_code!r}"
    if parsed.get("ResponseMetadata", {}).get("RequestId") != "req-2":
        return "error: request id not read back"
    if response.status < 300:
        return f"error: status {response.status}"
    # The client's second pass: modeled members of the error shape.
    modeled = parser.parse(response_dict, error_shape)
    modeled.pop("message", None)
    modeled.pop("Message", None)
    if comparable(modeled) != comparable(fields):
        return f"error members mismatch\n parsed:   {comparable(modeled)}\n expected: {comparable(fields)}"
    return None


@pytest.mark.parametrize(("service", "protocol"), TARGETS, ids=[f"{s}-{p}" for s, p in TARGETS])
def test_round_trip(service: str, protocol: str) -> None:
    model = _model(service, protocol)
    failures: list[str] = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        for direction, streams, check in (
            ("input", operation.has_event_stream_input, _check_input),
            ("output", operation.has_event_stream_output, _check_output),
        ):
            if streams or (service, name, direction) in EXCEPTIONS:
                _COUNTS[(protocol, "skipped")] += 1
                continue
            try:
                problem = check(service, protocol, operation)
            except Exception as exc:  # noqa: BLE001 - report every operation, not the first
                problem = f"{direction}: {type(exc).__name__}: {exc}"
            if problem:
                failures.append(f"{name}: {problem}")
            else:
                _COUNTS[(protocol, direction)] += 1
    for error_shape in model.error_shapes:
        if (service, error_shape.name, "error") in EXCEPTIONS:
            _COUNTS[(protocol, "skipped")] += 1
            continue
        try:
            problem = _check_error(service, protocol, error_shape)
        except Exception as exc:  # noqa: BLE001
            problem = f"error: {type(exc).__name__}: {exc}"
        if problem:
            failures.append(f"{error_shape.name}: {problem}")
        else:
            _COUNTS[(protocol, "error")] += 1
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:5])
