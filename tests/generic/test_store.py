"""The catalog store: lazy per service, cached on disk under a name that changes with
botocore, the inference code and the hints; in memory when the disk is not writable."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from hoarfrost.generic import hints, store
from hoarfrost.generic.catalog import ServiceCatalog, from_json, to_json
from hoarfrost.generic.infer import infer
from hoarfrost.generic.store import CatalogStore, UnknownService


def test_built_on_first_use_then_read_from_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = CatalogStore(tmp_path)
    built = first.get("sqs")
    assert first.get("sqs") is built  # memory
    files = list(tmp_path.glob("generic-catalog-*/*.json"))
    assert [path.name for path in files] == ["sqs.json"]  # only the service asked for
    assert files[0].parent.name == f"generic-catalog-{botocore.__version__}-{store.digest()}"

    def refuse(service: str) -> ServiceCatalog:
        raise AssertionError("a cached catalog is not inferred again")

    monkeypatch.setattr(store, "infer", refuse)
    assert CatalogStore(tmp_path).get("sqs") == built


def test_an_unreadable_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = CatalogStore(tmp_path).directory() / "sns.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert CatalogStore(tmp_path).get("sns") == infer("sns")
    assert json.loads(path.read_text())["service"] == "sns"


def test_memory_only_when_the_cache_cannot_be_written(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    catalogs = CatalogStore(blocked)
    assert catalogs.get("sqs").family("Queue") is not None


def test_unknown_services_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownService):
        CatalogStore(tmp_path).get("no-such-service")


def test_the_cache_name_follows_the_hints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = store.digest()
    extra = tmp_path / "hints"
    extra.mkdir()
    for path in hints.HINTS_DIR.glob("*.json"):
        (extra / path.name).write_bytes(path.read_bytes())
    (extra / "sqs.json").write_text('{"operations": {"PurgeQueue": {"exclude": "no"}}}')
    monkeypatch.setattr(hints, "HINTS_DIR", extra)
    assert store.digest() != before


def test_records_round_trip_through_json() -> None:
    for service in ("apigateway", "ecs", "dynamodb"):
        built = infer(service)
        document = json.loads(json.dumps(to_json(built)))
        assert from_json(ServiceCatalog, document) == built
    # Defaults are left out of the files.
    queue = to_json(infer("sqs").family("Queue"))
    assert "problems" not in queue and "singleton" not in queue
