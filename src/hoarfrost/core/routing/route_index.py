"""The index of every botocore service's routing metadata, built once and cached on disk.

Routing a request without a hint needs to know, for all 400+ services, their signing name,
endpoint prefix, JSON target prefix, API version, protocols, service id and operation names.
Reading every model takes seconds, so the index is built on first need and written to
``$XDG_CACHE_HOME/hoarfrost/route-index-<botocore version>-<hash>.json`` (falling back to
memory when that is not writable); later processes load it in milliseconds. Metadata is read
with the spec patches applied, as the catalog's models are, and the hash covers the patches,
so a changed patch builds a fresh index.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore

from hoarfrost.core import catalog, spec_patches

INDEX_FORMAT = 3


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    service_id: str  # hyphenised, as in botocore event names ("api-gateway")
    protocol: str
    protocols: tuple[str, ...]
    signing_name: str
    # Further signing names the endpoint rules may pick (S3 Express "s3express", "s3-outposts").
    rule_signing_names: tuple[str, ...]
    endpoint_prefix: str
    target_prefix: str | None
    api_version: str | None
    operations: frozenset[str]
    virtual_host_label: str | None  # the URI label a virtual-hosted host name carries (S3's Bucket)
    anonymous_fallback: bool  # an unsigned request naming no service is tried as this one


def hyphenize(service_id: str) -> str:
    """botocore's ``ServiceId.hyphenize``: the form used in event names."""
    return service_id.replace(" ", "-").lower()


def _signing_names_in(rules: Any, found: set[str]) -> None:
    """Every ``signingName`` an endpoint rule set's auth schemes name."""
    if isinstance(rules, dict):
        value = rules.get("signingName")
        if isinstance(value, str) and "{" not in value:
            found.add(value)
        for item in rules.values():
            if isinstance(item, (dict, list)):
                _signing_names_in(item, found)
    elif isinstance(rules, list):
        for item in rules:
            if isinstance(item, (dict, list)):
                _signing_names_in(item, found)


def _read_metadata(name: str) -> dict[str, Any]:
    """Routing metadata and operation names of one model, read without keeping the model in memory."""
    data = catalog.load_uncached(name, "service-2")
    if data is None:  # unusual layout: go through the regular loader
        data = catalog.botocore_session().get_component("data_loader").load_service_model(name, "service-2")
    data = spec_patches.apply(name, data)
    rule_names: set[str] = set()
    _signing_names_in(catalog.load_uncached(name, "endpoint-rule-set-1"), rule_names)
    metadata = data.get("metadata", {})
    protocol = metadata.get("protocol", "")
    protocols = metadata.get("protocols") or [protocol]
    legacy = [extra for extra in metadata.get(spec_patches.LEGACY_PROTOCOLS, ()) if extra not in protocols]
    return {
        "serviceId": metadata.get("serviceId") or name,
        "protocol": protocol,
        "protocols": [*protocols, *legacy],  # every protocol the service answers
        "signingName": metadata.get("signingName") or metadata.get("endpointPrefix") or name,
        "ruleSigningNames": sorted(rule_names),
        "endpointPrefix": metadata.get("endpointPrefix") or name,
        "targetPrefix": metadata.get("targetPrefix"),
        "apiVersion": metadata.get("apiVersion"),
        "operations": sorted(data.get("operations", {})),
        "virtualHostLabel": metadata.get(spec_patches.VIRTUAL_HOST_LABEL),
        "anonymousFallback": bool(metadata.get(spec_patches.ANONYMOUS_FALLBACK)),
    }


class ServiceIndex:
    """Look-up tables over every service's metadata, loaded lazily (disk cache, else build)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._loaded = False
        self.services: dict[str, ServiceInfo] = {}
        self.by_service_id: dict[str, str] = {}
        self.by_signing_name: dict[str, tuple[str, ...]] = {}
        self.by_endpoint_prefix: dict[str, tuple[str, ...]] = {}
        self.by_target_prefix: dict[str, tuple[str, ...]] = {}
        self.by_api_version: dict[str, tuple[str, ...]] = {}
        self.virtual_hosted: tuple[str, ...] = ()  # services a virtual-hosted host name points to
        self.anonymous_fallbacks: tuple[str, ...] = ()

    def ensure_loaded(self) -> ServiceIndex:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._index(self._load_raw())
                    self._loaded = True
        return self

    # -- building -------------------------------------------------------------------------------
    def _cache_file(self) -> Path:
        names = [*catalog.available_services(), spec_patches.digest()]
        digest = hashlib.sha1("\n".join(names).encode()).hexdigest()[:12]
        return (self._cache_dir or catalog.cache_dir()) / f"route-index-{botocore.__version__}-{digest}.json"

    def _load_raw(self) -> dict[str, dict[str, Any]]:
        path = self._cache_file()
        try:
            raw = json.loads(path.read_text())
            if raw.get("format") == INDEX_FORMAT:
                services: dict[str, dict[str, Any]] = raw["services"]
                return services
        except (OSError, ValueError, KeyError, AttributeError):
            pass
        services = {name: _read_metadata(name) for name in catalog.available_services()}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
                json.dump({"format": INDEX_FORMAT, "services": services}, handle)
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only home: keep the index in memory only
        return services

    def _index(self, raw: dict[str, dict[str, Any]]) -> None:
        signing: dict[str, list[str]] = {}
        endpoint: dict[str, list[str]] = {}
        target: dict[str, list[str]] = {}
        version: dict[str, list[str]] = {}
        secondary: dict[str, list[str]] = {}
        for name, meta in raw.items():
            info = ServiceInfo(
                name=name,
                service_id=hyphenize(meta["serviceId"]),
                protocol=meta["protocol"],
                protocols=tuple(meta["protocols"]),
                signing_name=meta["signingName"],
                rule_signing_names=tuple(meta["ruleSigningNames"]),
                endpoint_prefix=meta["endpointPrefix"],
                target_prefix=meta["targetPrefix"],
                api_version=meta["apiVersion"],
                operations=frozenset(meta["operations"]),
                virtual_host_label=meta["virtualHostLabel"],
                anonymous_fallback=meta["anonymousFallback"],
            )
            self.services[name] = info
            self.by_service_id.setdefault(info.service_id, name)
            signing.setdefault(info.signing_name, []).append(name)
            for extra in info.rule_signing_names:
                if extra != info.signing_name:
                    secondary.setdefault(extra, []).append(name)
            endpoint.setdefault(info.endpoint_prefix, []).append(name)
            if info.target_prefix:
                target.setdefault(info.target_prefix, []).append(name)
            if info.api_version:
                version.setdefault(info.api_version, []).append(name)
        for key, names in secondary.items():  # after the services that own the name
            signing.setdefault(key, []).extend(name for name in names if name not in signing[key])
        self.by_signing_name = {key: tuple(value) for key, value in signing.items()}
        self.by_endpoint_prefix = {key: tuple(value) for key, value in endpoint.items()}
        self.by_target_prefix = {key: tuple(value) for key, value in target.items()}
        self.by_api_version = {key: tuple(value) for key, value in version.items()}
        self.virtual_hosted = tuple(name for name, info in self.services.items() if info.virtual_host_label)
        self.anonymous_fallbacks = tuple(name for name, info in self.services.items() if info.anonymous_fallback)


_shared: ServiceIndex | None = None


def shared_index() -> ServiceIndex:
    """The process-wide index (reference data, like the models themselves)."""
    global _shared
    if _shared is None:
        _shared = ServiceIndex()
    return _shared.ensure_loaded()
