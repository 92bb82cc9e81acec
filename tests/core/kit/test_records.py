"""Views declared once: record views (fields from a dataclass) and shape views (from botocore)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pydantic
import pytest

from hoarfrost.core.kit.records import (
    EPOCH,
    VIEW_EXCLUDE,
    RecordView,
    record_view,
    view_as,
    view_named,
)
from hoarfrost.core.kit.shape_views import field_name, shape_view


@dataclass
class Note:
    note_id: str
    text: str = field(metadata=view_named("body"))
    written: float = field(metadata=view_as(EPOCH, view_name="written_at"))
    rendered: str = field(default="", metadata=VIEW_EXCLUDE)  # a cache, not state


@dataclass
class Board:
    name: str
    owner: str | None = None
    labels: list[str] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    pinned: Note | None = None
    size: int = field(init=False, default=0)


@record_view(Note, key="note_id")
class NoteView(RecordView):
    """A note on a board."""


@record_view(Board, key="name")
class BoardView(RecordView):
    """A board and its notes."""

    owner: str | None = pydantic.Field(default=None, description="who made it")


def _board() -> Board:
    board = Board("b", "ann", ["x"], {"n1": Note("n1", "hi", 1_700_000_000.25, rendered="<p>hi</p>")})
    board.pinned = Note("p", "top", 1_700_000_001.0)
    board.size = 3
    return board


def test_fields_come_from_the_record_and_collections_are_lists() -> None:
    schema = BoardView.model_json_schema()
    assert set(schema["properties"]) == {"name", "owner", "labels", "notes", "pinned", "size"}
    assert schema["properties"]["owner"]["description"] == "who made it"  # declared in the view wins
    assert schema["properties"]["notes"]["type"] == "array"
    assert "rendered" not in schema["$defs"]["NoteView"]["properties"]
    assert schema["$defs"]["NoteView"]["properties"]["written_at"]["format"] == "date-time"
    assert BoardView.__doc__ == "A board and its notes."


def test_round_trip_through_json_builds_equal_records() -> None:
    board = _board()
    text = BoardView.of(board).model_dump_json()
    document = json.loads(text)
    assert document["notes"] == [{"note_id": "n1", "body": "hi", "written_at": "2023-11-14T22:13:20.250000Z"}]
    again = BoardView.model_validate_json(text).to_record()
    assert again.notes["n1"] == Note("n1", "hi", 1_700_000_000.25)  # the cache starts empty
    assert again.pinned == Note("p", "top", 1_700_000_001.0)
    assert (again.name, again.owner, again.labels, again.size) == ("b", "ann", ["x"], 3)


def test_a_view_is_a_copy() -> None:
    board = _board()
    view = BoardView.of(board)
    board.labels.append("later")
    board.notes["n1"].text = "changed"
    assert view.labels == ["x"]
    assert view.notes[0].body == "hi"
    record = view.to_record()
    record.labels.append("mine")
    assert view.labels == ["x"]


def test_merge_keeps_what_exists_and_takes_the_sources_attributes() -> None:
    target = _board()
    source = Board("b", "bob", [], {"n2": Note("n2", "new", 1.0), "n1": Note("n1", "edited", 2.0)})
    BoardView.merge(target, source)
    assert sorted(target.notes) == ["n1", "n2"]
    assert target.notes["n1"].text == "edited"
    assert target.owner == "bob"


def test_invalid_views_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        BoardView.model_validate({"name": "b", "notes": [{"note_id": "n", "body": "t"}]})  # no written_at
    with pytest.raises(pydantic.ValidationError):
        BoardView.model_validate({"name": "b", "surprise": 1})


def test_a_key_must_be_a_field() -> None:
    with pytest.raises(TypeError, match="key field"):
        @record_view(Note, key="missing")
        class Broken(RecordView):
            pass


def test_shape_views_type_s3_lifecycle_from_the_model() -> None:
    model = shape_view("s3", "BucketLifecycleConfiguration")
    wire = {"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                       "Expiration": {"Date": dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)}}]}
    text = model.from_wire(wire).model_dump_json(exclude_none=True)
    assert json.loads(text) == {"rules": [{"id": "r", "status": "Enabled", "filter": {"prefix": "logs/"},
                                           "expiration": {"date": "2030-01-01T00:00:00Z"}}]}
    back = model.model_validate_json(text).to_wire()
    assert back == wire
    assert isinstance(back["Rules"][0]["Expiration"]["Date"], dt.datetime)  # not a string after JSON
    rule = model.model_json_schema()["$defs"]["S3LifecycleRuleView"]
    assert "expiration" in rule["properties"] and "status" in rule["properties"]


def test_shape_views_refuse_members_the_shape_lacks_and_wrong_types() -> None:
    model = shape_view("s3", "CORSConfiguration")
    with pytest.raises(ValueError, match="no member"):
        model.from_wire({"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "Bogus": 1}]})
    with pytest.raises(pydantic.ValidationError):
        model.from_wire({"CORSRules": [{"AllowedMethods": "GET", "AllowedOrigins": ["*"], "MaxAgeSeconds": "soon"}]})


def test_shape_views_handle_recursive_shapes_and_reserved_names() -> None:
    model = shape_view("dynamodb", "AttributeValue")
    wire = {"M": {"a": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x00\x01"}]}}}
    text = model.from_wire(wire).model_dump_json(exclude_none=True)
    assert model.model_validate_json(text).to_wire() == wire
    assert field_name("Schema") == "schema_"
    assert field_name("SSEKMSKeyId") == "ssekms_key_id"


@dataclass
class Stamp:
    stamp_id: str
    at: float = field(default=0.0, metadata=view_as(EPOCH))
    owner: str = field(default="", metadata=VIEW_EXCLUDE)


@dataclass
class Album:
    name: str
    stamps: dict[str, Stamp] = field(default_factory=dict)


@record_view(Stamp, key="stamp_id")
class StampView(RecordView):
    """A stamp."""


@record_view(Album, key="name")
class AlbumView(RecordView):
    """An album of stamps."""


def test_defaults_are_in_the_views_type_and_excluded_fields_come_from_the_caller() -> None:
    view = StampView.model_validate({"stamp_id": "s"})  # a partial view: "at" left out
    assert view.at == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    record = view.to_record(owner="ann")
    assert record == Stamp("s", 0.0, "ann")


def test_a_key_twice_in_a_collection_is_refused() -> None:
    view = AlbumView.model_validate({"name": "a", "stamps": [{"stamp_id": "s"}, {"stamp_id": "s"}]})
    with pytest.raises(ValueError, match="appears twice"):
        view.to_record()
