"""Every handler of every implemented service names an operation of botocore's model."""

from __future__ import annotations

import pytest

from hoarfrost import Emulator
from hoarfrost.core.operations import OperationRegistry
from hoarfrost.services import IMPLEMENTED


@pytest.mark.parametrize("name", sorted(IMPLEMENTED))
def test_every_handler_resolves_to_an_operation(name: str) -> None:
    registry = Emulator().service(name).operations
    handlers = registry.resolve()
    assert registry.unresolved == ()
    assert handlers  # and the registry is not empty


def test_a_misspelt_handler_is_reported_not_served() -> None:
    registry = OperationRegistry("sts")

    @registry.operation
    def get_caller_identity(ctx, request):  # type: ignore[no-untyped-def]
        return {}

    @registry.operation
    def get_caller_identiti(ctx, request):  # type: ignore[no-untyped-def]
        return {}

    assert list(registry.resolve()) == ["GetCallerIdentity"]
    assert registry.unresolved == ("get_caller_identiti",)
