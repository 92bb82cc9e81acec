"""Which service, operation, protocol, region and access key a request is for.

Two paths:

* **hinted** (the in-process hook): botocore already named the service id and operation in
  its event name, so routing is a dictionary look-up, a protocol sniff for multi-protocol
  services, the credential scope, and (rest protocols) one template match for URI labels.
* **search** (the HTTP server): the request alone says it. Evidence is taken in this order,
  each a look-up in the metadata index (``route_index``): ``X-Amz-Target``, the smithy
  rpc-v2-cbor path, ``Action``/``Version`` for the query protocols, then rest
  ``requestUri`` templates of the few services the SigV4 scope's signing name or the host
  name point to (a virtual-hosted host name, ``bucket.s3...``, points to the services whose
  patched model has a ``virtualHostLabel``).

Region: credential scope (or SigV4a's single-region ``X-Amz-Region-Set``), else host name,
else the router's default. A request with no evidence at all (unsigned, to ``localhost``) is
tried as the services whose patched model is an ``anonymousFallback`` (S3, the one service
used anonymously at large).
"""

from __future__ import annotations

import threading
from urllib.parse import unquote_plus

from hoarfrost.core import catalog
from hoarfrost.core.http import HttpRequest
from hoarfrost.core.routing.hosts import HostInfo, host_info
from hoarfrost.core.routing.route import Route, RoutingError
from hoarfrost.core.routing.route_index import ServiceIndex, hyphenize, shared_index
from hoarfrost.core.routing.service_routes import (
    CBOR,
    QUERY_PROTOCOLS,
    REST_PROTOCOLS,
    ServiceRoutes,
)
from hoarfrost.core.routing.sigv4 import Credential, request_credential

_routes: dict[str, ServiceRoutes] = {}
_routes_lock = threading.Lock()


def service_routes(name: str) -> ServiceRoutes:
    """The process-wide routing tables of one service (models are immutable reference data)."""
    routes = _routes.get(name)
    if routes is None:
        with _routes_lock:
            routes = _routes.get(name)
            if routes is None:
                routes = _routes[name] = ServiceRoutes(name)
    return routes


_by_service_id: dict[str, ServiceRoutes] = {}


def routes_for_service_id(service_id: str) -> ServiceRoutes | None:
    """Hyphenised botocore service id (event names) -> that service's routes.

    Most services are named like their id, so the model of that name is checked first and the
    full index is only consulted for the others (``api-gateway`` -> ``apigateway``)."""
    routes = _by_service_id.get(service_id)
    if routes is not None:
        return routes
    available = set(catalog.available_services())
    name: str | None = None
    for guess in (service_id, service_id.replace("-", "")):
        if guess in available and hyphenize(catalog.service_model(guess).metadata.get("serviceId", "")) == service_id:
            name = guess
            break
    if name is None:
        name = shared_index().by_service_id.get(service_id)
        if name is None:
            return None
    routes = _by_service_id[service_id] = service_routes(name)
    return routes


def _form_fields(body: bytes, names: tuple[str, ...]) -> dict[str, str]:
    """A few fields of a form-encoded body, without decoding the rest of it."""
    found: dict[str, str] = {}
    for item in body.split(b"&"):
        key, _, value = item.partition(b"=")
        text = key.decode("latin-1")
        if text in names and text not in found:
            found[text] = unquote_plus(value.decode("latin-1"))
            if len(found) == len(names):
                break
    return found


