"""The admin API under /_hoarfrost/: health, snapshot / restore / merge / reset, schema."""

from __future__ import annotations

import requests

import hoarfrost
from hoarfrost.core import catalog
from tests.harness import ServerHarness

STATE = "/_hoarfrost/state/sdb"
VIEW = {
    "schema_version": 1,
    "domains": {
        "alpha": {"name": "alpha", "created": "2024-01-02T03:04:05Z"},
        "beta": {"name": "beta", "created": "2024-02-03T04:05:06Z"},
    },
}


def domains(server: ServerHarness, **params: str) -> list[str]:
    response = requests.get(server.http_url(STATE), params=params)
    assert response.status_code == 200, response.text
    return sorted(response.json()["domains"])


def test_health_reports_version_and_operation_coverage(server: ServerHarness, sdb: str) -> None:
    response = requests.get(server.http_url("/_hoarfrost/health"))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    health = response.json()
    assert health["version"] == hoarfrost.__version__
    assert health["services"]["sdb"] == {
        "implemented_operations": 4,
        "operations": len(catalog.service_model("sdb").operation_names),
    }


def test_snapshot_restore_merge_reset_round_trip(server: ServerHarness, sdb: str) -> None:
    service = server.emulator.service("sdb")
    assert domains(server) == []

    restored = requests.put(server.http_url(STATE), json=VIEW)
    assert restored.status_code == 200, restored.text
    assert domains(server) == ["alpha", "beta"]
    snapshot = requests.get(server.http_url(STATE)).json()
    assert snapshot["account"] == "123456789012" and snapshot["region"] == "us-east-1"
    assert snapshot["domains"]["alpha"]["created"].startswith("2024-01-02T03:04:05")
    assert sorted(service.snapshot("123456789012", "us-east-1").domains) == ["alpha", "beta"]

    merged = requests.patch(
        server.http_url(STATE), json={"domains": {"gamma": {"name": "gamma", "created": "2025-01-01T00:00:00Z"}}}
    )
    assert merged.status_code == 200, merged.text
    assert domains(server) == ["alpha", "beta", "gamma"]

    # Restore replaces: what the view does not name is gone.
    requests.put(server.http_url(STATE), json={"domains": {"delta": {"name": "delta", "created": "2025-01-01T00:00:00Z"}}})
    assert domains(server) == ["delta"]

    reset = requests.delete(server.http_url(STATE))
    assert reset.status_code == 200
    assert domains(server) == []


def test_scopes_are_chosen_by_account_and_region(server: ServerHarness, sdb: str) -> None:
    scope = {"account": "111122223333", "region": "eu-west-1"}
    requests.put(server.http_url(STATE), params=scope, json=VIEW).raise_for_status()
    requests.put(server.http_url(STATE), json={"domains": {"home": {"name": "home", "created": "2024-01-01T00:00:00Z"}}})

    assert domains(server, **scope) == ["alpha", "beta"]
    assert domains(server) == ["home"]
    assert requests.get(server.http_url(STATE), params=scope).json()["account"] == "111122223333"

    # Deleting one scope leaves the others.
    requests.delete(server.http_url(STATE), params=scope).raise_for_status()
    assert domains(server, **scope) == []
    assert domains(server) == ["home"]


def test_invalid_restore_changes_nothing_and_names_the_kind(server: ServerHarness, sdb: str) -> None:
    requests.put(server.http_url(STATE), json=VIEW).raise_for_status()

    inconsistent = {"domains": {"alpha": {"name": "not-alpha", "created": "2024-01-01T00:00:00Z"}}}
    for body in (inconsistent, {"domains": {}, "no_such_field": 1}):
        response = requests.put(server.http_url(STATE), json=body)
        assert response.status_code == 400
        error = response.json()
        assert error["error"] == "StateViewError"
        assert error["kind"] == "invalid"
        assert error["message"]
    not_json = requests.put(server.http_url(STATE), data=b"{not json")
    assert not_json.status_code == 400 and not_json.json()["kind"] == "invalid"
    merge = requests.patch(server.http_url(STATE), json=inconsistent)
    assert merge.status_code == 400 and merge.json()["kind"] == "invalid"

    assert domains(server) == ["alpha", "beta"]


def test_schema_is_the_views_json_schema(server: ServerHarness, sdb: str) -> None:
    response = requests.get(server.http_url(STATE + "/schema"))

    assert response.status_code == 200
    schema = response.json()
    assert schema == server.emulator.service("sdb").json_schema()
    assert "domains" in schema["properties"] and "schema_version" in schema["properties"]


