"""The pytest plugin, as a user meets it: a sample project in a temporary directory (no
conftest) run by a pytest subprocess that finds the plugin through its ``pytest11`` entry point.

Where hoarfrost is installed from a checkout that predates the entry point (an editable install
is not re-read until reinstalled), a stand-in distribution declaring the same entry point is put
on the subprocess's path, so the plugin still loads the way pip installs it, never by ``-p``.
"""

from __future__ import annotations

import json
import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "hoarfrost.pytest_plugin"


def test_the_entry_point_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"hoarfrost": ENTRY}


@pytest.fixture
def project(pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory,
            monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A test project whose pytest loads the plugin through the ``pytest11`` entry point."""
    installed = any(ep.name == "hoarfrost" and ep.value == ENTRY for ep in metadata.entry_points(group="pytest11"))
    paths = [str(ROOT / "src")]
    if not installed:
        site = tmp_path_factory.mktemp("site")
        info = site / "hoarfrost_pytest_entry-0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hoarfrost-pytest-entry\nVersion: 0\n")
        (info / "entry_points.txt").write_text(f"[pytest11]\nhoarfrost = {ENTRY}\n")
        paths.append(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    return pytester


def _run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest_subprocess("-p", "no:cacheprovider", *args)


S3_VIEW_TEST = '''
import boto3

def test_buckets(aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="made-here")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["made-here"]
    assert aws.service("s3").snapshot(aws.settings.default_account, "us-east-1").buckets

def test_isolated(aws):
    import boto3
    assert boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"] == []
'''


def test_the_fixture_is_an_active_mock_per_test(project: pytest.Pytester) -> None:
    project.makepyfile(test_sample=S3_VIEW_TEST)
    result = _run(project, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*hoarfrost*"])  # the plugin is listed in the session header


def _export(setup: str) -> dict:
    """The whole-emulator document a server answers after ``setup`` ran against it."""
    import boto3

    from hoarfrost.state import export_document
    from hoarfrost.mock import mock_aws

    with mock_aws() as emulator:
        client = {"s3": boto3.client("s3", region_name="us-east-1"),
                  "sqs": boto3.client("sqs", region_name="us-east-1")}
        exec(setup, {"c": client})
        return export_document(emulator)


SEEDED = "c['s3'].create_bucket(Bucket='seeded'); c['s3'].put_object(Bucket='seeded', Key='k', Body=b'hello')\n" \
         "c['sqs'].create_queue(QueueName='jobs')"


def test_the_marker_seeds_from_a_whole_emulator_file(project: pytest.Pytester) -> None:
    fixtures = project.mkdir("fixtures")
    (fixtures / "state.json").write_text(json.dumps(_export(SEEDED)))
    project.makepyfile(test_seeded='''
import boto3, pytest

@pytest.mark.aws_state("fixtures/state.json")
def test_seeded(aws):
    s3 = boto3.client("s3", region_name="us-east-1")
    assert s3.get_object(Bucket="seeded", Key="k")["Body"].read() == b"hello"
    assert boto3.client("sqs", region_name="us-east-1").list_queues()["QueueUrls"][0].endswith("/jobs")

def test_unseeded(aws):
    assert boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"] == []
''')
    _run(project).assert_outcomes(passed=2)


def test_the_marker_seeds_one_service_view_from_a_dict(project: pytest.Pytester) -> None:
    view = next(entry["view"] for entry in _export("c['sqs'].create_queue(QueueName='from-dict')")["views"]
                if entry["service"] == "sqs")
    project.makepyfile(test_dict=f'''
import boto3, pytest

VIEW = {view!r}

@pytest.mark.aws_state(VIEW, service="sqs")
def test_from_dict(aws):
    urls = boto3.client("sqs", region_name="us-east-1").list_queues()["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["from-dict"]

@pytest.mark.aws_state(VIEW)
def test_a_view_without_service_is_refused(aws):
    pass

@pytest.mark.aws_state("missing.json")
def test_a_missing_file_is_named(aws):
    pass

@pytest.mark.aws_state(VIEW, service="sqs")
def test_the_marker_needs_the_fixture():
    pass
''')
    result = _run(project)
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines(["*not a whole-emulator document*service=*", "*no file *missing.json*",
                                 "*seeds the aws fixture; test_the_marker_needs_the_fixture must use it*"])


def test_a_failing_test_writes_its_state(project: pytest.Pytester, tmp_path: Path) -> None:
    project.makepyfile(test_fails='''
import boto3

def test_fails(aws):
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="evidence")
    assert False, "look at the queue"

def test_passes(aws):
    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="fine")
''')
    dumps = tmp_path / "dumps"
    result = _run(project, f"--aws-state-on-failure={dumps}")
    result.assert_outcomes(passed=1, failed=1)
    written = sorted(dumps.iterdir())
    assert [path.name for path in written] == ["test_fails.py_test_fails.json"]
    document = json.loads(written[0].read_text())
    assert document["format"] == "hoarfrost-state"
    queues = [entry["view"] for entry in document["views"] if entry["service"] == "sqs"]
    assert [queue["queue_url"].rsplit("/", 1)[1] for view in queues for queue in view["queues"]] == ["evidence"]
    result.stdout.fnmatch_lines([f"*written to {written[0]}*"])


def test_the_dump_seeds_a_reproduction(project: pytest.Pytester, tmp_path: Path) -> None:
    """What a failure writes is exactly what the marker reads."""
    project.makepyfile(test_fails='''
import boto3

def test_fails(aws):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="evidence")
    assert False
''')
    _run(project, f"--aws-state-on-failure={tmp_path}").assert_outcomes(failed=1)
    dump = next(tmp_path.glob("*.json"))
    project.makepyfile(test_fails=f'''
import boto3, pytest

@pytest.mark.aws_state({str(dump)!r})
def test_reproduce(aws):
    assert [b["Name"] for b in boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]] == ["evidence"]
''')
    _run(project).assert_outcomes(passed=1)


def test_xdist_workers_keep_their_own_state(project: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    project.makepyfile(test_parallel='''
import boto3, pytest

@pytest.mark.parametrize("n", range(6))
def test_each_alone(aws, n):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=f"b{n}")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"b{n}"]
''')
    _run(project, "-p", "xdist", "-n", "2").assert_outcomes(passed=6)


def test_a_projects_own_aws_fixture_takes_precedence(project: pytest.Pytester) -> None:
    """hoarfrost's own tests/conftest.py defines ``aws``; with the plugin installed it must win."""
    project.makeconftest('''
import pytest

@pytest.fixture
def aws():
    return "the project's own"
''')
    project.makepyfile(test_own='''
def test_own(aws):
    assert aws == "the project's own"
''')
    _run(project).assert_outcomes(passed=1)


def test_one_service_view_with_its_blobs_inline(project: pytest.Pytester) -> None:
    """A file saved from ``GET /_hoarfrost/state/s3`` (the bodies inline) seeds S3 with service="s3"."""
    import boto3

    from hoarfrost.core.blobs import MemoryBlobArchive
    from hoarfrost.mock import mock_aws
    from hoarfrost.server import view_documents

    with mock_aws() as emulator:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="single")
        s3.put_object(Bucket="single", Key="a.txt", Body=b"inline body")
        archive = MemoryBlobArchive()
        view = emulator.service("s3").snapshot_with_blobs(emulator.settings.default_account, "us-east-1", archive)
        body = view_documents.encode(view.model_dump_json(), archive, tar=False).body
    assert b'"blobs"' in body
    (project.path / "s3.json").write_bytes(body)
    project.makepyfile(test_single='''
import boto3, pytest

@pytest.mark.aws_state("s3.json", service="s3")
def test_single(aws):
    assert boto3.client("s3", region_name="us-east-1").get_object(Bucket="single", Key="a.txt")["Body"].read() \\
        == b"inline body"
''')
    _run(project).assert_outcomes(passed=1)
