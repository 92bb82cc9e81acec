"""Direct in-process mode: answer a botocore call from its validated parameters, without the wire.

On the wire path (``mock_aws()``'s default) botocore serialises and signs the request, hoarfrost
parses it, runs the handler, serialises the answer, and botocore parses that. In-process most of
it is wasted work: the handler takes botocore-typed parameters and answers botocore-typed output.
Direct mode (``mock_aws(direct=True)``, or ``HOARFROST_DIRECT=1``) answers at ``before-call``:

* the parameters are the ones botocore validated (captured at ``before-parameter-build``, after
  botocore's own handlers injected what they inject: idempotency tokens, S3's ``EncodingType``),
  copied and typed as hoarfrost's protocol parser would have typed them (blobs as bytes,
  timestamps at the wire's precision, header maps with lower-case keys);
* routing needs nothing (service and operation are the call's); the account comes from the
  client's credentials through ``emulator.accounts``, the region from its signing region;
* the pipeline's own ``Emulator.invoke`` runs validation, IAM enforcement, the handler, and
  ``Emulator.finish`` the notifications and after-commit work, as on the wire;
* the output is rebuilt from the output shape as botocore's parser would have built it
  (``_Normaliser``); answers whose wire form carries more than a body (members bound to
  headers or the status, payload members, streams, statuses of 300 and over, every error) are
  serialised by the protocol layer and parsed by botocore's own parser instead, so they are the
  wire's by construction (the request side is still skipped).

After the answer botocore fires ``after-call`` as usual; this module fires ``response-received``
and ``needs-retry`` itself, so retry handlers see each answer and retry it as they would have.
``tests/direct`` compares both modes field by field over a sweep of every implemented service.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore import parsers
from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.httpchecksum import handle_checksum_body
from botocore.model import OperationModel, Shape
from botocore.utils import parse_timestamp as botocore_timestamp
from dateutil.tz import tzutc

from hoarfrost.core import catalog
from hoarfrost.core.emulator import Emulator, new_request_id
from hoarfrost.core.errors import InternalFailure, ServiceError, unrecognized_key
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse
from hoarfrost.core.operations import Reply
from hoarfrost.core.routing.route import Route
from hoarfrost.protocols import wire
from hoarfrost.protocols.base import get_protocol
from hoarfrost.protocols.json import content_type as json_content_type

PARAMS_KEY = "hoarfrost.direct.params"


def _body_rewrites() -> frozenset[tuple[str, str]]:
    """(service id, operation) of the calls whose request body a built-in ``before-call`` handler
    of botocore rewrites after serialisation (EC2's and RDS's cross-region copies get a presigned
    URL): the handler would not see it in the parameters, so those calls keep the wire path."""
    from botocore import handlers

    rewriters = {handlers.inject_presigned_url_ec2, handlers.inject_presigned_url_rds}
    found = set()
    for event, handler, *_ in handlers.BUILTIN_HANDLERS:
        parts = event.split(".")
        if len(parts) == 3 and parts[0] == "before-call" and handler in rewriters:
            found.add((parts[1], parts[2]))
    return frozenset(found)


_WIRE_ONLY = _body_rewrites()


def answers(model: OperationModel) -> bool:
    """Whether direct mode answers this operation (see ``_body_rewrites`` for those it leaves)."""
    return (model.service_model.service_id.hyphenize(), model.name) not in _WIRE_ONLY

# Protocols whose success bodies the normaliser rebuilds; the others (ec2's flattened lists,
# rpc-v2-cbor) are serialised and parsed by botocore every time.
_NORMALISED = frozenset({"json", "query", "rest-json", "rest-xml"})
_XML_FAMILY = frozenset({"query", "rest-xml", "ec2"})


# -- timestamps as botocore's parser types them ----------------------------------------------
# botocore's parser reads an epoch number with ``fromtimestamp(value, tzlocal())`` and an ISO or
# RFC 822 text with dateutil, whose zone object depends on the machine's zone: ask it once.
_EPOCH_TZ = botocore_timestamp(0).tzinfo
_ISO_TZ = botocore_timestamp("2000-01-01T00:00:00.000Z").tzinfo
_UTC = dt.UTC
# Whether those zone objects always sit at UTC (a machine on UTC, as CI and containers are): then
# a UTC moment takes the zone object as is, skipping dateutil's slow ``fromutc``.
_ZONES_AT_UTC = time.timezone == 0 and (not time.daylight or time.altzone == 0)


def _output_timestamp(value: Any, fmt: str) -> dt.datetime:
    """What botocore parses from the text ``wire.format_timestamp(value, fmt)``, without the text:
    millisecond precision for iso8601 and epoch seconds, whole seconds for rfc822."""
    when = value if type(value) is dt.datetime and value.tzinfo is not None else wire.as_datetime(value)
    if fmt == "rfc822":
        when = when.replace(microsecond=0)
    elif when.microsecond % 1000:
        when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    zone = _EPOCH_TZ if fmt == "unixTimestamp" else _ISO_TZ
    if when.utcoffset():
        when = when.astimezone(_UTC)
    if _ZONES_AT_UTC or type(zone) is tzutc:
        return when.replace(tzinfo=zone)
    return when.astimezone(zone)


# -- the request --------------------------------------------------------------------------------
def _read_blob(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "read"):
        data = value.read()
        try:
            value.seek(0)  # a retry reads it again
        except (AttributeError, OSError, ValueError):
            pass
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(bytes(chunk) for chunk in value)


class _InputCopier:
    """Botocore's validated parameters -> the dict hoarfrost's protocol parser would have built
    from the wire, always a fresh copy (a handler keeps what it is given: a DynamoDB item must
    not change when the caller later mutates its own dict)."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        # A query-string form carries no entry for an empty map (nor, on EC2, for an empty list):
        # the parser never sees one.
        self.drops_empty = ("map",) if protocol == "query" else ("map", "list") if protocol == "ec2" else ()
        from botocore.serialize import SERIALIZERS

        serializer = SERIALIZERS[protocol]
        self._body_format = serializer.TIMESTAMP_FORMAT
        self._header_format = getattr(serializer, "HEADER_TIMESTAMP_FORMAT", "rfc822")
        self._serializer = serializer()

    def _timestamp(self, value: Any, fmt: str) -> dt.datetime:
        text = self._serializer._convert_timestamp_to_str(value, fmt)
        return wire.parse_timestamp(text)

    def copy(self, shape: Shape, value: Any, location: str | None = None) -> Any:
        type_name = shape.type_name
        if type_name == "structure":
            if not isinstance(value, dict):
                return value
            members = shape.members
            result = {}
            for name, item in value.items():
                member = members.get(name)
                if member is None or item is None:
                    continue
                if not item and member.type_name in self.drops_empty:
                    continue
                result[name] = self.copy(member, item, member.serialization.get("location"))
            return result
        if type_name == "list":
            member = shape.member
            return [self.copy(member, item) for item in value]
        if type_name == "map":
            value_shape = shape.value
            if location == "headers":  # HTTP header names arrive lower-cased
                return {str(key).lower(): self.copy(value_shape, item) for key, item in value.items()}
            return {key: self.copy(value_shape, item) for key, item in value.items()}
        if type_name == "blob":
            return _read_blob(value)
        if type_name in ("float", "double") and type(value) is int:
            return float(value)  # every parser reads a number of a float member as a float
        if type_name == "timestamp":
            fmt = shape.serialization.get("timestampFormat") or (
                self._header_format if location == "header" else self._body_format)
            return self._timestamp(value, fmt)
        return value