class Router:
    def __init__(self, default_region: str = "us-east-1", index: ServiceIndex | None = None) -> None:
        self.default_region = default_region
        self._index = index
        self._candidate_cache: dict[tuple[str | None, HostInfo], tuple[str, ...]] = {}

    @property
    def index(self) -> ServiceIndex:
        if self._index is None:
            self._index = shared_index()
        return self._index.ensure_loaded()

    def warm(self) -> None:
        """Load the service index now (a server calls this at start-up, so the first request
        does not pay for it; the first process on a machine builds it, ~4 s)."""
        self.index  # noqa: B018 - loading is the point

    def route(self, request: HttpRequest, hint: tuple[str, str] | None = None) -> Route:
        """The route of a request; ``hint`` is (hyphenised service id, operation) from botocore's
        event name when the transport knows it. Raises ``RoutingError``."""
        if hint is not None:
            return self._route_hinted(request, hint)
        return self._route_search(request)

    # -- hinted ---------------------------------------------------------------------------------
    def _route_hinted(self, request: HttpRequest, hint: tuple[str, str]) -> Route:
        service_id, operation_name = hint
        routes = _by_service_id.get(service_id) or routes_for_service_id(service_id)
        if routes is None:
            raise RoutingError(f"Unknown service id {service_id!r} (operation {operation_name})",
                               code="UnknownService", status=400)
        operation = routes.operation(operation_name)
        protocol = routes.protocol_for(request)
        if operation is None:
            raise self._unknown_operation(routes, protocol, operation_name)
        credential = request_credential(request)
        region = credential.region
        host = None
        if region is None:
            host = host_info(request.headers.get("host", ""))
            region = _region_set(request) or host.region or self.default_region
        uri_params = None
        if protocol in REST_PROTOCOLS:
            host_label = None
            if routes.virtual_host_label:
                host_label = (host or host_info(request.headers.get("host", ""))).bucket
            uri_params = routes.uri_params(operation, request, host_label)
        return Route(routes.name, operation_name, protocol, region, credential.access_key, uri_params)

    # -- search ---------------------------------------------------------------------------------
    def _route_search(self, request: HttpRequest) -> Route:
        credential = request_credential(request)
        host = host_info(request.headers.get("host", ""))
        region = credential.region or _region_set(request) or host.region or self.default_region
        candidates = self._candidates(credential, host)
        found = (
            self._by_target(request, candidates)
            or self._by_cbor_path(request, candidates)
            or self._by_action(request, candidates)
            or self._by_rest_template(request, candidates, host)
        )
        if found is None and not candidates and credential.signing_name is None:
            # Nothing names a service: an anonymous request (public object GET, browser upload
            # form) goes to the service(s) used unsigned at large.
            found = self._by_rest_template(request, self.index.anonymous_fallbacks, host)
        if found is None:
            raise self._not_found(request, credential, host, candidates)
        routes, operation, protocol, uri_params = found
        return Route(routes.name, operation, protocol, region, credential.access_key, uri_params, candidates)

    def alternatives(self, request: HttpRequest, route: Route) -> list[Route]:
        """The same request read by the other candidate services that see the same operation
        the same way (asked only when the routed service does not hold what it names)."""
        if len(route.candidates) < 2:
            return []
        host = host_info(request.headers.get("host", ""))
        target = request.headers.get("x-amz-target")
        found = service_routes(route.service)
        others = []
        for name in route.candidates:
            if name == route.service or route.operation not in self.index.services[name].operations:
                continue
            if target:
                if name in self.index.by_target_prefix.get(target.rpartition(".")[0], ()):
                    others.append(Route(name, route.operation, route.protocol, route.region, route.access_key))
                continue
            routes = service_routes(name)
            if found.is_rest and routes.is_rest:
                matched = routes.match_rest(request, host.bucket if routes.virtual_host_label else None)
                if matched is not None and matched[1].name == route.operation:
                    others.append(Route(name, route.operation, route.protocol, route.region, route.access_key,
                                        matched[2]))
        return others

    def _candidates(self, credential: Credential, host: HostInfo) -> tuple[str, ...]:
        """Services the signing name and the host point to, best first (cached per pair)."""
        key = (credential.signing_name, host)
        found = self._candidate_cache.get(key)
        if found is None:
            found = self._rank_candidates(credential.signing_name, host)
            if len(self._candidate_cache) >= 4096:
                self._candidate_cache.clear()
            self._candidate_cache[key] = found
        return found

    def _rank_candidates(self, signing_name: str | None, host: HostInfo) -> tuple[str, ...]:
        """Those both signing name and host point to, then the one named like the signing name
        (``rds`` before ``docdb`` and ``neptune``, which share its endpoint), then the rest."""
        index = self.index
        from_host: list[str] = []
        for prefix in host.endpoint_prefixes:
            from_host.extend(index.by_endpoint_prefix.get(prefix, ()))
        if host.bucket is not None:
            from_host.extend(name for name in index.virtual_hosted if name not in from_host)
        signed: tuple[str, ...] = ()
        if signing_name is not None:
            signed = index.by_signing_name.get(signing_name) or index.by_endpoint_prefix.get(signing_name) or ()
        if not signed:
            return tuple(from_host)
        owners = {signing_name, *host.endpoint_prefixes}
        return tuple(sorted(signed, key=lambda name: (name not in from_host, name not in owners)))

    @staticmethod
    def _in_order(services: tuple[str, ...], candidates: tuple[str, ...]) -> tuple[str, ...]:
        """``services`` restricted to and ordered like ``candidates``, when they overlap."""
        if not candidates:
            return services
        ordered = tuple(name for name in candidates if name in services)
        return ordered or services

    def _by_target(self, request: HttpRequest, candidates: tuple[str, ...]) -> _Found | None:
        target = request.headers.get("x-amz-target")
        if not target:
            return None
        prefix, _, operation = target.rpartition(".")
        services = self._in_order(self.index.by_target_prefix.get(prefix, ()), candidates)
        for name in services:
            if operation in self.index.services[name].operations:
                routes = service_routes(name)
                return routes, operation, routes.protocol_for(request), None
        if services:
            routes = service_routes(services[0])
            raise self._unknown_operation(routes, routes.protocol_for(request), operation)
        return None

    def _by_cbor_path(self, request: HttpRequest, candidates: tuple[str, ...]) -> _Found | None:
        path = request.path
        if not path.startswith("/service/") or request.headers.get("smithy-protocol", "rpc-v2-cbor") != "rpc-v2-cbor":
            return None
        parts = path.split("/")  # "", "service", Name, "operation", Op
        if len(parts) != 5 or parts[3] != "operation":
            return None
        prefix, operation = parts[2], parts[4]
        services = self._in_order(tuple(name for name in self.index.by_target_prefix.get(prefix, ())
                                        if CBOR in self.index.services[name].protocols), candidates)
        for name in services:
            if operation in self.index.services[name].operations:
                return service_routes(name), operation, CBOR, None
        if services:
            raise self._unknown_operation(service_routes(services[0]), CBOR, operation)
        return None

    def _by_action(self, request: HttpRequest, candidates: tuple[str, ...]) -> _Found | None:
        fields: dict[str, str] = {}
        if request.body and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = _form_fields(request.body, ("Action", "Version"))
        if "Action" not in fields and "Action=" in request.query:
            action = request.query_param("Action")
            if action:
                fields = {"Action": action, "Version": request.query_param("Version") or ""}
        action = fields.get("Action")
        if not action:
            return None
        version = fields.get("Version")
        index = self.index
        services = candidates
        if not services and version:
            services = index.by_api_version.get(version, ())
        elif not services and ("arn:" in request.query or "arn%3A" in request.query):
            services = self._named_by_arns(request)
        query_services = [name for name in services
                          if any(protocol in QUERY_PROTOCOLS for protocol in index.services[name].protocols)]
        if not query_services:
            return None
        if version and len(query_services) > 1:
            query_services.sort(key=lambda name: index.services[name].api_version != version)
        for name in query_services:
            if action in index.services[name].operations:
                routes = service_routes(name)
                protocol = "ec2" if routes.protocol == "ec2" else "query"
                return routes, action, protocol, None
        routes = service_routes(query_services[0])
        raise self._unknown_operation(routes, "ec2" if routes.protocol == "ec2" else "query", action)

    def _named_by_arns(self, request: HttpRequest) -> tuple[str, ...]:
        """The services an unsigned, unversioned query-string request names by the ARNs it
        carries: the links in an SNS message (``/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:...``),
        which AWS routes by its host name and a local server cannot."""
        names: list[str] = []
        for values in request.query_params.values():
            for value in values:
                if value.startswith("arn:"):
                    parts = value.split(":", 3)
                    if len(parts) > 3:
                        names.extend(self.index.by_endpoint_prefix.get(parts[2], ()))
        return tuple(dict.fromkeys(names))

    def _by_rest_template(self, request: HttpRequest, candidates: tuple[str, ...], host: HostInfo) -> _Found | None:
        index = self.index
        named_by_host = {name for prefix in host.endpoint_prefixes for name in index.by_endpoint_prefix.get(prefix, ())}
        best = None
        for name in candidates:
            by_host = name in named_by_host
            if best is not None and best[0][0] and not by_host:
                break  # a service the host names matched; the rest cannot outrank it
            routes = service_routes(name)
            if not routes.is_rest:
                continue
            matched = routes.match_rest(request, host.bucket if routes.virtual_host_label else None)
            if matched is None:
                continue
            rank = (by_host, matched[0])
            if best is None or rank > best[0]:
                best = (rank, matched, routes)
        if best is None:
            return None
        _, (_, operation, params), routes = best
        return routes, operation.name, routes.protocol, params

    # -- errors ---------------------------------------------------------------------------------
    @staticmethod
    def _unknown_operation(routes: ServiceRoutes, protocol: str, operation: str,
                           message: str | None = None) -> RoutingError:
        code = routes.unknown_operation_code(protocol)
        return RoutingError(
            message or f"Operation {operation!r} is not defined by service {routes.name!r}",
            code=code, service=routes.name, protocol=protocol, status=405 if code == "MethodNotAllowed" else 400,
        )

    def _not_found(self, request: HttpRequest, credential: Credential, host: HostInfo,
                   candidates: tuple[str, ...]) -> RoutingError:
        if candidates:
            routes = service_routes(candidates[0])
            protocol = routes.protocol_for(request)
            described = f"{request.method} {request.path}" + (f"?{request.query}" if request.query else "")
            return self._unknown_operation(routes, protocol, described,
                                           f"No operation of service {routes.name!r} matches {described}")
        seen = [f"host {request.headers.get('host', '')!r}", f"{request.method} {request.path!r}"]
        if credential.signing_name:
            return RoutingError(
                f"Unknown service {credential.signing_name!r}: no service signs requests with that name "
                f"(the SigV4 credential scope; {', '.join(seen)})",
                code="UnknownService", status=400,
            )
        if request.headers.get("x-amz-target"):
            seen.append(f"X-Amz-Target {request.headers['x-amz-target']!r}")
        return RoutingError("Could not determine the AWS service of the request (" + ", ".join(seen) + ")",
                            code="UnknownService", status=400)


_Found = tuple[ServiceRoutes, str, str, "dict[str, str] | None"]


def _region_set(request: HttpRequest) -> str | None:
    """SigV4a names its regions in a header; one concrete region is as good as a scope's."""
    regions = request.headers.get("x-amz-region-set")
    if regions and "," not in regions and "*" not in regions:
        return regions.strip()
    return None
