"""One catalog store per test session, on a cache directory of its own: every service is
built cold once (timed, for the sweep's report) and the CLI tests read the same catalogs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hoarfrost.generic import store
from hoarfrost.generic.catalog import ServiceCatalog
from hoarfrost.generic.store import CatalogStore


@dataclass(frozen=True)
class Built:
    directory: Path
    store: CatalogStore
    catalogs: list[ServiceCatalog]
    seconds: float


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    directory = tmp_path_factory.mktemp("catalogs")
    catalogs = CatalogStore(directory)
    started = time.perf_counter()
    everything = catalogs.all()
    return Built(directory, catalogs, everything, time.perf_counter() - started)


@pytest.fixture
def shared(built: Built, monkeypatch: pytest.MonkeyPatch) -> Iterator[CatalogStore]:
    """The CLI's process-wide store, pointed at the session's."""
    monkeypatch.setattr(store, "_shared", built.store)
    yield built.store