@cache
def _copier(protocol: str) -> _InputCopier:
    return _InputCopier(protocol)


# -- the answer -----------------------------------------------------------------------------
Convert = Callable[[Any], Any]

# How a structure member is copied: scalars of the common kinds inline (no call per value).
_STR, _INT, _BOOL, _FLOAT, _OTHER = range(5)


class _StructurePlan:
    """One structure shape's members, each with its kind and converter, built once."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        # member name -> (kind, converter for _OTHER, dropped when empty)
        self.entries: dict[str, tuple[int, Convert | None, bool]] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        entries = self.entries
        result: dict[str, Any] = {}
        for name, item in value.items():
            if item is None:
                continue
            entry = entries.get(name)
            if entry is None:
                continue
            kind, convert, drop_empty = entry
            if kind == _STR:
                result[name] = item if type(item) is str else str(item)
            elif kind == _INT:
                result[name] = item if type(item) is int else int(item)
            elif kind == _BOOL:
                result[name] = item if type(item) is bool else bool(item)
            elif kind == _FLOAT:
                result[name] = item if type(item) is float else float(item)
            elif drop_empty and not item:
                continue  # an empty flattened XML list or map: nothing written, nothing parsed
            else:
                result[name] = convert(item)  # type: ignore[misc]
        return result


def _as_str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _as_bytes(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _same(value: Any) -> Any:
    return value


_KINDS = {"string": _STR, "integer": _INT, "long": _INT, "boolean": _BOOL, "float": _FLOAT, "double": _FLOAT}
_SCALARS: dict[int, Convert] = {_STR: _as_str, _INT: int, _BOOL: bool, _FLOAT: float}


class _Normaliser:
    """Handler output -> the dict botocore's parser builds from the serialised body: members not
    in the shape and None dropped, scalars coerced to the types the parser answers, timestamps at
    the wire's precision and botocore's zone objects, empty flattened XML lists absent. A
    converter is compiled once per shape (recursive shapes such as DynamoDB's AttributeValue
    included), so a 1,000-item answer costs look-ups and inline type checks."""

    def __init__(self, protocol: str) -> None:
        self.xml = protocol in _XML_FAMILY
        self.timestamp_format = "iso8601" if self.xml else "unixTimestamp"
        self._compiled: dict[tuple[str, int, Any], Convert] = {}
        # Converters being built (a recursive shape finds its own unfinished one here); they are
        # published to ``_compiled`` together once complete, so another thread never calls one
        # half built.
        self._building: dict[tuple[str, int, Any], Convert] = {}
        self._lock = threading.RLock()

    def structure(self, shape: Shape, value: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.converter(shape)(value)
        return result

    @staticmethod
    def _key(shape: Shape) -> tuple[str, int, Any]:
        """Botocore makes a new Shape per reference (a recursive shape never ends): key by name
        and model, and by the one member-level trait a converter reads."""
        return shape.name, id(getattr(shape, "_shape_resolver", None)), shape.serialization.get("timestampFormat")

    def converter(self, shape: Shape) -> Convert:
        key = self._key(shape)
        convert = self._compiled.get(key)
        if convert is not None:
            return convert
        with self._lock:
            convert = self._compiled.get(key) or self._building.get(key)
            if convert is not None:
                return convert
            outermost = not self._building
            convert = self._compile(shape)
            if outermost:
                self._compiled.update(self._building)
                self._building.clear()
            return convert

    def _compile(self, shape: Shape) -> Convert:
        type_name = shape.type_name
        key = self._key(shape)
        convert: Convert
        if type_name == "structure":
            plan = _StructurePlan()
            self._building[key] = plan  # registered first: a recursive member finds it
            for name, member in shape.members.items():
                kind = _KINDS.get(member.type_name, _OTHER)
                member_convert = self.converter(member) if kind == _OTHER else None
                drop_empty = self.xml and member.type_name in ("list", "map") and bool(
                    member.serialization.get("flattened"))
                plan.entries[name] = (kind, member_convert, drop_empty)
            return plan
        if type_name == "list":
            member_shape = shape.member
            kind = _KINDS.get(member_shape.type_name, _OTHER)
            if kind == _STR:
                def string_list(value: Any) -> Any:
                    return [item if type(item) is str else str(item) for item in value]

                convert = string_list
            else:
                self._building[key] = lambda value: list_of(value)
                item_convert = self.converter(member_shape) if kind == _OTHER else _SCALARS[kind]

                def list_of(value: Any) -> Any:
                    return [item_convert(item) for item in value]

                convert = list_of
        elif type_name == "map":
            self._building[key] = lambda value: map_of(value)
            value_shape = shape.value
            kind = _KINDS.get(value_shape.type_name, _OTHER)
            value_convert = self.converter(value_shape) if kind == _OTHER else _SCALARS[kind]

            def map_of(value: Any) -> Any:
                return {name: value_convert(item) for name, item in value.items()}

            convert = map_of
        elif type_name == "timestamp":
            fmt = shape.serialization.get("timestampFormat") or self.timestamp_format

            def timestamp(value: Any) -> Any:
                return _output_timestamp(value, fmt)

            convert = timestamp
        elif type_name == "blob":
            convert = _as_bytes
        elif type_name in _KINDS:
            convert = _SCALARS[_KINDS[type_name]]
        else:
            convert = _same
        self._building[key] = convert
        return convert


@cache
def _normaliser(protocol: str) -> _Normaliser:
    return _Normaliser(protocol)


# Operations a built-in ``after-call`` handler of botocore reads the raw body of (S3's bucket
# location is not modelled: botocore parses the XML itself).
_RAW_BODY_READ = frozenset({("s3", "GetBucketLocation")})


@cache
def _bound_members(operation: OperationModel) -> tuple[str, ...] | None:
    """The output members bound to headers, which an answer must not carry for the normaliser
    to stand in for serialise-and-parse; None when no answer of the operation travels in the
    body alone (a payload member, a stream, a member the status fills) or botocore reads the
    raw body itself."""
    if operation.has_streaming_output or operation.has_event_stream_output:
        return None
    if (operation.service_model.service_name, operation.name) in _RAW_BODY_READ:
        return None
    shape = operation.output_shape
    if shape is None:
        return ()
    if shape.serialization.get("payload"):
        return None
    locations = {name: member.serialization.get("location") for name, member in shape.members.items()}
    if "statusCode" in locations.values():
        return None  # botocore's parser fills it from the status whatever the handler answered
    return tuple(name for name, location in locations.items() if location)


def _body_only(operation: OperationModel, output: Any) -> bool:
    """Whether this answer travels in the body alone (see ``_bound_members``)."""
    bound = _bound_members(operation)
    if bound is None:
        return False
    return not bound or not isinstance(output, dict) or all(output.get(name) is None for name in bound)


def _success_headers(protocol: str, service_model: Any, request_id: str, has_body: bool) -> dict[str, str]:
    """The headers the protocol layer sends with a body-only success (see each protocol's
    ``serialize_response``)."""
    if protocol == "json":
        return {"content-type": json_content_type(service_model), "x-amzn-requestid": request_id}
    if protocol == "query":
        return {"content-type": "text/xml", "x-amzn-requestid": request_id}
    if protocol == "rest-json":
        return {"x-amzn-requestid": request_id, "content-type": "application/json"}
    headers: dict[str, str] = get_protocol("rest-xml")._id_headers(service_model, request_id)  # type: ignore[attr-defined]
    if has_body:
        headers["content-type"] = "application/xml"
    return headers


def _metadata(protocol: str, request_id: str, status: int, headers: dict[str, str]) -> dict[str, Any]:
    """``ResponseMetadata`` as botocore's parser builds it from those headers."""
    metadata: dict[str, Any] = {"RequestId": request_id}
    if protocol == "rest-xml" and "x-amz-id-2" in headers:
        metadata["HostId"] = headers["x-amz-id-2"]
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = dict(headers)
    return metadata


