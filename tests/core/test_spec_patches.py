"""Spec patches: corrected once at load, seen by every reader of the catalog and the route index,
never by botocore's own clients, and the reason protocol code names no service."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import botocore.session

from hoarfrost.core import catalog, spec_patches
from hoarfrost.core.routing.route_index import ServiceIndex, shared_index
from hoarfrost.protocols import base as protocols_base
from hoarfrost.services import IMPLEMENTED

PROTOCOLS_DIR = Path(protocols_base.__file__).parent


def test_the_catalog_model_carries_the_patch() -> None:
    s3 = catalog.service_model("s3")
    assert s3.metadata[spec_patches.ERROR_STYLE] == "bare"
    assert s3.operation_model("ListBuckets").output_shape.serialization["name"] == "ListAllMyBucketsResult"
    queue_missing = catalog.service_model("sqs").shape_for("QueueDoesNotExist")
    assert queue_missing.metadata["error"] == {
        "code": "AWS.SimpleQueueService.NonExistentQueue", "httpStatusCode": 400, "senderFault": True}


def test_botocore_clients_keep_the_published_model() -> None:
    # The catalog patches a copy; the loader's cached description is what clients are built from.
    loader = catalog.botocore_session().get_component("data_loader")
    published = loader.load_service_model("sqs", "service-2")
    assert "error" not in published["shapes"]["QueueDoesNotExist"]
    assert spec_patches.LEGACY_PROTOCOLS not in published["metadata"]
    client_model = botocore.session.get_session().get_service_model("s3")
    assert "name" not in client_model.operation_model("ListBuckets").output_shape.serialization


def test_apply_copies_on_write_and_skips_shapes_the_model_lacks(monkeypatch: Any) -> None:
    description: dict[str, Any] = {"metadata": {"protocol": "rest-xml"}, "shapes": {"Out": {"type": "structure"}}}
    monkeypatch.setitem(spec_patches.PATCHES, "made-up", {
        "metadata": {spec_patches.ERROR_STYLE: "bare"},
        "shapes": {"Out": {"locationName": "Root"}, "NotInThisBotocore": {"locationName": "X"}},
    })
    patched = spec_patches.apply("made-up", description)
    assert patched["metadata"] == {"protocol": "rest-xml", spec_patches.ERROR_STYLE: "bare"}
    assert patched["shapes"] == {"Out": {"type": "structure", "locationName": "Root"}}
    assert description == {"metadata": {"protocol": "rest-xml"}, "shapes": {"Out": {"type": "structure"}}}
    assert spec_patches.apply("sts", description) is description  # no patch, no copy


def test_the_route_index_reads_patched_metadata() -> None:
    index = shared_index()
    assert "query" in index.services["sqs"].protocols
    assert index.virtual_hosted == ("s3",)
    assert index.anonymous_fallbacks == ("s3",)


def test_a_changed_patch_names_a_fresh_index_file(tmp_path: Path, monkeypatch: Any) -> None:
    before = ServiceIndex(tmp_path)._cache_file()
    monkeypatch.setitem(spec_patches.PATCHES, "sqs", {"metadata": {spec_patches.LEGACY_PROTOCOLS: []}})
    assert ServiceIndex(tmp_path)._cache_file() != before


def _string_literals(source: str) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_protocol_code_names_no_service() -> None:
    names = {*IMPLEMENTED, "s3control"}
    offenders = [
        f"{path.name}:{line}: {value!r}"
        for path in sorted(PROTOCOLS_DIR.glob("*.py"))
        for line, value in _string_literals(path.read_text())
        if value in names
    ]
    assert offenders == []
