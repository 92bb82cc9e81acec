"""``hoarfrost catalog``: one service as text or JSON, and the summary of every service."""

from __future__ import annotations

import json

import pytest

from hoarfrost.cli import main
from hoarfrost.generic.store import CatalogStore


def test_one_service_as_text(shared: CatalogStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "apigateway"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("apigateway: ")
    assert "  Resource  [resolved]  in RestApi by restApiId" in out
    assert "create  CreateResource  by restApiId(id->RestApi)" in out
    assert "identifiers: id resourceId key <- out id" in out
    assert "ImportRestApi" in out and "verb: 'Import' is no create" in out


def test_one_service_as_json(shared: CatalogStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "glue", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    table = next(family for family in document["families"] if family["name"] == "Table")
    assert table["parent"] == "Database" and table["resolved"] is True
    assert table["operations"]["read"][0]["operation"] == "GetTable"
    assert {item["reason"] for item in document["unresolved"]} >= {"verb", "batch"}


def test_summary(shared: CatalogStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--summary"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line and line[0].islower()
            and ":" not in line}
    assert "apigateway" in rows and "sqs" in rows
    assert "families: " in out and "unresolved operations: " in out
    assert main(["catalog", "--summary", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["total"]["services"] == len(document["services"]) > 400
    assert document["services"]["sqs"]["families"] >= 1


@pytest.mark.parametrize(("argv", "message"), [
    (["catalog", "nope"], "no service named 'nope'"),
    (["catalog"], "name a SERVICE"),
    (["catalog", "sqs", "--summary"], "not both"),
])
def test_errors(shared: CatalogStore, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err