class _EmptyRaw:
    """The raw body of a direct answer's ``AWSResponse`` (a hook reading it finds nothing)."""

    def stream(self, **_: Any) -> Any:
        return iter(())

    def read(self, amt: int | None = None) -> bytes:
        return b""


def _parse_wire(response: HttpResponse, url: str, model: OperationModel, context: dict[str, Any],
                raw_body: Callable[[bytes | BodyStream], Any], emitter: Any) -> tuple[AWSResponse, dict[str, Any]]:
    """What botocore's endpoint makes of ``response`` (``Endpoint._do_get_response``): the
    response dict, checksum validation of a streamed body, ``before-parse`` (S3's errors in a
    200, its Expires header), the parse, modeled error members."""
    http = AWSResponse(url, response.status, response.headers, raw_body(response.body))
    response_dict = convert_to_response_dict(http, model)
    handle_checksum_body(http, response_dict, context, model)
    customized: dict[str, Any] = {}
    if emitter is not None:
        emitter.emit(f"before-parse.{model.service_model.service_id.hyphenize()}.{model.name}",
                     operation_model=model, response_dict=response_dict, customized_response_dict=customized)
    parser = parsers.create_parser(model.service_model.resolved_protocol)
    parsed: dict[str, Any] = parser.parse(response_dict, model.output_shape)
    parsed.update(customized)
    if http.status_code >= 300:
        code = parsed.get("Error", {}).get("Code")
        error_shape = model.service_model.shape_for_error_code(code) if code is not None else None
        if error_shape is not None:
            parsed.update(parser.parse(response_dict, error_shape))
    return http, parsed


