"""botocore's service models, loaded once per process and corrected by ``spec_patches``.

Models are immutable reference data, so one loader serves every Emulator in the process;
each model is read from disk the first time a request or a test needs it, patched once, and
only then turned into botocore's ``ServiceModel``, so every reader sees the corrected model.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core import spec_patches

_session_lock = threading.Lock()
_session: botocore.session.Session | None = None


def botocore_session() -> botocore.session.Session:
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                _session = botocore.session.get_session()
    return _session


@cache
def available_services() -> tuple[str, ...]:
    return tuple(botocore_session().get_available_services())


def cache_dir() -> Path:
    """Where indexes built from the models are kept between processes."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hoarfrost"


def load_uncached(name: str, type_name: str) -> Any:
    """One of a service's data files (``service-2``, ``paginators-1``...), read without adding
    it to the loader's cache: sweeps over every service must not keep every model in memory."""
    loader = botocore_session().get_component("data_loader")
    try:
        version = loader.determine_latest_version(name, type_name)
    except Exception:  # noqa: BLE001 - botocore raises DataNotFoundError/UnknownServiceError
        return None
    for search_path in loader.search_paths:
        data = loader.file_loader.load_file(os.path.join(search_path, name, version, type_name))
        if data is not None:
            return data
    return None


@cache
def service_model(name: str) -> ServiceModel:
    description = spec_patches.apply(name, botocore_session().get_service_data(name))
    return ServiceModel(description, service_name=name)


@cache
def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


@cache
def error_shapes(service: str) -> dict[str, Shape]:
    """Error shapes by every name a client may match them on: shape name and wire code."""
    shapes: dict[str, Shape] = {}
    for shape in service_model(service).error_shapes:
        shapes.setdefault(shape.name, shape)
        code = shape.metadata.get("error", {}).get("code")
        if code:
            shapes.setdefault(code, shape)
    return shapes
