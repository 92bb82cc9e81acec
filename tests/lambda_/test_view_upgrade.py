"""Lambda views written before schema 2 carried each code package's zip inline (``zip_file``,
base64); schema 2 names a blob. Such a view still restores and merges: the zips are written to
the blob store (hash checked) and the functions run."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.views import StateViewError
from tests.harness import Harness
from tests.lambda_.conftest import create, python_zip, zip_of


def _populate(lam: Any) -> None:
    layer = lam.publish_layer_version(LayerName="lib", Content={"ZipFile": zip_of(
        {"python/lib.py": "WORD = 'from layer'\n"})})["LayerVersionArn"]
    create(lam, "f", "def handler(e, c):\n    return 'v1'\n")
    create(lam, "uses-layer", "import lib\ndef handler(e, c):\n    return lib.WORD\n", Layers=[layer])
    lam.publish_version(FunctionName="f")
    lam.update_function_code(FunctionName="f", ZipFile=python_zip("def handler(e, c):\n    return 'latest'\n"))


def _views(aws: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scope's view as schema 1 wrote it before the zips moved to blobs (each package
    ``{"sha256", "zip_file"}``), and as schema 1 wrote it after (naming blobs, no zips)."""
    archive = MemoryBlobArchive()
    current = json.loads(aws.emulator.service("lambda").snapshot_with_blobs(aws.account, aws.region, archive)
                         .model_dump_json())
    assert current["schema_version"] == 2
    inline = json.loads(json.dumps(current))
    inline["schema_version"] = 1
    # pydantic wrote bytes in the URL-safe base64 alphabet.
    inline["code_packages"] = [{"sha256": p["sha256"],
                                "zip_file": base64.urlsafe_b64encode(archive.blobs[p["blob"]]).decode()}
                               for p in current["code_packages"]]
    named = dict(current, schema_version=1)
    return inline, named


def _calls(client: Any) -> tuple[Any, ...]:
    call = lambda **kw: json.loads(client.invoke(**kw)["Payload"].read())
    return call(FunctionName="f"), call(FunctionName="f", Qualifier="1"), call(FunctionName="uses-layer")


def test_a_view_with_inline_zips_restores_into_a_fresh_emulator(aws: Harness) -> None:
    _populate(aws.client("lambda"))
    inline, _ = _views(aws)
    with hoarfrost.mock_aws() as fresh:
        service = fresh.service("lambda")
        service.restore(aws.account, aws.region, json.dumps(inline))  # no blob source: the zips are inline
        assert _calls(boto3.client("lambda", region_name=aws.region)) == ("latest", "v1", "from layer")
        again = json.loads(service.snapshot(aws.account, aws.region).model_dump_json())
        assert again["schema_version"] == 2
        assert all(set(p) == {"sha256", "blob", "size"} for p in again["code_packages"])
        assert sorted(p["blob"] for p in again["code_packages"]) == sorted(
            k for k in fresh.blobs.keys() if k.startswith("lambda/"))
        sizes = {p["sha256"]: len(base64.urlsafe_b64decode(p["zip_file"])) for p in inline["code_packages"]}
        assert {p["sha256"]: p["size"] for p in again["code_packages"]} == sizes


def test_inline_zips_merge_and_restore_with_a_blob_source(aws: Harness) -> None:
    lam = aws.client("lambda")
    _populate(lam)
    inline, named = _views(aws)
    with hoarfrost.mock_aws() as fresh:
        service = fresh.service("lambda")
        client = boto3.client("lambda", region_name=aws.region)
        create(client, "kept", "def handler(e, c):\n    return 'kept'\n")
        service.merge(aws.account, aws.region, inline)
        assert _calls(client) == ("latest", "v1", "from layer")
        assert json.loads(client.invoke(FunctionName="kept")["Payload"].read()) == "kept"
    with hoarfrost.mock_aws() as fresh:
        # The admin API's path: a blob source beside the view (it has none of the inline zips).
        fresh.service("lambda").restore_with_blobs(aws.account, aws.region, inline, MemoryBlobArchive())
        assert _calls(boto3.client("lambda", region_name=aws.region)) == ("latest", "v1", "from layer")
    # A schema 1 view that already names blobs restores as it is.
    service = aws.emulator.service("lambda")
    before = service.snapshot(aws.account, aws.region)
    service.restore(aws.account, aws.region, named)
    assert service.snapshot(aws.account, aws.region) == before


def test_an_inline_zip_that_does_not_match_its_hash_changes_nothing(aws: Harness) -> None:
    _populate(aws.client("lambda"))
    inline, _ = _views(aws)
    inline["code_packages"][0]["zip_file"] = base64.b64encode(b"not the zip").decode()
    with hoarfrost.mock_aws() as fresh:
        service = fresh.service("lambda")
        client = boto3.client("lambda", region_name=aws.region)
        create(client, "kept", "def handler(e, c):\n    return 'kept'\n")
        before = service.snapshot(aws.account, aws.region)
        blobs = sorted(fresh.blobs.keys())
        for apply in (service.restore, service.merge):
            with pytest.raises(StateViewError) as exc:
                apply(aws.account, aws.region, inline)
            assert exc.value.kind == "invalid" and "SHA-256" in str(exc.value)
        assert service.snapshot(aws.account, aws.region) == before and sorted(fresh.blobs.keys()) == blobs
        broken = json.loads(json.dumps(inline))
        broken["code_packages"][0]["zip_file"] = "not base64!"
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, broken)
        assert exc.value.kind == "invalid"
        assert service.snapshot(aws.account, aws.region) == before and sorted(fresh.blobs.keys()) == blobs