def _signing_region(context: dict[str, Any], request_signer: Any) -> str | None:
    """The region the request would be signed for (the router reads it from the signature)."""
    properties = context.get("endpoint_properties") or {}
    for scheme in properties.get("authSchemes") or ():
        region = scheme.get("signingRegion")
        if region:
            return str(region)
        regions = scheme.get("signingRegionSet")
        if regions and regions[0] != "*":
            return str(regions[0])
    region = getattr(request_signer, "_region_name", None) or context.get("client_region")
    return str(region) if region else None


def _credentials(request_signer: Any) -> tuple[str | None, str | None]:
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is None:
        return None, None
    frozen = credentials.get_frozen_credentials()
    return frozen.access_key, frozen.token


def _http_request(model: OperationModel, request_dict: dict[str, Any], token: str | None) -> HttpRequest:
    """The request a handler may look at (``ctx.request``): the host, path and query botocore
    would have sent to, its serialised headers, no body (the handler has the parameters)."""
    url = urlsplit(request_dict.get("url") or "")
    headers = {str(name).lower(): value.decode("latin-1") if isinstance(value, bytes) else str(value)
               for name, value in (request_dict.get("headers") or {}).items()}
    headers["host"] = url.netloc
    if token:
        headers["x-amz-security-token"] = token
    return HttpRequest(request_dict.get("method") or model.http.get("method", "POST"), url.path or "/", url.query,
                       headers, b"", scheme=url.scheme or "https")


