"""The router against botocore itself: every operation of every service botocore ships.

Each request is built exactly as botocore builds it (a real client per service, dummy
credentials, region us-east-1, seeded input values) and captured in ``before-send``; the
router must name the same service and operation, without the hint (the HTTP server's path)
and with it (the in-process hook's path). Where botocore refuses the seeded values, they are
fixed for its reason and the call retried (``_Fixer``): endpoint-bound members get the ARN or
host label the endpoint rules parse, the request checksum algorithm becomes CRC32 (the others
need the CRT), a URL member gets a URL. Bidirectional event streams, whose client methods
botocore removes, are built through the call behind them; SigV4a (CRT-only) is stood in for by
a signer that writes its headers. What still cannot be built is listed in ``UNBUILDABLE``.
Focused tests follow for the cases that matter to the services hoarfrost implements.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import botocore.auth
import botocore.session
import pytest
from botocore.auth import BaseSigner
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.tokens import FrozenAuthToken

from hoarfrost.core import catalog
from hoarfrost.core.routing.hosts import HostInfo, host_info
from hoarfrost.core.http import HttpRequest
from hoarfrost.core.routing.route import RoutingError
from hoarfrost.core.routing import route_index
from hoarfrost.core.routing.route_index import ServiceIndex, shared_index
from hoarfrost.core.routing.router import Router
from hoarfrost.core.routing.service_routes import OperationRoute
from hoarfrost.mock import to_http_request
from tests.coverage_report import report
from tests.protocols.values import ValueBuilder

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"

# Requests that carry nothing telling them apart from another service's or operation's.
# (service, operation or None for every operation the other service also has) ->
# ((service, operation or None for the same name) the router answers, why).
AMBIGUOUS: dict[tuple[str, str | None], tuple[tuple[str, str | None], str]] = {
    ("docdb", None): (("rds", None), "DocumentDB's API is RDS's: signing name rds, host rds.<region>, "
                                      "Version 2014-10-31 and the same Action names"),
    ("neptune", None): (("rds", None), "Neptune's API is RDS's: signing name rds, host rds.<region>, "
                                        "Version 2014-10-31 and the same Action names"),
    ("qconnect", None): (("wisdom", None), "Amazon Q in Connect is served by Wisdom: signing name wisdom, host "
                                            "wisdom.<region>, identical request URIs"),
    ("pinpoint-sms-voice", None): (("sms-voice", None), "two models of one API: same service id, signing "
                                                        "name, host and URIs"),
    ("sms-voice", None): (("pinpoint-sms-voice", None), "the hint: both models share the service id "
                                                        "'pinpoint-sms-voice', the event name cannot tell them apart"),
    ("greengrassv2", None): (("greengrass", None), "V1 and V2 share signing name, host and the "
                                                    "/greengrass/servicerole, /tags URIs"),
    ("lambda-microvms", None): (("lambda", None), "tag operations share signing name lambda, host lambda.<region> "
                                                  "and the /2017-03-31/tags/{ARN} URIs"),
    ("signer", "GetRevocationStatus"): (("signer-data", None), "signer's operation is sent to data-signer.<region> "
                                                               "(hostPrefix data-), signer-data's host, same URI"),
    ("timestream-write", None): (("timestream-query", None), "both sign as timestream with target prefix "
                                                             "Timestream_20181101; the discovered cell host "
                                                             "names neither"),
    ("s3", "GetBucketLifecycle"): (("s3", "GetBucketLifecycleConfiguration"), "deprecated twin, same wire request"),
    ("s3", "PutBucketLifecycle"): (("s3", "PutBucketLifecycleConfiguration"), "deprecated twin, same wire request"),
    ("s3", "GetBucketNotification"): (("s3", "GetBucketNotificationConfiguration"),
                                      "deprecated twin, same wire request"),
    ("s3", "PutBucketNotification"): (("s3", "PutBucketNotificationConfiguration"),
                                      "deprecated twin, same wire request"),
    ("cloudsearchdomain", "Search"): (("", None), "botocore rewrites this GET into a form-encoded POST "
                                                  "(handlers.change_get_to_post); only the hint routes it"),
}


class _Captured(Exception):
    def __init__(self, request: Any, event_name: str) -> None:
        super().__init__(event_name)
        self.request = request
        self.event_name = event_name


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        yield self.getvalue()


class _TokenSession(botocore.session.Session):
    """Bearer-token services (CodeCatalyst, SSO portal) need a token before they send."""

    def get_auth_token(self, **_: Any) -> FrozenAuthToken:
        return FrozenAuthToken("test-token")


@dataclass
class Captured:
    service: str
    operation: str
    request: HttpRequest
    hint: tuple[str, str]
    protocols: tuple[str, ...]


@dataclass
class Capture:
    requests: list[Captured]
    not_built: dict[str, str]  # "service.Operation" -> why botocore would not build it
    total: int


# Operations botocore cannot build here even with values fixed for its reason ("service.Operation"
# -> why). The sweep fails when one is missing from this list and when one listed here builds.
UNBUILDABLE: dict[str, str] = {}

ACCOUNT = "123456789012"


def _walk_rules(rules: list[Any], env: dict[str, str], facts: dict[str, dict[str, Any]]) -> None:
    """What an endpoint rule set asks of its parameters: which it parses as an ARN (and the
    service, region and resource types it then requires), which must be host labels."""
    for rule in rules:
        scope = dict(env)  # variable -> "arn:<parameter>" (parsed ARN) | "type:<parameter>" (its type)
        for condition in rule.get("conditions", ()):
            fn, argv = condition.get("fn"), condition.get("argv", [])
            first = argv[0] if argv else None
            ref = first.get("ref") if isinstance(first, dict) else None
            if fn == "aws.parseArn" and ref and "assign" in condition:
                facts.setdefault(ref, {"kind": "arn", "types": []})["kind"] = "arn"
                scope[condition["assign"]] = f"arn:{ref}"
            elif fn == "isValidHostLabel" and ref and ref not in facts:
                facts[ref] = {"kind": "host", "types": []}
            elif fn == "getAttr" and ref and scope.get(ref, "").startswith("arn:") and "assign" in condition \
                    and argv[1] == "resourceId[0]":
                scope[condition["assign"]] = "type:" + scope[ref][4:]
            elif fn == "stringEquals" and len(argv) == 2:
                for side, literal in ((argv[0], argv[1]), (argv[1], argv[0])):
                    if not isinstance(side, dict) or not isinstance(literal, str):
                        continue
                    bound = scope.get(side.get("ref", ""), "")
                    if bound.startswith("type:") and literal:
                        facts[bound[5:]]["types"].append(literal)
                    inner = side.get("argv", [])
                    if side.get("fn") == "getAttr" and inner and isinstance(inner[0], dict) \
                            and scope.get(inner[0].get("ref", ""), "").startswith("arn:") \
                            and inner[1] in ("service", "region"):
                        facts[scope[inner[0]["ref"]][4:]].setdefault(inner[1], literal)
        _walk_rules(rule.get("rules", ()), scope, facts)


class _Fixer:
    """Values fixed for the reason botocore refused to build a request, one fix per reason."""

    def __init__(self, session: Any, name: str, model: Any, operation: Any) -> None:
        self.session, self.name, self.model, self.operation = session, name, model, operation
        self.applied: set[str] = set()

    def fix(self, params: dict[str, Any], error: Exception) -> dict[str, Any] | None:
        kind, text = type(error).__name__, str(error)
        if kind in ("EndpointResolutionError", "InvalidEndpointConfigurationError"):
            return self._once("endpoint", params, self._endpoint_values)
        if "checksum" in text.lower() or "Checksum" in kind or (kind == "MissingDependencyException"
                                                                and "Using " in text):
            return self._once("checksum", params, self._checksum_algorithm)
        if kind == "AttributeError":  # a member botocore uses as the request URL
            return self._once("url", params, self._endpoint_urls)
        return None

    def _once(self, reason: str, params: dict[str, Any], fixer: Any) -> dict[str, Any] | None:
        if reason in self.applied:
            return None
        self.applied.add(reason)
        fixed = fixer(dict(params))
        return fixed if fixed != params else None

    def _context_members(self) -> dict[str, str]:
        shape = self.operation.input_shape
        if shape is None:
            return {}
        return {member: spec.metadata["contextParam"]["name"] for member, spec in shape.members.items()
                if "contextParam" in spec.metadata}

    def _endpoint_values(self, params: dict[str, Any]) -> dict[str, Any]:
        """Endpoint-bound members: a well-formed ARN where the rules parse one, a host label
        where they want one."""
        rules = self.session.get_component("data_loader").load_service_model(self.name, "endpoint-rule-set-1")
        facts: dict[str, dict[str, Any]] = {}
        _walk_rules(rules.get("rules", []), {}, facts)
        for member, parameter in self._context_members().items():
            found = facts.get(parameter)
            if found is None:
                continue
            if found["kind"] == "host":
                params[member] = "label1"
                continue
            service = found.get("service") or self.model.metadata.get("signingName") or \
                self.model.endpoint_prefix
            region = found.get("region", "us-east-1")
            types = found["types"] or ["resource"]  # the one named like the member: StreamARN -> stream
            resource_type = next((t for t in types if t.replace("-", "") in member.lower()), types[0])
            params[member] = f"arn:aws:{service}:{region}:{ACCOUNT}:{resource_type}/name1"
        return params

    def _checksum_algorithm(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request checksum botocore computes without the CRT: CRC32."""
        member = (self.operation.http_checksum or {}).get("requestAlgorithmMember")
        if member:
            params[member] = "CRC32"
            return params
        return {key: value for key, value in params.items() if "Checksum" not in key}

    def _endpoint_urls(self, params: dict[str, Any]) -> dict[str, Any]:
        """Members botocore sends the request to (machinelearning's PredictEndpoint): a URL
        shaped like the one the service hands out."""
        shape = self.operation.input_shape
        for member, spec in (shape.members.items() if shape else ()):
            if member.endswith("Endpoint") and spec.type_name == "string":
                params[member] = f"https://realtime.{self.model.endpoint_prefix}.us-east-1.amazonaws.com"
        return params


