"""One service's routing tables, precomputed from its botocore model on first use.

``ServiceRoutes`` answers, for one service: does it have this operation, which of its
protocols did the request use, and (for rest protocols) which operation do method, path,
query and headers name, with the decoded URI labels. Operations are indexed by
(method, first two literal path segments); operations sharing a path share one compiled
template and are split by their literal query key, so a request is matched against a handful
of regexes, never the whole model.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import unquote

from hoarfrost.core import catalog
from hoarfrost.core.http import HttpRequest
from hoarfrost.core.routing.uri_template import PathTemplate, leading_segments, split_request_uri

REST_PROTOCOLS = frozenset({"rest-json", "rest-xml"})
QUERY_PROTOCOLS = frozenset({"query", "ec2"})
CBOR = "smithy-rpc-v2-cbor"

# Protocols a service still accepts on the wire although its current botocore model no longer
# lists them: SQS moved to JSON in 2023 and keeps answering the query protocol older SDKs speak.
EXTRA_PROTOCOLS: dict[str, tuple[str, ...]] = {"sqs": ("query",)}


class OperationRoute:
    """One operation's rest binding: method, path template, literal query keys."""

    __slots__ = ("name", "method", "path", "query", "_required", "_query_names", "deprecated")

    def __init__(self, name: str, http: dict[str, Any], deprecated: bool) -> None:
        self.name = name
        self.method: str = http.get("method", "POST")
        self.path, self.query = split_request_uri(_original_request_uri(http))
        self.deprecated = deprecated
        self._required: tuple[tuple[str, str], ...] | None = None
        self._query_names: frozenset[str] | None = None

    def query_matches(self, params: dict[str, list[str]]) -> bool:
        for key, value in self.query:
            values = params.get(key)
            if values is None or (value is not None and value not in values):
                return False
        return True

    def required_locations(self, service: str) -> tuple[tuple[str, str], ...]:
        """Required members bound to a header or query key: (``header``|``querystring``, wire name)."""
        required = self._required
        if required is None:
            self._bindings(service)
            required = self._required
            assert required is not None
        return required

    def query_names(self, service: str) -> frozenset[str]:
        """Every query key the operation's input binds (required or not)."""
        names = self._query_names
        if names is None:
            self._bindings(service)
            names = self._query_names
            assert names is not None
        return names

    def _bindings(self, service: str) -> None:
        """Read from the raw model (no botocore Shape objects): this runs once per operation of
        every rest service a server sees, and for all of them in the generated test."""
        required: list[tuple[str, str]] = []
        query: set[str] = set()
        description = catalog.service_model(service)._service_description
        input_name = description["operations"][self.name].get("input", {}).get("shape")
        shape = description.get("shapes", {}).get(input_name, {}) if input_name else {}
        required_names = set(shape.get("required", ()))
        for member_name, member in shape.get("members", {}).items():
            location = member.get("location")
            if location not in ("header", "querystring"):
                continue
            wire = member.get("locationName", member_name)
            if location == "querystring":
                query.add(wire)
            if member_name in required_names:
                required.append((location, wire.lower() if location == "header" else wire))
        self._query_names = frozenset(query)
        self._required = tuple(required)