class DirectCall:
    """One botocore call answered by ``emulator``: ``answer()`` is what ``before-call`` returns."""

    def __init__(self, emulator: Emulator, model: OperationModel, params: dict[str, Any],
                 request_dict: dict[str, Any], request_signer: Any, context: dict[str, Any],
                 raw_body: Callable[[bytes | BodyStream], Any]) -> None:
        self.emulator = emulator
        self.model = model
        self.params = params
        self.request_dict = request_dict
        self.request_signer = request_signer
        self.context = context
        self.raw_body = raw_body

    @property
    def emitter(self) -> Any:
        """The client's event emitter (the request signer holds it)."""
        return getattr(self.request_signer, "_event_emitter", None)

    def answer(self) -> tuple[AWSResponse, dict[str, Any]]:
        emitter = self.emitter
        attempts = 1
        while True:
            http, parsed = self._once()
            if emitter is None or not self._retry(emitter, attempts, http, parsed):
                break
            attempts += 1
        if "ResponseMetadata" in parsed:
            parsed["ResponseMetadata"]["RetryAttempts"] = attempts - 1
        return http, parsed

    def _retry(self, emitter: Any, attempts: int, http: AWSResponse, parsed: dict[str, Any]) -> bool:
        """Fire ``response-received`` and ``needs-retry`` as botocore's endpoint does after each
        attempt; sleep and answer True when a retry handler asks for another attempt."""
        model = self.model
        service_id = model.service_model.service_id.hyphenize()
        retries = self.context.setdefault("retries", {})
        retries["attempt"] = attempts
        emitter.emit(f"response-received.{service_id}.{model.name}",
                     response_dict={"headers": http.headers, "status_code": http.status_code, "body": b"",
                                    "context": {"operation_name": model.name}},
                     parsed_response=parsed, context=self.context, exception=None)
        from botocore.hooks import first_non_none_response

        responses = emitter.emit(f"needs-retry.{service_id}.{model.name}", response=(http, parsed), endpoint=None,
                                 operation=model, attempts=attempts, caught_exception=None,
                                 request_dict=self.request_dict)
        delay = first_non_none_response(responses)
        if delay is None or delay is False:
            return False
        time.sleep(delay)
        return True

    def _once(self) -> tuple[AWSResponse, dict[str, Any]]:
        emulator = self.emulator
        model = self.model
        service_name = model.service_model.service_name
        service_model = catalog.service_model(service_name)
        operation = service_model.operation_model(model.name)
        protocol_name = model.service_model.resolved_protocol
        protocol = get_protocol(protocol_name)
        request_id = new_request_id()
        access_key, token = _credentials(self.request_signer)
        region = _signing_region(self.context, self.request_signer) or emulator.settings.default_region
        request = _http_request(model, self.request_dict, token)
        route = Route(service_name, model.name, protocol_name, region, access_key)
        url = self.request_dict.get("url") or ""
        try:
            service, handler = emulator.resolve_handler(service_name, model.name)
            account = emulator.accounts.authenticate(access_key, service_model.signing_name, region)
            if account is None:
                raise unrecognized_key(protocol_name, service_name)
            params = self._handler_params(operation, protocol_name)
            output, ctx = emulator.invoke(service, handler, route, params, account, request, request_id)
            # A Reply that only sets a success status (Lambda's 201s and 204s) is still a body.
            status = output.status if isinstance(output, Reply) else None
            body = output.output if isinstance(output, Reply) else output
            if (isinstance(output, Reply) and (output.headers or (status or 200) >= 300)) or not (
                    protocol_name in _NORMALISED and _body_only(model, body)):
                response = self._serialise(protocol, output, operation, request_id)
                emulator.finish(ctx, handler, route)
                return _parse_wire(response, url, model, self.context, self.raw_body, self.emitter)
            result = _normaliser(protocol_name).structure(model.output_shape, body) if (
                body and model.output_shape is not None) else {}
            emulator.finish(ctx, handler, route)
        except ServiceError as error:
            response = self._bodiless(emulator._error(protocol, error, service_model, operation, request_id))
            return _parse_wire(response, url, model, self.context, self.raw_body, self.emitter)
        except Exception as exc:
            import logging

            logging.getLogger("hoarfrost").exception("internal error in %s.%s", service_name, model.name)
            failure = InternalFailure(f"internal error: {type(exc).__name__}: {exc}")
            response = self._bodiless(emulator._error(protocol, failure, service_model, operation, request_id))
            return _parse_wire(response, url, model, self.context, self.raw_body, self.emitter)
        headers = _success_headers(protocol_name, service_model, request_id, bool(result))
        # The handler's status, else the operation's own (S3's DeleteObject answers 204), as the
        # bindings say.
        status = status or int(operation.http.get("responseCode", 200))
        result["ResponseMetadata"] = _metadata(protocol_name, request_id, status, headers)
        return AWSResponse(url, status, headers, _EmptyRaw()), result

    def _handler_params(self, operation: OperationModel, protocol_name: str) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        params = _copier(protocol_name).copy(shape, self.params)
        self._add_checksum_algorithm(operation, params)
        return params  # type: ignore[no-any-return]

    def _add_checksum_algorithm(self, operation: OperationModel, params: dict[str, Any]) -> None:
        """botocore adds a request checksum after ``before-call`` (a CRC32 trailer on S3 uploads
        by default); the wire's handler sees the algorithm's header and stores the checksum, so
        the direct one is told the algorithm and computes it."""
        algorithm = (self.context.get("checksum") or {}).get("request_algorithm")
        if not isinstance(algorithm, dict):
            return
        member = operation.http_checksum.get("requestAlgorithmMember")
        if member and params.get(member) is None and algorithm.get("algorithm") not in (None, "conditional-md5"):
            params[member] = str(algorithm["algorithm"]).upper()

    @staticmethod
    def _serialise(protocol: Any, output: Any, operation: OperationModel, request_id: str) -> HttpResponse:
        if isinstance(output, Reply):
            response: HttpResponse = protocol.serialize_response(output.output, operation, request_id)
            if output.status is not None:
                response.status = output.status
            if output.headers:
                response.headers.update(output.headers)
        else:
            response = protocol.serialize_response(output or {}, operation, request_id)
        if operation.http.get("method") == "HEAD" or response.status == 304:
            response.body = b""
        return response

    def _bodiless(self, response: HttpResponse) -> HttpResponse:
        """No body on an error answering HEAD (as ``Emulator.dispatch`` does)."""
        if self.model.http.get("method") == "HEAD":
            response.body = b""
        return response
