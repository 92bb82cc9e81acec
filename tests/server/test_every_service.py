"""The state surface holds for every service, not only the first four: each hand-written
service (and an engine-served one) seeded through boto3 survives GET -> DELETE -> PUT of its
view over HTTP, and a restart of ``hoarfrost serve --state-dir``, with identical views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from hoarfrost.services import IMPLEMENTED
from tests.harness import ServerHarness
from tests.server.seeds import SEEDS
from tests.server.test_cli import start_serve
from tests.server.test_persistence import ACCOUNT, REGION, client, stop


def test_every_implemented_service_has_a_seed() -> None:
    assert set(IMPLEMENTED) <= set(SEEDS), f"add a seed to tests/server/seeds.py for {set(IMPLEMENTED) - set(SEEDS)}"


def _view(base: str, service: str) -> dict[str, Any]:
    response = requests.get(f"{base}/_hoarfrost/state/{service}", params={"account": ACCOUNT, "region": REGION},
                            timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("service", sorted(SEEDS))
def test_get_delete_put_round_trips_the_view(server: ServerHarness, service: str) -> None:
    SEEDS[service](server.client)
    base = server.http_url("").rstrip("/")
    scope = {"account": ACCOUNT, "region": REGION}
    before = _view(base, service)
    assert requests.delete(f"{base}/_hoarfrost/state/{service}", params=scope, timeout=30).status_code in (200, 204)
    held = {key: value for key, value in before.items() if key not in ("schema_version", "account", "region")}
    if any(held.values()):  # DynamoDB Streams' view is empty: its records are the table's
        assert _view(base, service) != before  # the reset really emptied the scope
    put = requests.put(f"{base}/_hoarfrost/state/{service}", params=scope, json=before, timeout=30)
    assert put.status_code in (200, 204), put.text
    assert _view(base, service) == before


def test_a_restart_with_a_state_dir_brings_back_every_service(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    process, port = start_serve("--state-dir", str(state_dir), "--save-delay", "0.05")
    try:
        for seed in SEEDS.values():
            seed(lambda name: client(name, port))
        base = f"http://127.0.0.1:{port}"
        before = {service: _view(base, service) for service in SEEDS}
    finally:
        err = stop(process)
    assert process.returncode == 0, err
    process, port = start_serve("--state-dir", str(state_dir))
    try:
        base = f"http://127.0.0.1:{port}"
        after = {service: _view(base, service) for service in SEEDS}
    finally:
        err = stop(process)
    assert process.returncode == 0, err
    for service in SEEDS:
        assert after[service] == before[service], service
