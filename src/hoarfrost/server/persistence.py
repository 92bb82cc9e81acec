"""``hoarfrost serve --state-dir DIR``: state that outlives the server, saved crash-safely.

The directory (every file JSON a person or ``jq`` can read, but the blobs)::

    DIR/manifest.json                              the last complete save: generation, the emulator
                                                   clock's offset from real time, and for each
                                                   scope (service, account, region) its view file
    DIR/views/<service>/<account>/<region>.<generation>.json   one scope's state view
    DIR/blobs/                                     payloads the views name (S3 bodies), by key digest
    DIR/.lock                                      held while a server uses the directory

Why it survives ``kill -9`` at any moment: a save writes the views of the scopes that changed to
*new* files (temp file, fsync, rename), fsyncs the blobs those views name, and only then
replaces ``manifest.json`` by an atomic rename. That rename is the one switch: before it the
previous manifest and every file it names are untouched, after it the new one is complete.
Superseded view files are removed after the switch; a blob the live state lets go of is only
*marked* (``DeferringBlobStore``) and deleted once a committed manifest no longer names it. On
load, whatever the last manifest does not name (files of a save cut short, bodies uploaded
after it) is swept away.

Saves stay off the request path: the services announce every change (``notifier.subscribe``);
the listener only records the scope as dirty, and a background thread saves dirty scopes a
short delay later (so a burst of writes costs one save, and a steady stream one save per delay).
The only moment a save shares with requests is the scope's view copy under its lock, the same
as an admin GET of that scope.

The clock's offset (how far a test or a person moved the emulator's time, ``POST
/_hoarfrost/clock``) is saved with the views and put back before them at load: the views'
timestamps (visibility deadlines, TTLs, schedules) are on that clock, and a restored emulator
that forgot it would expire and fire them at the wrong time.

Loading is all or nothing: every view is read and checked (and upgraded from an older
``schema_version``) before the first is restored, and the server refuses to start, naming the
service, scope and version, when any cannot be.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hoarfrost
from hoarfrost.core.blobs import Chunks, DirectoryBlobStore
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateChange, StatefulService, StateViewError, Subscription

try:  # the single-writer lock is advisory and POSIX-only; elsewhere it is skipped
    import fcntl

    _HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    _HAS_FCNTL = False

log = logging.getLogger("hoarfrost.persistence")

FORMAT = "hoarfrost-state-dir"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DEFAULT_SAVE_DELAY = 0.5

ScopeKey = tuple[str, str, str]  # (state key, account, region)


class PersistenceError(Exception):
    """The state directory cannot be used (unreadable, newer than this release, in use)."""


# -- files ------------------------------------------------------------------------------------
def _fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` completely or not at all, even after a crash: temp file, fsync,
    rename, fsync of the directory."""
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def _file_part(name: str) -> str:
    """A path component for an account or region: itself when plain, else percent-quoted, so no
    name (``..``, ``a/b``) reaches outside the directory. Only cosmetic: the manifest and the
    view itself say which scope a file holds."""
    if _PLAIN.fullmatch(name) and name not in (".", ".."):
        return name
    return "%" + urllib.parse.quote(name, safe="").replace(".", "%2E")


