"""Service catalogs, inferred the first time a service needs one and kept in memory and on disk.

Inference reads a whole model (a second or so for the largest), so each service's catalog
is built only when that service is first asked for, then written to
``$XDG_CACHE_HOME/hoarfrost/generic-catalog-<botocore version>-<digest>/<service>.json``;
later processes read it in a millisecond, and start-up time does not grow with the number of
services. The digest covers what the catalog is computed from besides botocore: the
package's code, the hints files and the spec patches, so editing any of them builds afresh.
Where the cache directory is not writable the catalogs stay in memory only.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import botocore

from hoarfrost.core import catalog as models
from hoarfrost.core import spec_patches
from hoarfrost.generic import hints
from hoarfrost.generic.catalog import ServiceCatalog, from_json, to_json
from hoarfrost.generic.infer import infer


class UnknownService(KeyError):
    """A name botocore has no model for."""


def digest() -> str:
    """Every module of the package (a new one counts without anyone remembering to list it),
    the hints and the spec patches."""
    hasher = hashlib.sha1()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    hasher.update(hints.digest().encode())
    hasher.update(spec_patches.digest().encode())
    return hasher.hexdigest()[:12]


class CatalogStore:
    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._directory: Path | None = None
        self._catalogs: dict[str, ServiceCatalog] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def directory(self) -> Path:
        if self._directory is None:
            base = self._cache_dir or models.cache_dir()
            self._directory = base / f"generic-catalog-{botocore.__version__}-{digest()}"
        return self._directory

    def get(self, service: str) -> ServiceCatalog:
        found = self._catalogs.get(service)
        if found is not None:
            return found
        if service not in models.available_services():
            raise UnknownService(service)
        with self._guard:
            lock = self._locks.setdefault(service, threading.Lock())
        with lock:
            found = self._catalogs.get(service)
            if found is None:
                found = self._read(service) or self._build(service)
                self._catalogs[service] = found
        return found

    def all(self) -> list[ServiceCatalog]:
        return [self.get(service) for service in models.available_services()]

    def _read(self, service: str) -> ServiceCatalog | None:
        try:
            document = json.loads((self.directory() / f"{service}.json").read_text())
            result: ServiceCatalog = from_json(ServiceCatalog, document)
            return result
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def _build(self, service: str) -> ServiceCatalog:
        built = infer(service)
        path = self.directory() / f"{service}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
                json.dump(to_json(built), handle, separators=(",", ":"))
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only home: keep the catalog in memory only
        return built


_shared: CatalogStore | None = None
_shared_lock = threading.Lock()


def shared_store() -> CatalogStore:
    """The process-wide store (catalogs are reference data, like the models they come from)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = CatalogStore()
    return _shared


def catalog_for(service: str) -> ServiceCatalog:
    return shared_store().get(service)