class ServiceRoutes:
    """Routing facts of one botocore service, built from its model once."""

    def __init__(self, name: str) -> None:
        model = catalog.service_model(name)
        metadata = model.metadata
        self.name = name
        self.model = model
        self.protocol: str = metadata["protocol"]
        protocols = tuple(metadata.get("protocols") or (self.protocol,))
        self.protocols = protocols + tuple(p for p in EXTRA_PROTOCOLS.get(name, ()) if p not in protocols)
        self.multi_protocol = len(self.protocols) > 1
        self.is_rest = self.protocol in REST_PROTOCOLS
        self.is_s3 = name == "s3"
        self.target_prefix: str | None = metadata.get("targetPrefix")
        self.api_version: str | None = metadata.get("apiVersion")
        self.operation_names = frozenset(model.operation_names)
        self._descriptions: dict[str, Any] = model._service_description.get("operations", {})
        self._ops: dict[str, OperationRoute] = {}
        self._rest_index: dict[tuple[str, str | None, str | None], list[_TemplateGroup]] | None = None
        self._lock = threading.Lock()

    # -- operations --------------------------------------------------------------------------
    def operation(self, name: str) -> OperationRoute | None:
        route = self._ops.get(name)
        if route is None:
            description = self._descriptions.get(name)
            if description is None:
                return None
            route = OperationRoute(name, description.get("http", {}), bool(description.get("deprecated")))
            self._ops[name] = route
        return route

    def unknown_operation_code(self, protocol: str) -> str:
        """The error code this service's protocol answers an unknown operation with."""
        if protocol in QUERY_PROTOCOLS:
            return "InvalidAction"
        if protocol == "rest-xml":
            return "MethodNotAllowed"
        return "UnknownOperationException"

    # -- protocol ------------------------------------------------------------------------------
    def protocol_for(self, request: HttpRequest) -> str:
        """The protocol the request came in, among those the service speaks."""
        if not self.multi_protocol:
            return self.protocol
        headers = request.headers
        protocols = self.protocols
        if CBOR in protocols and headers.get("smithy-protocol") == "rpc-v2-cbor":
            return CBOR
        content_type = headers.get("content-type", "")
        if "json" in protocols and ("x-amz-target" in headers or content_type.startswith("application/x-amz-json")):
            return "json"
        if "query" in protocols and (
            content_type.startswith("application/x-www-form-urlencoded")
            or request.body.startswith(b"Action=")
            or "Action=" in request.query
        ):
            return "query"
        return self.protocol

    # -- rest ----------------------------------------------------------------------------------
    def uri_params(self, operation: OperationRoute, request: HttpRequest, bucket: str | None) -> dict[str, str]:
        """The operation's URI labels decoded from the request path (``Bucket`` from a virtual host)."""
        path = request.path
        if bucket is not None:
            path = f"/{bucket}" if path == "/" else f"/{bucket}{path}"
        params = operation.path.match(path)
        if params is None:
            params = _lenient_labels(operation.path, path)
        return params

    def match_rest(
        self, request: HttpRequest, bucket: str | None
    ) -> tuple[tuple[int, ...], OperationRoute, dict[str, str]] | None:
        """The most specific operation whose method, path, literal query keys and required
        header/query members fit the request, with its rank (comparable across services)."""
        index = self._rest_index
        if index is None:
            index = self._build_rest_index()
        path = request.path
        if bucket is not None:
            path = f"/{bucket}" if path == "/" else f"/{bucket}{path}"
        method = request.method
        first, second = leading_segments(path)
        query = request.query_params if request.query else {}
        headers = request.headers
        best: tuple[tuple[int, ...], OperationRoute, dict[str, str]] | None = None
        for key in ((method, first, second), (method, first, None), (method, None, None)):
            for group in index.get(key, ()):
                params = group.template.match(path)
                if params is None:
                    continue
                for operation in group.candidates(query):
                    rank = self._rank(operation, group.template, query, headers)
                    if best is None or rank > best[0]:
                        best = (rank, operation, params)
        return best

    def _rank(self, operation: OperationRoute, template: PathTemplate, query: dict[str, list[str]],
              headers: dict[str, str]) -> tuple[int, ...]:
        """How well an operation whose path matched fits: all required header/query members
        present, literal query keys, required members present, literal path, specific labels,
        optional query members present, not deprecated."""
        required = operation.required_locations(self.name)
        present = sum(1 for location, name in required if (name in headers if location == "header" else name in query))
        known = operation.query_names(self.name)
        return (
            int(present == len(required)),
            len(operation.query),
            present,
            template.literal_chars,
            -int(template.greedy),
            sum(1 for key in query if key in known) if known and query else 0,
            -int(operation.deprecated),
        )

    def _build_rest_index(self) -> dict[tuple[str, str | None, str | None], list[_TemplateGroup]]:
        with self._lock:
            if self._rest_index is not None:
                return self._rest_index
            groups: dict[tuple[str, PathTemplate], _TemplateGroup] = {}
            for name in self.model.operation_names:
                operation = self.operation(name)
                assert operation is not None
                group = groups.get((operation.method, operation.path))
                if group is None:
                    group = groups[(operation.method, operation.path)] = _TemplateGroup(operation.path)
                group.add(operation)
            index: dict[tuple[str, str | None, str | None], list[_TemplateGroup]] = {}
            for (method, template), group in groups.items():
                index.setdefault((method, *template.leading), []).append(group)
            self._rest_index = index
            return index


class _TemplateGroup:
    """The operations sharing one method and path template, by their first literal query key."""

    __slots__ = ("template", "plain", "by_query_key")

    def __init__(self, template: PathTemplate) -> None:
        self.template = template
        self.plain: list[OperationRoute] = []
        self.by_query_key: dict[str, list[OperationRoute]] = {}

    def add(self, operation: OperationRoute) -> None:
        if operation.query:
            self.by_query_key.setdefault(operation.query[0][0], []).append(operation)
        else:
            self.plain.append(operation)

    def candidates(self, query: dict[str, list[str]]) -> list[OperationRoute]:
        found = list(self.plain)
        if query and self.by_query_key:
            for key in query:
                operations = self.by_query_key.get(key)
                if operations:
                    found.extend(operation for operation in operations if operation.query_matches(query))
        return found


def _original_request_uri(http: dict[str, Any]) -> str:
    """The model's ``requestUri``, undoing botocore's in-place edit: an S3 client created from
    the same loader strips ``/{Bucket}`` from the shared model and keeps it in ``authPath``."""
    uri: str = http.get("requestUri", "/")
    auth_path = http.get("authPath")
    if auth_path and auth_path.startswith("/{Bucket}") and not uri.startswith("/{Bucket}"):
        uri = "/{Bucket}" + uri if uri != "/" else "/{Bucket}"
    return uri


def _lenient_labels(template: PathTemplate, path: str) -> dict[str, str]:
    """Labels of a path that does not fully fit the template (an empty label): best effort, so a
    hinted request still reaches the parser, which reports what is missing."""
    pattern = template.regex.pattern.replace(">[^/]+)", ">[^/]*)").replace(">.+)", ">.*)")
    found = re.match(pattern, path, re.DOTALL)
    if found is None:
        return {}
    return {template.labels[i]: unquote(v) for i, v in enumerate(found.groups()) if v}