# -- blobs -------------------------------------------------------------------------------------
class DeferringBlobStore(DirectoryBlobStore):
    """The live blob store of a persistent server: a deletion only marks the blob, because the
    last complete save may still name it; ``Persister`` deletes it once a committed manifest no
    longer does. A marked blob no longer ``exists`` for the live state (a restore that names it
    writes it again, which unmarks it)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__(root)
        self._marks_lock = threading.Lock()
        self.released: set[str] = set()  # let go of by the live state
        self._deciding: set[str] = set()  # taken by a save in progress, deleted after its switch

    def _delete_now(self, key: str) -> None:
        with self._marks_lock:
            self.released.add(key)

    def put(self, key: str, data: bytes | Chunks) -> int:
        with self._marks_lock:  # unmark first: a save finishing meanwhile then keeps the file
            self.released.discard(key)
            self._deciding.discard(key)
        return super().put(key, data)

    def exists(self, key: str) -> bool:
        with self._marks_lock:
            if key in self.released or key in self._deciding:
                return False
        return super().exists(key)

    def take_released(self) -> None:
        """A save starts: the blobs released so far are decided on when it commits."""
        with self._marks_lock:
            self._deciding |= self.released
            self.released = set()

    def settle(self, named: set[str] | None) -> None:
        """The save committed (``named``: every blob it names) or failed (None). Blobs it no
        longer names are deleted; the others stay marked for a later save."""
        with self._marks_lock:
            deciding, self._deciding = self._deciding, set()
            keep = deciding if named is None else deciding & named
            self.released |= keep
            for key in deciding - keep:
                DirectoryBlobStore._delete_now(self, key)

    def sync(self, key: str) -> None:
        """fsync the blob's file, so a save naming it survives a power cut as well as a kill."""
        try:
            fd = os.open(self.path_for(key), os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _KeyRecorder:
    """A ``BlobSink`` that only notes the keys a view names: the blobs are already in the
    directory (the live store is the saved one), nothing needs copying."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def write_batch(self, blobs: Sequence[tuple[str, Chunks]]) -> None:
        for key, chunks in blobs:
            self.keys.add(key)
            close = getattr(chunks, "close", None)
            if close is not None:  # an unstarted generator: never opens the file
                close()


# -- the persister -----------------------------------------------------------------------------
class Persister:
    """Loads ``state_dir`` into an Emulator and keeps saving it there.

    Use: ``Persister(emulator, path)`` (before any service started: it installs the blob store),
    ``load()``, ``start()``; ``close()`` saves what changed and stops the thread. ``close`` is
    idempotent, and the thread is a daemon, so it never keeps a process alive.
    """

    def __init__(self, emulator: Emulator, state_dir: str | os.PathLike[str],
                 save_delay: float = DEFAULT_SAVE_DELAY) -> None:
        self.emulator = emulator
        self.root = Path(state_dir).resolve()
        self.save_delay = save_delay
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = self._take_lock()
        self.blobs = DeferringBlobStore(self.root / "blobs")
        emulator.settings.blob_dir = str(self.blobs.root)
        emulator.blobs = self.blobs
        self.generation = 0
        # The last committed save: scope -> (view file relative to root, schema_version, blob keys).
        self._saved: dict[ScopeKey, tuple[str, int, frozenset[str]]] = {}
        self._dirty: set[ScopeKey] = set()
        self._wake = threading.Condition()
        self._stopping = False
        self._save_lock = threading.Lock()  # one save at a time (the thread, or close())
        self._subscriptions: list[Subscription] = []
        self._watched: set[str] = set()
        self._thread: threading.Thread | None = None
        self.saves = 0
        self._saved_offset = 0.0  # the clock offset the last committed manifest holds
        self._clock_dirty = False
        self._read_only = False  # close_without_saving: nothing more is written

    def _take_lock(self) -> Any:
        if not _HAS_FCNTL:
            return None
        handle = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the Persister's life
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise PersistenceError(f"state directory {self.root} is in use by another hoarfrost server") from None
        return handle

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> int:
        """Restore the last complete save; returns the number of scopes loaded. Raises
        ``PersistenceError`` (and restores nothing a server would serve) when any view cannot
        be loaded."""
        manifest = self._read_manifest()
        plan: list[tuple[ScopeKey, StatefulService[Any, Any], Any, str, int]] = []
        for entry in manifest.get("scopes", []):
            try:
                key: ScopeKey = (str(entry["service"]), str(entry["account"]), str(entry["region"]))
                relative = str(entry["file"])
            except (KeyError, TypeError) as exc:
                raise PersistenceError(f"{self.root / MANIFEST}: malformed scope entry {entry!r}") from exc
            name, account, region = key
            where = f"{name} {account}/{region} ({relative})"
            try:
                service = self.emulator.service(name)
            except KeyError as exc:
                raise PersistenceError(f"cannot load {where}: this hoarfrost has no service {name!r}") from exc
            path = self.root / relative
            try:
                document = json.loads(path.read_bytes())
            except (OSError, ValueError) as exc:
                raise PersistenceError(f"cannot load {where}: {exc}") from exc
            written = document.get("schema_version", 0) if isinstance(document, dict) else 0
            try:
                view = service.parse_view(document)
            except StateViewError as exc:
                raise PersistenceError(f"cannot load {where}, written at schema_version {written}: {exc.message}") \
                    from exc
            plan.append((key, service, view, relative, written))
        self._restore_clock(manifest)
        for (name, account, region), service, view, _, _ in plan:
            try:
                service.restore_with_blobs(account, region, view, None)
            except StateViewError as exc:
                raise PersistenceError(f"cannot load {name} {account}/{region}: {exc.message}") from exc
        current: dict[str, int] = {}
        for key, service, _, relative, written in plan:
            recorder = _KeyRecorder()
            service.snapshot_with_blobs(key[1], key[2], recorder)
            self._saved[key] = (relative, written, frozenset(recorder.keys))
            current[key[0]] = service.view_type.SCHEMA_VERSION
            if written != service.view_type.SCHEMA_VERSION:  # migrated: write it at today's version
                self._dirty.add(key)
        self.generation = int(manifest.get("generation", 0))
        self._sweep()
        return len(plan)

    def _restore_clock(self, manifest: dict[str, Any]) -> None:
        """Move the emulator's clock to the saved offset (it only moves forward: a fresh
        emulator's is 0)."""
        offset = manifest.get("clock_offset", 0.0)
        if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not 0 <= offset < float("inf"):
            raise PersistenceError(f"{self.root / MANIFEST}: clock_offset must be a number of seconds, not {offset!r}")
        clock = self.emulator.clock
        if offset > clock.offset:
            clock.advance(offset - clock.offset)
        self._saved_offset = float(offset)

    def _read_manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise PersistenceError(f"cannot read {path}: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PersistenceError(f"{path} is not a hoarfrost state directory manifest")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise PersistenceError(f"{path} has format_version {version!r}; this hoarfrost "
                                   f"({hoarfrost.__version__}) reads up to {FORMAT_VERSION}: upgrade hoarfrost")
        return manifest

    def _sweep(self) -> None:
        """Remove what no committed save names: view files and blobs of saves cut short."""
        named_files = {self.root / relative for relative, _, _ in self._saved.values()}
        views = self.root / "views"
        if views.is_dir():
            for path in views.rglob("*"):
                if path.is_file() and path not in named_files:
                    path.unlink(missing_ok=True)
        (self.root / f".tmp-{MANIFEST}").unlink(missing_ok=True)
        named_blobs = {self.blobs.path_for(key) for _, _, keys in self._saved.values() for key in keys}
        for path in self.blobs.root.rglob("*"):
            if path.is_file() and path not in named_blobs:
                path.unlink(missing_ok=True)

    # -- watching --------------------------------------------------------------------------------
    def start(self) -> Persister:
        """Watch every service (those started later too) and start the saving thread."""
        self.emulator.on_service_started(self._watch)
        self.emulator.clock.on_advance(self._clock_moved)
        for service in self.emulator.started_services():
            self._watch(service, dirty=False)
        self._thread = threading.Thread(target=self._run, name="hoarfrost-persistence", daemon=True)
        self._thread.start()
        return self

    def _watch(self, service: StatefulService[Any, Any], dirty: bool = True) -> None:
        with self._wake:
            if service.state_key in self._watched:
                return
            self._watched.add(service.state_key)
        self._subscriptions.append(service.notifier.subscribe(self._changed))
        if dirty:  # changes made between the service's start and the subscription
            with self._wake:
                self._dirty.update((service.state_key, a, r) for a, r in service.scopes_with_state())
                self._wake.notify()

    def _changed(self, change: StateChange) -> None:
        """On the request's thread: one set insertion; the saving happens elsewhere."""
        with self._wake:
            self._dirty.add((change.service, change.account, change.region))
            self._wake.notify()

    def _clock_moved(self) -> None:
        """The clock was advanced or reset: the next save writes the manifest with its offset."""
        with self._wake:
            self._clock_dirty = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._dirty and not self._clock_dirty and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                # Let a burst of writes settle into one save (close() cuts the wait short).
                if self._wake.wait_for(lambda: self._stopping, timeout=self.save_delay):  # -> _stopping
                    return
            try:
                self.save()
            except Exception:  # a failed save is retried with the next change; never kills the thread
                log.exception("saving state to %s failed", self.root)

    # -- saving ----------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the dirty scopes as one new generation; False when nothing was dirty."""
        with self._save_lock:
            with self._wake:
                if self._read_only:
                    return False
                dirty, self._dirty = self._dirty, set()
                self._clock_dirty = False
            offset = self.emulator.clock.offset
            if not dirty and offset == self._saved_offset:
                return False
            try:
                return self._save(dirty, offset)
            except BaseException:
                with self._wake:  # try again next time
                    self._dirty |= dirty
                    self._clock_dirty = True
                raise

    def _save(self, dirty: set[ScopeKey], offset: float) -> bool:
        generation = self.generation + 1
        saved = dict(self._saved)
        self.blobs.take_released()
        written_dirs: set[Path] = set()
        try:
            for key in sorted(dirty):
                name, account, region = key
                service = self.emulator.service(name)
                if (account, region) not in set(service.scopes_with_state()):
                    saved.pop(key, None)  # reset: the scope is gone
                    continue
                recorder = _KeyRecorder()
                try:
                    view = service.snapshot_with_blobs(account, region, recorder)
                except StateViewError:
                    log.exception("could not snapshot %s %s/%s; keeping its last save", name, account, region)
                    continue
                relative = f"views/{_file_part(name)}/{_file_part(account)}/{_file_part(region)}.{generation}.json"
                path = self.root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as out:
                    out.write(view.model_dump_json(indent=2).encode())
                    out.write(b"\n")
                    out.flush()
                    os.fsync(out.fileno())
                written_dirs.add(path.parent)
                previous = saved.get(key)
                new_blobs = recorder.keys - (previous[2] if previous else frozenset())
                for blob in new_blobs:
                    self.blobs.sync(blob)
                    written_dirs.add(self.blobs.path_for(blob).parent)
                saved[key] = (relative, view.schema_version, frozenset(recorder.keys))
            for directory in written_dirs:
                _fsync_dir(directory)
            self._write_manifest(generation, saved, offset)  # the switch
        except BaseException:
            self.blobs.settle(None)
            raise
        superseded = {relative for relative, _, _ in self._saved.values()} - \
            {relative for relative, _, _ in saved.values()}
        self._saved = saved
        self._saved_offset = offset
        self.generation = generation
        self.saves += 1
        for relative in superseded:
            (self.root / relative).unlink(missing_ok=True)
        self.blobs.settle({blob for _, _, keys in saved.values() for blob in keys})
        return True

    def _write_manifest(self, generation: int, saved: dict[ScopeKey, tuple[str, int, frozenset[str]]],
                        offset: float) -> None:
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "hoarfrost_version": hoarfrost.__version__,
            "generation": generation,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(),
            "clock_offset": offset,
            "scopes": [{"service": name, "account": account, "region": region, "file": relative,
                        "schema_version": version}
                       for (name, account, region), (relative, version, _) in sorted(saved.items())],
        }
        write_atomically(self.root / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())

    # -- stopping --------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the thread, then save what changed since the last save (a clean shutdown)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        for subscription in self._subscriptions:
            subscription.unsubscribe()
        self._subscriptions.clear()
        self.emulator.clock.off_advance(self._clock_moved)
        try:
            self.save()
        finally:
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None

    def close_without_saving(self) -> None:
        """Let go of the directory (a load that failed: nothing may be written over it)."""
        with self._wake:
            self._stopping = True
            self._read_only = True
            self._dirty.clear()
        self.close()

    def __enter__(self) -> Persister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
