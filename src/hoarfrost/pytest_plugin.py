"""hoarfrost's pytest plugin, installed with the package (the ``pytest11`` entry point), so a
project needs no conftest to use it:

* ``aws`` — a fixture: an active in-process ``mock_aws()`` for the test; it yields the
  ``Emulator`` (``aws.clock.advance(60)``, ``aws.service("s3").snapshot(...)``). boto3 clients
  created in the test are answered by it. A project's own ``aws`` fixture (a conftest's)
  takes precedence over this one, as pytest ranks conftest fixtures above plugins'.
* ``@pytest.mark.aws_state(source, service=None)`` — seeds the ``aws`` fixture's emulator before
  the test. ``source`` is a dict or a path (relative to the test file's directory) of a JSON
  document:

  - without ``service``: a whole-emulator document as ``GET /_hoarfrost/state`` answers it
    (``{"views": [{"service", "account", "region", "view"}, ...], "blobs": {...}}``);
  - with ``service="s3"``: one scope's view as ``GET /_hoarfrost/state/s3`` answers it (blobs
    inline); its scope is the view's ``account`` and ``region``, else the emulator's defaults.

  Several marks apply outermost first (module, class, then function), each restoring the
  scopes it names.
* ``--aws-state-on-failure=DIR`` — when a test using ``aws`` fails, the emulator's whole state
  (the same document, blobs included) is written to ``DIR/<test id>.json`` for inspection or
  for seeding a reproduction with the marker.

Each test gets its own Emulator in its own process, so pytest-xdist workers never share state.
hoarfrost is imported only when a test asks for it: having the plugin installed costs a pytest
session that does not use it nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

MARKER = "aws_state"
OPTION = "aws_state_on_failure"
_EMULATOR = pytest.StashKey["Emulator"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hoarfrost")
    group.addoption(
        "--aws-state-on-failure", dest=OPTION, metavar="DIR", default=None,
        help="write the hoarfrost state of each failing test that uses the aws fixture to DIR/<test id>.json",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(source, service=None): seed the aws fixture's emulator from a JSON file or dict "
        "(a GET /_hoarfrost/state document, or one service's view with service=...)",
    )


@pytest.fixture
def aws(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """An active in-process mock for this test, seeded by its ``aws_state`` marks."""
    from hoarfrost.mock import mock_aws

    with mock_aws() as emulator:
        for mark in reversed(list(request.node.iter_markers(MARKER))):
            seed(emulator, *mark.args, base=Path(str(request.node.path)).parent, **mark.kwargs)
        request.node.stash[_EMULATOR] = emulator
        try:
            yield emulator
        finally:
            del request.node.stash[_EMULATOR]


def seed(emulator: Emulator, source: str | Path | Mapping[str, Any], *, service: str | None = None,
         base: Path | None = None) -> None:
    """Restore ``source`` (a dict, or a JSON file's path relative to ``base``) into ``emulator``."""
    from hoarfrost.core.views import StateViewError
    from hoarfrost.server import view_documents

    document = _read(source, base)
    if not isinstance(document, dict):
        pytest.fail(f"{MARKER}: {_name(source)} is not a JSON object", pytrace=False)
    document = dict(document)
    blobs = view_documents.blob_archive(document.pop("blobs", None))
    if service is None:
        if not isinstance(document.get("views"), list):
            pytest.fail(
                f"{MARKER}: {_name(source)} is not a whole-emulator document ({{\"views\": [...]}}, as "
                "GET /_hoarfrost/state answers); for one service's view pass service=\"<name>\"", pytrace=False)
        for index, entry in enumerate(document["views"]):
            if not isinstance(entry, dict) or not {"service", "account", "region", "view"} <= entry.keys():
                raise StateViewError("invalid", f"views[{index}] needs service, account, region and view")
            # Scope by scope, no reset: the emulator is the test's own and several marks add up.
            _restore(emulator, str(entry["service"]), str(entry["account"]), str(entry["region"]),
                     entry["view"], blobs)
        return
    _restore(emulator, service, str(document.get("account") or emulator.settings.default_account),
             str(document.get("region") or emulator.settings.default_region), document, blobs)


def _restore(emulator: Emulator, service: str, account: str, region: str, view: Any, blobs: Any) -> None:
    try:
        target = emulator.service(service)
    except KeyError as exc:
        pytest.fail(f"{MARKER}: {exc.args[0]}", pytrace=False)
    if blobs is None:
        target.restore(account, region, view)
    else:
        target.restore_with_blobs(account, region, view, blobs)


def _read(source: str | Path | Mapping[str, Any], base: Path | None) -> Any:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        pytest.fail(f"{MARKER}: no file {path}", pytrace=False)
    except ValueError as exc:
        pytest.fail(f"{MARKER}: {path} is not JSON: {exc}", pytrace=False)


def _name(source: object) -> str:
    return "the dict given" if isinstance(source, Mapping) else str(source)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(MARKER) is not None and "aws" not in getattr(item, "fixturenames", ()):
        pytest.fail(f"@pytest.mark.{MARKER} seeds the aws fixture; {item.name} must use it", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    directory = item.config.getoption(OPTION)
    if directory and report.failed and call.when in ("setup", "call"):
        emulator = item.stash.get(_EMULATOR, None)
        if emulator is not None:
            path = dump_state(emulator, Path(directory), item.nodeid)
            report.sections.append(("hoarfrost state", f"written to {path}"))
    return report


def dump_state(emulator: Emulator, directory: Path, nodeid: str) -> Path:
    """Write the whole state of ``emulator`` (a ``GET /_hoarfrost/state`` document) for ``nodeid``."""
    from hoarfrost.state import export_document

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_") + ".json")
    path.write_text(json.dumps(export_document(emulator), indent=2, sort_keys=True), encoding="utf-8")
    return path