class _SigV4aStandIn(BaseSigner):
    """SigV4a as far as routing reads it, for botocore without the CRT (whose ECDSA signer it
    is): the credential scope without a region, ``X-Amz-Region-Set``; the signature is filler."""

    REQUIRES_REGION = True

    def __init__(self, credentials: Any, service_name: str, region_name: str) -> None:
        self.credentials, self.service_name, self.region_name = credentials, service_name, region_name

    def add_auth(self, request: Any) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        for header in ("Authorization", "X-Amz-Date", "X-Amz-Region-Set"):
            del request.headers[header]
        request.headers["X-Amz-Date"] = stamp
        request.headers["X-Amz-Region-Set"] = self.region_name
        request.headers["Authorization"] = (
            f"AWS4-ECDSA-P256-SHA256 Credential={self.credentials.access_key}/{stamp[:8]}/{self.service_name}"
            f"/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100"
        )


def _capture_all() -> Capture:
    if "v4a" not in botocore.auth.AUTH_TYPE_MAPS:
        with mock.patch.dict(botocore.auth.AUTH_TYPE_MAPS, {"v4a": _SigV4aStandIn}):
            return _capture_with_signers()
    return _capture_with_signers()


def _capture_with_signers() -> Capture:
    # A session of its own: botocore's S3 client edits its (loader-cached) model in place.
    session = _TokenSession()
    config = Config(parameter_validation=False, retries={"max_attempts": 0, "mode": "standard"})
    current = [""]

    def before_send(request: Any, event_name: str, **_: Any) -> Any:
        if event_name.endswith(".DescribeEndpoints") and current[0] != "DescribeEndpoints":
            # Endpoint discovery (Timestream) asks first; answer so the real operation follows.
            body = b'{"Endpoints":[{"Address":"ingest-cell1.timestream.us-east-1.amazonaws.com",' \
                   b'"CachePeriodInMinutes":1440}]}'
            return AWSResponse(request.url, 200, {}, _Body(body))
        raise _Captured(request, event_name)

    requests: list[Captured] = []
    not_built: dict[str, str] = {}
    total = 0
    for name in catalog.available_services():
        try:
            client = session.create_client(
                name, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key="secret", config=config,
            )
        except Exception as error:  # noqa: BLE001 - recorded and reported
            not_built[name] = f"client: {type(error).__name__}: {error}"
            continue
        client.meta.events.register_first("before-send", before_send)
        methods = {api: method for method, api in client.meta.method_to_api_mapping.items()}
        model = client.meta.service_model
        for operation in model.operation_names:
            total += 1
            method = getattr(client, methods.get(operation, ""), None)
            if method is None:
                # botocore removes the methods of bidirectional event streams; the call behind
                # them still builds the initial HTTP request (the events follow on its body).
                method = functools.partial(_api_call, client, operation)
            current[0] = operation
            operation_model = model.operation_model(operation)
            params = ValueBuilder(f"{name}.{operation}").build(operation_model.input_shape)
            fixer = _Fixer(session, name, model, operation_model)
            while True:
                try:
                    method(**params)
                except _Captured as captured:
                    parts = captured.event_name.split(".")
                    requests.append(Captured(name, operation, to_http_request(captured.request),
                                             (parts[1], parts[2]),
                                             tuple(model.metadata.get("protocols") or (model.protocol,))))
                    break
                except Exception as error:  # noqa: BLE001 - botocore refused our generated values
                    fixed = fixer.fix(params, error)
                    if fixed is None:
                        not_built[f"{name}.{operation}"] = f"{type(error).__name__}: {error}"
                        break
                    params = fixed
    return Capture(requests, not_built, total)


