"""Whole-environment export and import: every service, account and region, blobs included, in
one JSON document. The admin API answers it (``GET /_hoarfrost/state``), ``hoarfrost state
export/import`` writes and reads it (against a server or directly on a state directory), and
these functions do the same for an in-process mock::

    with mock_aws():
        ...                                   # build an environment with boto3
        hoarfrost.state.export_to("env.json")
    with mock_aws():
        hoarfrost.state.import_from("env.json")               # the same environment again
        hoarfrost.state.import_from("more.json", merge=True)  # add to it, removing nothing

The document::

    {"format": "hoarfrost-state", "version": "0.1.0", "clock": {"offset": seconds},
     "views": [{"service", "account", "region", "view"}, ...], "blobs": {key: base64}}

The clock travels with the views: their timestamps (visibility deadlines, TTLs, schedules)
are on the emulator's clock, so an environment whose clock was moved is restored with it.

An import is all or nothing: the whole document is first loaded into a scratch Emulator (every
view parsed and checked, every blob found); only then is the target touched. ``progress`` is
called as ``progress(done, total, label)`` after each scope, for terminals (the CLI draws it).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hoarfrost
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from hoarfrost.server import view_documents

EXPORT_FORMAT = "hoarfrost-state"

Progress = Callable[[int, int, str], None]


def export_document(emulator: Emulator, *, blobs: bool = True, secrets: bool = False,
                    progress: Progress | None = None) -> dict[str, Any]:
    """Every scope of every started service (see the module docstring), the payloads the views
    name (S3 object bodies) included unless ``blobs`` is False, so the document alone rebuilds
    the environment elsewhere; IAM's secret access keys only as hashes unless ``secrets``."""
    archive = MemoryBlobArchive() if blobs else None
    scopes = [(service, account, region)
              for service in sorted(emulator.started_services(), key=lambda s: s.state_key)
              for account, region in sorted(service.scopes_with_state())]
    views = []
    for done, (service, account, region) in enumerate(scopes, 1):
        view = service.snapshot(account, region, secrets=secrets) if archive is None else \
            service.snapshot_with_blobs(account, region, archive, secrets=secrets)
        views.append({"service": service.state_key, "account": account, "region": region,
                      "view": json.loads(view.model_dump_json())})
        if progress is not None:
            progress(done, len(scopes), f"{service.state_key} {account}/{region}")
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "version": hoarfrost.__version__,
                                "clock": {"offset": emulator.clock.offset}, "views": views}
    if archive is not None and archive.blobs:
        document["blobs"] = view_documents.inline(archive)
    return document


def import_document(emulator: Emulator, document: Any, *, merge: bool = False,
                    resolve: Callable[[str], str] | None = None, progress: Progress | None = None) -> int:
    """Load an ``export_document`` document into ``emulator``; answers the number of views.

    By default it replaces all state (and the clock); with ``merge`` every view is merged into
    its scope by the services' merge rule (nothing is removed) and the clock only moves forward
    to the document's. A bad document raises ``StateViewError`` and leaves ``emulator`` exactly
    as it was. ``resolve`` maps an entry's service name to its state key, raising for a service
    it does not know (the admin API answers 404); without it such a service is ``invalid``."""
    entries = document.get("views") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise StateViewError("invalid", 'expected {"views": [{"service", "account", "region", "view"}, ...]}')
    plan: list[tuple[str, str, str, Any]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"service", "account", "region", "view"} <= entry.keys():
            raise StateViewError("invalid", f"views[{index}] needs service, account, region and view")
        name = str(entry["service"])
        if resolve is not None:
            name = resolve(name)
        elif not _serves(emulator, name):
            raise StateViewError("invalid", f"views[{index}] names {name!r}, a service hoarfrost does not serve")
        plan.append((name, str(entry["account"]), str(entry["region"]), entry["view"]))
    offset = _clock_offset(document)
    source = view_documents.blob_archive(document.get("blobs"))
    scratch = Emulator(dataclasses.replace(emulator.settings, blob_dir=None))
    try:
        _load(scratch, plan, source, merge=False)
    finally:
        scratch.close()
    _load(emulator, plan, source, merge=merge, progress=progress)
    if offset > emulator.clock.offset:
        emulator.clock.advance(offset - emulator.clock.offset)
    return len(plan)


def _clock_offset(document: dict[str, Any]) -> float:
    clock = document.get("clock")
    if clock is None:
        return 0.0
    offset = clock.get("offset") if isinstance(clock, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or offset < 0 or offset != offset:
        raise StateViewError("invalid", f'"clock" must be {{"offset": <seconds, not negative>}}, not {clock!r}')
    return float(offset)


def _serves(emulator: Emulator, name: str) -> bool:
    try:
        emulator.service(name)
    except KeyError:
        return False
    return True


def _load(emulator: Emulator, plan: list[tuple[str, str, str, Any]], source: MemoryBlobArchive | None, *,
          merge: bool, progress: Progress | None = None) -> None:
    """Restore (after a reset of everything) or merge every (service, account, region, view)."""
    if not merge:
        emulator.reset()
    for done, (name, account, region, view) in enumerate(plan, 1):
        service = emulator.service(name)
        if merge:
            service.merge_with_blobs(account, region, view, source)
        elif source is None:
            service.restore(account, region, view)
        else:
            service.restore_with_blobs(account, region, view, source)
        if progress is not None:
            progress(done, len(plan), f"{name} {account}/{region}")


# -- the in-process mock ------------------------------------------------------------------------
def _active(emulator: Emulator | None) -> Emulator:
    if emulator is not None:
        return emulator
    from hoarfrost.mock import active_emulator

    found = active_emulator()
    if found is None:
        raise RuntimeError("no mock_aws() is active: call this inside one, or pass emulator=")
    return found


def export_to(path: str | os.PathLike[str], *, emulator: Emulator | None = None, secrets: bool = False,
              progress: Progress | None = None) -> int:
    """Write the whole environment of ``emulator`` (default: the innermost active ``mock_aws()``)
    to ``path`` as an export document; answers the number of views written."""
    document = export_document(_active(emulator), secrets=secrets, progress=progress)
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return len(document["views"])


def import_from(path: str | os.PathLike[str], *, merge: bool = False, emulator: Emulator | None = None,
                progress: Progress | None = None) -> int:
    """Load an export document from ``path`` into ``emulator`` (default: the innermost active
    ``mock_aws()``), replacing its state, or merging with ``merge``; answers the number of views.
    A file that is not a valid export raises ``StateViewError`` and changes nothing."""
    try:
        document = json.loads(Path(path).read_bytes())
    except ValueError as exc:
        raise StateViewError("invalid", f"{path} is not JSON: {exc}") from exc
    return import_document(_active(emulator), document, merge=merge, progress=progress)