def test_unknown_service_and_route_answer_json_errors(server: ServerHarness) -> None:
    unknown = requests.get(server.http_url("/_hoarfrost/state/no-such-service"))
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "UnknownService"
    assert "no-such-service" in unknown.json()["message"]

    not_implemented = requests.get(server.http_url("/_hoarfrost/state/cur"))  # nothing the engine serves
    assert not_implemented.status_code == 404
    assert "does not implement" in not_implemented.json()["message"]

    assert requests.get(server.http_url("/_hoarfrost/nothing-here")).status_code == 404
    wrong_method = requests.post(server.http_url("/_hoarfrost/health"))
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "MethodNotAllowed"


def test_export_and_import_everything(server: ServerHarness, sdb: str) -> None:
    requests.put(server.http_url(STATE), json=VIEW).raise_for_status()
    requests.put(server.http_url(STATE), params={"region": "eu-west-1"}, json=VIEW).raise_for_status()
    exported = requests.get(server.http_url("/_hoarfrost/state")).json()
    scopes = [(v["service"], v["account"], v["region"]) for v in exported["views"] if v["service"] == "sdb"]
    assert scopes == [("sdb", "123456789012", "eu-west-1"), ("sdb", "123456789012", "us-east-1")]

    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert domains(server) == [] and domains(server, region="eu-west-1") == []

    # A document with one bad view is refused whole.
    bad = {"views": [*exported["views"], {"service": "sdb", "account": "1", "region": "r", "view": {"x": 1}}]}
    refused = requests.put(server.http_url("/_hoarfrost/state"), json=bad)
    assert refused.status_code == 400 and refused.json()["kind"] == "invalid"
    assert domains(server) == []

    imported = requests.put(server.http_url("/_hoarfrost/state"), json=exported)
    assert imported.status_code == 200, imported.text
    assert domains(server) == ["alpha", "beta"]
    assert domains(server, region="eu-west-1") == ["alpha", "beta"]


def test_moto_api_reset_resets_everything(server: ServerHarness, sdb: str) -> None:
    requests.put(server.http_url(STATE), json=VIEW).raise_for_status()

    response = requests.post(server.http_url("/moto-api/reset"))

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert domains(server) == []


def test_state_of_a_service_the_generic_engine_serves(server: ServerHarness) -> None:
    server.client("codecommit").create_repository(repositoryName="app")
    url = server.http_url("/_hoarfrost/state/codecommit")
    view = requests.get(url).json()
    assert [(item["family"], item["identifiers"]["repositoryName"]) for item in view["resources"]] == [
        ("Repository", "app")]
    assert requests.delete(url).status_code == 200
    assert server.client("codecommit").list_repositories()["repositories"] == []
    assert requests.put(url, json=view).status_code == 200
    names = [repo["repositoryName"] for repo in server.client("codecommit").list_repositories()["repositories"]]
    assert names == ["app"]


def test_a_view_over_http_restores_anywhere(server: ServerHarness) -> None:
    """GET answers the view with its blobs: after the scope is reset, PUT of that body (JSON,
    or the tar form) brings the objects back; a body naming blobs it does not carry is a 409
    and changes nothing; PATCH merges with blobs too."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="selfcontained")
    s3.put_object(Bucket="selfcontained", Key="a.txt", Body=b"alpha")
    url = server.http_url("/_hoarfrost/state/s3")
    body = requests.get(url)
    assert body.status_code == 200 and len(body.json()["blobs"]) == 1
    tar = requests.get(url, headers={"Accept": "application/x-tar"})
    assert tar.headers["content-type"] == "application/x-tar"

    assert requests.delete(url).status_code == 200
    assert requests.put(url, data=body.content).status_code == 200
    assert s3.get_object(Bucket="selfcontained", Key="a.txt")["Body"].read() == b"alpha"

    assert requests.delete(url).status_code == 200
    assert requests.put(url, data=tar.content, headers={"Content-Type": "application/x-tar"}).status_code == 200
    assert s3.get_object(Bucket="selfcontained", Key="a.txt")["Body"].read() == b"alpha"

    without = body.json()
    del without["blobs"]
    requests.delete(url)
    s3.create_bucket(Bucket="untouched")
    refused = requests.put(url, json=without)
    assert refused.status_code == 409 and refused.json()["kind"] == "blob"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["untouched"]

    assert requests.patch(url, data=body.content).status_code == 200
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == ["selfcontained", "untouched"]
    assert s3.get_object(Bucket="selfcontained", Key="a.txt")["Body"].read() == b"alpha"
    assert requests.put(url, data=b"not json").status_code == 400