def _api_call(client: Any, operation: str, **params: Any) -> Any:
    return client._make_api_call(operation, params)


@pytest.fixture(scope="module")
def captured() -> Capture:
    return _capture_all()


def _check(captured: Capture, use_hint: bool) -> None:
    router = Router("us-east-1")
    per_protocol: collections.Counter[str] = collections.Counter()
    excused: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    for item in captured.requests:
        try:
            route = router.route(item.request, item.hint if use_hint else None)
            got: tuple[str, str] = (route.service, route.operation)
        except RoutingError as error:
            got = ("", f"{error.code}: {error.message}")
        if got == (item.service, item.operation):
            per_protocol[route.protocol] += 1
            assert route.protocol in item.protocols, (item.service, item.operation, route.protocol)
            assert route.access_key == ACCESS_KEY or item.request.headers.get("authorization") is None \
                or "Bearer" in item.request.headers.get("authorization", ""), (item.service, item.operation)
            continue
        exception = AMBIGUOUS.get((item.service, item.operation)) or AMBIGUOUS.get((item.service, None))
        if exception is not None:
            (other_service, other_operation), _reason = exception
            if got[0] == other_service and (got[1] == (other_operation or item.operation) or not other_service):
                excused[f"{item.service} -> {other_service or 'hint only'}"] += 1
                continue
        wrong.append(f"{item.service}.{item.operation} -> {got[0]}.{got[1]} "
                     f"({item.request.method} {item.request.headers.get('host')}{item.request.path}"
                     f"?{item.request.query[:60]})")
    report(f"routed {'with' if use_hint else 'without'} hint: {sum(per_protocol.values())} of "
          f"{len(captured.requests)} captured ({captured.total} operations in botocore)")
    report(f"  per protocol: {dict(sorted(per_protocol.items()))}")
    report(f"  ambiguous, excused: {dict(sorted(excused.items()))}")
    reasons = collections.Counter(reason for reason in captured.not_built.values())
    report(f"  botocore would not build: {len(captured.not_built)} {dict(reasons)}")
    assert not wrong, "\n".join(wrong[:50])
    # Every operation botocore ships is captured, or listed with the reason it cannot be built.
    unlisted = {op: reason for op, reason in captured.not_built.items() if op not in UNBUILDABLE}
    assert not unlisted, f"botocore would not build these (fix the values, or list them in UNBUILDABLE): {unlisted}"
    stale = sorted(set(UNBUILDABLE) - set(captured.not_built))
    assert not stale, f"listed in UNBUILDABLE but built now: {stale}"
    assert len(captured.requests) + len(captured.not_built) == captured.total


