"""The state-view contract in core, exercised on a small service defined here."""

from __future__ import annotations

import json
import threading

import pytest

from hoarfrost import Emulator, StateViewError
from hoarfrost.core.kit.records import merge_keyed
from hoarfrost.core.operations import OperationRegistry
from hoarfrost.core.views import StatefulService, StateView, ViewModel


class NoteView(ViewModel):
    text: str
    tags: dict[str, str] = {}


class NotesView(StateView):
    notes: dict[str, NoteView] = {}


class Notes:
    def __init__(self) -> None:
        self.notes: dict[str, dict] = {}


class NotesService(StatefulService[Notes, NotesView]):
    name = "notes"
    view_type = NotesView
    operations = OperationRegistry("sts")

    def new_backend(self, account: str, region: str) -> Notes:
        return Notes()

    def to_view(self, backend: Notes, account: str, region: str) -> NotesView:
        return NotesView(notes={k: NoteView(**v) for k, v in backend.notes.items()})

    def from_view(self, view: NotesView, account: str, region: str) -> Notes:
        backend = Notes()
        for key, note in view.notes.items():
            if key.startswith("!"):
                raise StateViewError("invalid", f"note id {key!r} may not start with '!'")
            backend.notes[key] = note.model_dump()
        return backend

    def merge_backend(self, target: Notes, source: Notes) -> None:
        merge_keyed(target.notes, source.notes)


@pytest.fixture
def notes() -> NotesService:
    return NotesService(Emulator())


def write(service: NotesService, key: str, text: str, account: str = "111111111111", region: str = "us-east-1") -> None:
    with service.scope(account, region).lock:
        service.scope(account, region).backend.notes[key] = {"text": text, "tags": {}}
    service.notify_state_changed(account, region, "Write")


def test_snapshot_is_a_copy_with_scope(notes: NotesService) -> None:
    write(notes, "a", "alpha")
    view = notes.snapshot("111111111111", "us-east-1")
    assert view.notes["a"].text == "alpha"
    assert (view.account, view.region, view.schema_version) == ("111111111111", "us-east-1", 1)
    write(notes, "a", "changed")
    assert view.notes["a"].text == "alpha"


def test_round_trip_through_json_on_a_fresh_emulator(notes: NotesService) -> None:
    write(notes, "a", "alpha")
    text = notes.snapshot_json("111111111111", "us-east-1")
    fresh = NotesService(Emulator())
    fresh.restore("111111111111", "us-east-1", json.loads(text))
    assert fresh.snapshot("111111111111", "us-east-1") == notes.snapshot("111111111111", "us-east-1")


def test_restore_replaces_and_scopes_are_independent(notes: NotesService) -> None:
    write(notes, "a", "alpha")
    write(notes, "z", "other region", region="eu-west-1")
    notes.restore("111111111111", "us-east-1", {"notes": {"b": {"text": "beta"}}})
    assert set(notes.snapshot("111111111111", "us-east-1").notes) == {"b"}
    assert set(notes.snapshot("111111111111", "eu-west-1").notes) == {"z"}


def test_merge_adds_and_replaces_but_never_removes(notes: NotesService) -> None:
    write(notes, "a", "alpha")
    write(notes, "b", "beta")
    notes.merge("111111111111", "us-east-1", NotesView(notes={"b": NoteView(text="BETA"), "c": NoteView(text="gamma")}))
    view = notes.snapshot("111111111111", "us-east-1")
    assert {k: v.text for k, v in view.notes.items()} == {"a": "alpha", "b": "BETA", "c": "gamma"}


@pytest.mark.parametrize(
    "bad",
    [
        {"notes": {"a": {"text": 5}}},  # wrong type
        {"notes": {"a": {}}},  # missing field
        {"notes": {}, "unknown": 1},  # unknown field
        {"notes": {"!bad": {"text": "x"}}},  # inconsistent: rejected by from_view
        {"schema_version": 99},  # from the future
        "{not json",
    ],
)
def test_rejected_restore_and_merge_change_nothing(notes: NotesService, bad: object) -> None:
    write(notes, "a", "alpha")
    before = notes.snapshot("111111111111", "us-east-1")
    for action in (notes.restore, notes.merge):
        with pytest.raises(StateViewError) as info:
            action("111111111111", "us-east-1", bad)  # type: ignore[arg-type]
        assert info.value.kind == "invalid"
        assert info.value.message
    assert notes.snapshot("111111111111", "us-east-1") == before


def test_listener_gets_change_and_lazy_view_built_once(notes: NotesService) -> None:
    built = []
    original = notes.to_view

    def counting_to_view(backend: Notes, account: str, region: str) -> NotesView:
        built.append(1)
        return original(backend, account, region)

    notes.to_view = counting_to_view  # type: ignore[method-assign]
    seen = []
    notes.notifier.subscribe(lambda change: seen.append((change.service, change.account, change.region,
                                                         change.operation, change.view().notes["a"].text)))
    notes.notifier.subscribe(lambda change: seen.append(change.view() is change.view()))
    write(notes, "a", "alpha")
    assert seen == [("notes", "111111111111", "us-east-1", "Write", "alpha"), True]
    assert len(built) == 1


def test_listener_that_never_asks_costs_no_view(notes: NotesService) -> None:
    calls = []
    notes.to_view = lambda *a: calls.append(a)  # type: ignore[method-assign,assignment,return-value]
    notes.notifier.subscribe(lambda change: None)
    write(notes, "a", "alpha")
    assert calls == []


def test_unsubscribe_and_failing_listener(notes: NotesService) -> None:
    seen = []

    def broken(change: object) -> None:
        raise RuntimeError("listener bug")

    notes.notifier.subscribe(broken)
    handle = notes.notifier.subscribe(lambda change: seen.append(change.operation))
    write(notes, "a", "alpha")
    handle()
    write(notes, "b", "beta")
    assert seen == ["Write"]


def test_restore_merge_reset_notify(notes: NotesService) -> None:
    seen = []
    notes.notifier.subscribe(lambda change: seen.append(change.operation))
    notes.restore("111111111111", "us-east-1", {"notes": {}})
    notes.merge("111111111111", "us-east-1", {"notes": {"a": {"text": "x"}}})
    notes.reset()
    assert seen == ["restore", "merge", "reset"]
    assert notes.snapshot("111111111111", "us-east-1").notes == {}


def test_json_schema_is_published() -> None:
    schema = NotesService.json_schema()
    assert schema["properties"]["schema_version"]["type"] == "integer"
    assert "notes" in schema["properties"]


def test_backends_are_created_once_under_concurrency(notes: NotesService) -> None:
    scopes = []
    threads = [threading.Thread(target=lambda: scopes.append(notes.scope("1", "r"))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(scope) for scope in scopes}) == 1
