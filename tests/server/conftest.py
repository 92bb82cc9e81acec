"""Fixtures for the server tests: the fake ``sdb`` service registered for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hoarfrost.services import IMPLEMENTED
from tests.server import fake_service


@pytest.fixture
def sdb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Registers the fake SimpleDB service for this test; yields its name."""
    monkeypatch.setitem(IMPLEMENTED, fake_service.SERVICE_NAME, fake_service.__name__)
    yield fake_service.SERVICE_NAME