def test_every_botocore_operation_routes_without_hint(captured: Capture) -> None:
    _check(captured, use_hint=False)


def test_every_botocore_operation_routes_with_hint(captured: Capture) -> None:
    _check(captured, use_hint=True)


# -- focused -------------------------------------------------------------------------------------

def _request(client: Any, operation: str, **params: Any) -> tuple[HttpRequest, tuple[str, str]]:
    """The request a boto3 client sends for one call, and the hint its event name carries."""
    seen: dict[str, Any] = {}

    def grab(request: Any, event_name: str, **_: Any) -> Any:
        seen["request"], seen["event"] = request, event_name
        raise _Captured(request, event_name)

    client.meta.events.register_first("before-send", grab)
    with pytest.raises(_Captured):
        getattr(client, operation)(**params)
    parts = seen["event"].split(".")
    return to_http_request(seen["request"]), (parts[1], parts[2])


def _client(service: str, region: str = "us-east-1", key: str = ACCESS_KEY, **kwargs: Any) -> Any:
    return boto3.session.Session().client(
        service, region_name=region, aws_access_key_id=key, aws_secret_access_key="secret", **kwargs
    )


@pytest.fixture(scope="module")
def router() -> Router:
    return Router("eu-central-1")


def test_s3_virtual_hosted_and_path_style_give_the_same_labels(router: Router) -> None:
    virtual, hint = _request(_client("s3", "us-west-2"), "get_object", Bucket="my-bucket", Key="dir/a b+c%.txt")
    assert virtual.headers["host"] == "my-bucket.s3.us-west-2.amazonaws.com"
    path_client = _client("s3", "us-west-2", config=Config(s3={"addressing_style": "path"}))
    path_style, _ = _request(path_client, "get_object", Bucket="my-bucket", Key="dir/a b+c%.txt")
    assert path_style.path.startswith("/my-bucket/")
    for request in (virtual, path_style):
        for route in (router.route(request), router.route(request, hint)):
            assert (route.service, route.operation, route.protocol) == ("s3", "GetObject", "rest-xml")
            assert route.uri_params == {"Bucket": "my-bucket", "Key": "dir/a b+c%.txt"}
            assert route.region == "us-west-2"


