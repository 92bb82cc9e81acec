"""Hints files: the format, that every hint still changes something, and what they change."""

from __future__ import annotations

from typing import Any

import pytest

from hoarfrost.generic import hints
from hoarfrost.generic.hints import NO_HINTS, HintError
from hoarfrost.generic.infer import infer


@pytest.mark.parametrize("service", hints.hinted_services())
def test_every_hint_applies(service: str) -> None:
    """A hint that no longer matches an operation or a family (botocore renamed it) is stale."""
    applied = set(infer(service).hints)
    stale = [entry for entry in hints.for_service(service).entries() if entry not in applied]
    assert not stale, f"{service}: stale hints {stale}"


@pytest.mark.parametrize(("document", "message"), [
    ({"operations": {"X": {"family": "A", "role": "create"}}}, "every hint says why"),
    ({"operations": {"X": {"family": "A", "role": "make", "why": "w"}}}, "role must be one of"),
    ({"operations": {"X": {"role": "create", "why": "w"}}}, "give a family and a role"),
    ({"families": {"A": {"parent": {"member": "m"}, "why": "w"}}}, "family"),
    ({"families": {"A": {"identifiers": {"m": ["nickname"]}, "why": "w"}}}, "a list of"),
    ({"families": {"A": {"colour": "red", "why": "w"}}}, "unknown keys"),
    ({"families": {"A": {"identifiers": {"m": {"kinds": ["key"], "path": "x"}}, "why": "w"}}}, "unknown keys"),
    ({"owners": {"m": {"family": 3, "why": "w"}}}, "family name or null"),
    ([], "expected an object"),
])
def test_malformed_hints_are_refused(document: Any, message: str) -> None:
    with pytest.raises((HintError, KeyError), match=message):
        hints.parse("svc", document)


def test_hints_correct_what_names_mislead() -> None:
    # Without hints, AppSync's apiId names the Event API (its noun is Api), so resolvers would
    # belong to the wrong kind of API; Glue's CatalogId would make every table a Catalog's.
    bare = infer("appsync", hints=NO_HINTS).family("Resolver")
    assert bare is not None and bare.parents[0].family == "Api"
    hinted = infer("appsync").family("Resolver")
    assert hinted is not None and hinted.parents[0].family == "GraphqlApi"
    table = infer("glue", hints=NO_HINTS).family("Table")
    assert table is not None and "Catalog" in {p.family for p in table.parents}


def test_operation_hints_place_and_exclude() -> None:
    document = {"operations": {
        "Subscribe": {"family": "Subscription", "role": "create", "why": "Subscribe creates a subscription"},
        "Publish": {"exclude": "messages are not resources"},
    }}
    built = infer("sns", hints=hints.parse("sns", document))
    subscription = built.family("Subscription")
    assert subscription is not None and [r.operation for r in subscription.roles("create")] == ["Subscribe"]
    assert {u.operation: u.reason for u in built.unresolved}["Publish"] == "hint"
    assert {"operations.Subscribe", "operations.Publish"} <= set(built.hints)


def test_family_hints_rename_and_exclude() -> None:
    document = {"families": {"Topic": {"rename": "SnsTopic", "why": "w"},
                             "PlatformApplication": {"exclude": "mobile push is out of scope"}}}
    built = infer("sns", hints=hints.parse("sns", document))
    assert built.family("Topic") is None and built.family("SnsTopic") is not None
    assert built.family("PlatformApplication") is None
    assert {u.operation: u.reason for u in built.unresolved}["CreatePlatformApplication"] == "hint"


def test_an_identifier_hint_says_where_create_carries_it() -> None:
    # Lambda's PublishLayerVersion returns as Version what GetLayerVersion takes as VersionNumber.
    layer = infer("lambda").family("LayerVersion")
    assert layer is not None and layer.resolved
    version = next(ident for ident in layer.identifiers if ident.member == "VersionNumber")
    assert (version.kind, version.output_path, version.input_paths) == ("key", "Version", ())
    assert [r.operation for r in layer.roles("create")] == ["PublishLayerVersion"]


def test_an_identifier_hint_can_say_a_member_names_nothing_of_the_family() -> None:
    # partnercentral-channel's accountId is the AWS account a program management account
    # manages; by its name alone it would be the account's identifier.
    bare = infer("partnercentral-channel", hints=NO_HINTS).family("ProgramManagementAccount")
    assert bare is not None and any("accountId" in ident.input_paths for ident in bare.identifiers)
    hinted = infer("partnercentral-channel").family("ProgramManagementAccount")
    assert hinted is not None and hinted.resolved
    assert not any("accountId" in ident.input_paths for ident in hinted.identifiers)
    own = next(ident for ident in hinted.identifiers if ident.member == "identifier")
    assert own.output_path == "programManagementAccountDetail.id"
    with pytest.raises(HintError, match="no source"):
        hints.parse("svc", {"families": {"A": {"identifiers": {"m": {"kinds": [], "output": "x"}}, "why": "w"}}})