@pytest.mark.parametrize("host", ["my-bucket.localhost:4566", "my-bucket.s3.localhost.localstack.cloud:4566",
                                  "my-bucket.localhost.localstack.cloud:4566"])
def test_s3_virtual_host_on_a_local_endpoint(router: Router, host: str) -> None:
    request = HttpRequest("PUT", "/k%2Fey", "tagging", {"host": host}, b"<Tagging/>")
    route = router.route(request)
    assert (route.service, route.operation) == ("s3", "PutObjectTagging")
    assert route.uri_params == {"Bucket": "my-bucket", "Key": "k/ey"}
    assert route.region == "eu-central-1" and route.access_key is None


def test_s3_operations_sharing_a_uri_are_told_apart_by_query_and_headers(router: Router) -> None:
    host = {"host": "localhost:4566"}
    cases = {
        ("PUT", "/b/k", ""): "PutObject",
        ("PUT", "/b/k", "partNumber=1&uploadId=u"): "UploadPart",
        ("GET", "/b/k", "uploadId=u"): "ListParts",
        ("GET", "/b/k", ""): "GetObject",
        ("GET", "/b", "list-type=2"): "ListObjectsV2",
        ("GET", "/b", ""): "ListObjects",
        ("GET", "/b/", ""): "ListObjects",
        ("GET", "/", ""): "ListBuckets",
        ("POST", "/b/k", "uploads"): "CreateMultipartUpload",
        ("DELETE", "/b", "tagging"): "DeleteBucketTagging",
    }
    for (method, path, query), operation in cases.items():
        route = router.route(HttpRequest(method, path, query, dict(host)))
        assert (route.service, route.operation) == ("s3", operation), (method, path, query)
    copy = router.route(HttpRequest("PUT", "/b/k", "", {**host, "x-amz-copy-source": "/a/b"}))
    assert copy.operation == "CopyObject"
    copy_part = router.route(HttpRequest("PUT", "/b/k", "partNumber=1&uploadId=u",
                                         {**host, "x-amz-copy-source": "/a/b"}))
    assert copy_part.operation == "UploadPartCopy"


def test_presigned_url_credential_gives_region_and_key(router: Router) -> None:
    url = _client("s3", "ap-south-1", key="123456789012").generate_presigned_url(
        "get_object", Params={"Bucket": "bkt", "Key": "a/b.txt"})
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.netloc.startswith("bkt.s3.") and "X-Amz-Credential=" in parts.query
    virtual = HttpRequest("GET", parts.path, parts.query, {"host": parts.netloc})
    path_style = HttpRequest("GET", "/bkt" + parts.path, parts.query, {"host": "localhost:4566"})
    for request in (virtual, path_style):
        route = router.route(request)
        assert (route.service, route.operation) == ("s3", "GetObject")
        assert (route.region, route.access_key) == ("ap-south-1", "123456789012")
        assert route.uri_params == {"Bucket": "bkt", "Key": "a/b.txt"}


def test_unsigned_assume_role_with_web_identity_routes_to_sts(router: Router) -> None:
    client = _client("sts", "eu-west-1")
    request, hint = _request(client, "assume_role_with_web_identity", RoleArn="arn:aws:iam::123456789012:role/r",
                             RoleSessionName="session", WebIdentityToken="token-value-1234")
    assert "authorization" not in request.headers
    for route in (router.route(request), router.route(request, hint)):
        assert (route.service, route.operation, route.protocol) == ("sts", "AssumeRoleWithWebIdentity", "query")
        assert route.access_key is None
    bare = HttpRequest("POST", "/", "", {"host": "localhost:4566",
                                         "content-type": "application/x-www-form-urlencoded"},
                       b"Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn=r")
    assert (router.route(bare).service, router.route(bare).operation) == ("sts", "AssumeRoleWithSAML")


def test_region_precedence_scope_then_host_then_default(router: Router) -> None:
    signed, hint = _request(_client("sqs", "ap-northeast-1"), "list_queues")
    signed.headers["host"] = "sqs.us-west-2.amazonaws.com"
    assert router.route(signed).region == "ap-northeast-1"
    assert router.route(signed, hint).region == "ap-northeast-1"
    unsigned = HttpRequest("POST", "/", "", {"host": "sqs.us-west-2.amazonaws.com",
                                             "x-amz-target": "AmazonSQS.ListQueues",
                                             "content-type": "application/x-amz-json-1.0"}, b"{}")
    assert router.route(unsigned).region == "us-west-2"
    assert router.route(unsigned, ("sqs", "ListQueues")).region == "us-west-2"
    unsigned.headers["host"] = "127.0.0.1:4566"
    assert router.route(unsigned).region == "eu-central-1"
    assert router.route(unsigned, ("sqs", "ListQueues")).region == "eu-central-1"


def test_twelve_digit_access_key_is_passed_through(router: Router) -> None:
    request, hint = _request(_client("sts", key="210987654321"), "get_caller_identity")
    assert router.route(request).access_key == "210987654321"
    assert router.route(request, hint).access_key == "210987654321"


def test_unknown_service_is_a_clear_error(router: Router) -> None:
    request = HttpRequest("POST", "/", "", {
        "host": "localhost:4566",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/nosuchservice/aws4_request, "
                         "SignedHeaders=host, Signature=00",
    })
    with pytest.raises(RoutingError) as raised:
        router.route(request)
    assert raised.value.code == "UnknownService" and raised.value.status == 400
    assert "nosuchservice" in raised.value.message
    with pytest.raises(RoutingError) as hinted:
        router.route(request, ("no-such-service", "Foo"))
    assert hinted.value.code == "UnknownService" and "no-such-service" in hinted.value.message


def test_unknown_operation_answers_in_the_service_protocol(router: Router) -> None:
    sts = HttpRequest("POST", "/", "", {"host": "sts.amazonaws.com",
                                        "content-type": "application/x-www-form-urlencoded"},
                      b"Action=Frobnicate&Version=2011-06-15")
    with pytest.raises(RoutingError) as query_error:
        router.route(sts)
    assert (query_error.value.code, query_error.value.service, query_error.value.protocol) == \
        ("InvalidAction", "sts", "query")
    sqs = HttpRequest("POST", "/", "", {"host": "localhost", "x-amz-target": "AmazonSQS.Frobnicate",
                                        "content-type": "application/x-amz-json-1.0"}, b"{}")
    with pytest.raises(RoutingError) as json_error:
        router.route(sqs)
    assert (json_error.value.code, json_error.value.service, json_error.value.protocol) == \
        ("UnknownOperationException", "sqs", "json")
    with pytest.raises(RoutingError) as hinted:
        router.route(sqs, ("sqs", "Frobnicate"))
    assert hinted.value.code == "UnknownOperationException" and hinted.value.service == "sqs"


def test_sqs_protocol_follows_the_request(router: Router) -> None:
    json_request, hint = _request(_client("sqs"), "send_message", QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q",
                                  MessageBody="hi")
    assert router.route(json_request).protocol == "json"
    assert router.route(json_request, hint).protocol == "json"
    query_request = HttpRequest("POST", "/123456789012/q", "", {
        "host": "sqs.us-east-1.amazonaws.com", "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, "
                         "SignedHeaders=host, Signature=00",
    }, b"Action=SendMessage&Version=2012-11-05&MessageBody=hi")
    for route in (router.route(query_request), router.route(query_request, ("sqs", "SendMessage"))):
        assert (route.service, route.operation, route.protocol) == ("sqs", "SendMessage", "query")


def test_cloudwatch_protocol_follows_the_request(router: Router) -> None:
    json_request, hint = _request(_client("cloudwatch"), "list_metrics")  # botocore prefers json
    assert json_request.headers["x-amz-target"] == "GraniteServiceVersion20100801.ListMetrics"
    for route in (router.route(json_request), router.route(json_request, hint)):
        assert (route.service, route.operation, route.protocol) == ("cloudwatch", "ListMetrics", "json")
    cbor_request = HttpRequest("POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "", {
        "host": "monitoring.us-east-1.amazonaws.com", "smithy-protocol": "rpc-v2-cbor",
        "content-type": "application/cbor", "accept": "application/cbor"}, b"\xa0")
    for route in (router.route(cbor_request), router.route(cbor_request, hint)):
        assert (route.service, route.operation, route.protocol) == ("cloudwatch", "ListMetrics",
                                                                    "smithy-rpc-v2-cbor")
    query_request = HttpRequest("POST", "/", "", {"host": "monitoring.us-east-1.amazonaws.com",
                                                  "content-type": "application/x-www-form-urlencoded"},
                                b"Action=ListMetrics&Version=2010-08-01")
    for route in (router.route(query_request), router.route(query_request, hint)):
        assert (route.service, route.operation, route.protocol) == ("cloudwatch", "ListMetrics", "query")


def test_rest_json_labels_are_decoded_by_template_name(router: Router) -> None:
    request, hint = _request(_client("lambda"), "get_function", FunctionName="my:fn/x")
    for route in (router.route(request), router.route(request, hint)):
        assert (route.service, route.operation) == ("lambda", "GetFunction")
        assert route.uri_params == {"FunctionName": "my:fn/x"}


def test_index_is_cached_on_disk_and_reused(tmp_path: Any) -> None:
    first = ServiceIndex(tmp_path).ensure_loaded()
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("route-index-")
    second = ServiceIndex(tmp_path).ensure_loaded()
    assert second.services == first.services
    assert "sts" in second.by_signing_name["sts"] and second.by_target_prefix["AmazonSQS"] == ("sqs",)


def test_index_falls_back_to_memory_when_the_cache_dir_is_not_writable(tmp_path: Any, monkeypatch: Any) -> None:
    shared = shared_index()
    raw = json.loads(shared._cache_file().read_text())["services"]
    monkeypatch.setattr(route_index, "_read_metadata", lambda name: raw[name])  # no second 4 s build
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    index = ServiceIndex(blocker / "sub").ensure_loaded()
    assert index.by_service_id["api-gateway"] == "apigateway"
    assert index.services == shared.services


@pytest.mark.parametrize(("host", "expected"), [
    ("sqs.us-west-2.amazonaws.com", HostInfo("us-west-2", None, ("sqs",))),
    ("sqs-fips.us-gov-west-1.amazonaws.com", HostInfo("us-gov-west-1", None, ("sqs",))),
    ("sts.amazonaws.com", HostInfo(None, None, ("sts",))),
    ("runtime.sagemaker.eu-west-1.amazonaws.com",
     HostInfo("eu-west-1", None, ("runtime.sagemaker", "runtime", "sagemaker"))),
    ("my.bucket.s3.dualstack.eu-west-1.amazonaws.com", HostInfo("eu-west-1", "my.bucket", ("s3",))),
    ("bucket.s3-us-west-2.amazonaws.com", HostInfo("us-west-2", "bucket", ("s3-us-west-2",))),
    ("123456789012.s3-control.us-east-1.amazonaws.com",
     HostInfo("us-east-1", None, ("123456789012.s3-control", "123456789012", "s3-control"))),
    ("us-east-1.signin.aws.amazon.com", HostInfo("us-east-1", None, ("signin",))),
    ("bucket.localhost:4566", HostInfo(None, "bucket", ())),
    ("localhost:4566", HostInfo(None, None, ())),
    ("127.0.0.1:4566", HostInfo(None, None, ())),
    ("[::1]:4566", HostInfo(None, None, ())),
])
def test_host_names(host: str, expected: HostInfo) -> None:
    assert host_info(host) == expected


def test_botocore_in_place_s3_model_edit_is_undone() -> None:
    # botocore's S3 client rewrites a shared model's requestUri to drop "/{Bucket}" (authPath keeps it)
    edited = OperationRoute("GetBucketAcl", {"method": "GET", "requestUri": "?acl", "authPath": "/{Bucket}"}, False)
    assert (edited.path.template, edited.query) == ("/{Bucket}", (("acl", None),))
    whole = OperationRoute("GetObject", {"method": "GET", "requestUri": "/{Key+}", "authPath": "/{Bucket}/{Key+}"},
                           False)
    assert whole.path.match("/b/k/ey%20") == {"Bucket": "b", "Key": "k/ey "}
