"""Resource counts per service and scope, derived from the state views: what the dashboard
and ``hoarfrost state show`` print.

Why derived from the views and not from each backend: the view is the one contract every
service (hand-written or served by the generic engine) already keeps, so a service that lands
later is summarised with no code here. The walk is generic: each list field of a view is a
collection of resources; a resource is named by its record's key fields (``@record_view(key=)``)
or by the first name-like field it has; each of its own list fields (a bucket's objects, a
topic's subscriptions, a table's items) becomes a count beside it.

Where the view's lists do not say what a person counts, ``_RULES`` (data, one entry per
service and collection) picks the counts to show, and ``_COUNTS`` holds the few counts that
need a function (S3 keeps every version and delete marker in one list: a bucket's object count
is its keys whose newest version is not a delete marker). The generic engine's view is one
list of resources of every family, so it is grouped by family instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.kit.records import RecordView
from hoarfrost.core.views import StatefulService, StateView, StateViewError

# A collection lists at most this many resources by name (its count is always exact): a page
# that shows ten thousand queue names helps nobody, and the summary stays cheap to send.
MAX_ITEMS = 200

_SKIPPED_FIELDS = frozenset({"schema_version", "account", "region"})
# Fields that name a resource when its view declares no key, in order of preference.
_NAME_FIELDS = ("name", "table_name", "backup_name", "queue_name", "key_id", "arn", "id", "key")


def _s3_objects(bucket: Any) -> int:
    """Keys whose newest version is an object, not a delete marker (what ListObjectsV2 lists)."""
    newest: dict[str, Any] = {}
    for version in bucket.objects:  # per key oldest first: the last one seen is current
        newest[version.key] = version
    return sum(1 for version in newest.values() if not version.delete_marker)


def _s3_versions(bucket: Any) -> int:
    return len(bucket.objects)


def _log_events(group: Any) -> int:
    return sum(len(stream.events) for stream in getattr(group, "streams", []) or [])


# (service, collection field) -> counts to show for each resource: a child list field's name,
# or the name of a function in _COUNTS. Collections without an entry show every child list.
_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "buckets"): ("objects", "versions", "multipart_uploads"),
    ("sqs", "queues"): ("messages",),
    ("dynamodb", "tables"): ("items", "global_secondary_indexes", "local_secondary_indexes"),
    ("dynamodb", "backups"): ("items",),
    ("logs", "log_groups"): ("streams", "events", "metric_filters", "subscription_filters"),
}
_COUNTS: dict[tuple[str, str, str], Callable[[Any], int]] = {
    ("s3", "buckets", "objects"): _s3_objects,
    ("s3", "buckets", "versions"): _s3_versions,
    ("logs", "log_groups", "events"): _log_events,
}
# Collections that are bookkeeping, not resources a person looks for.
_HIDDEN: frozenset[tuple[str, str]] = frozenset({
    ("iam", "deleted_access_keys"),
    ("sns", "opted_out_phone_numbers"),
})


def _name_of(item: Any) -> str:
    if isinstance(item, RecordView) and item.key_fields:
        return "/".join(str(getattr(item, field)) for field in item.key_fields)
    if isinstance(item, BaseModel):
        fields = type(item).model_fields
        for field in _NAME_FIELDS:
            if field in fields and getattr(item, field) is not None:
                return str(getattr(item, field))
        for field in fields:  # a *_name, *_arn or *_id field says what the resource is called
            if field.endswith(("_name", "_arn", "_id")) and isinstance(getattr(item, field), str):
                return str(getattr(item, field))
        return type(item).__name__
    if isinstance(item, dict):
        for field in ("name", "Name", "arn", "Arn", "id", "Id"):
            if field in item:
                return str(item[field])
        return ", ".join(f"{key}={value}" for key, value in list(item.items())[:2])
    return str(item)


def _child_lists(item: Any) -> list[str]:
    """The list fields of a resource whose elements are resources themselves (models or dicts)."""
    if not isinstance(item, BaseModel):
        return []
    names = []
    for field in type(item).model_fields:
        value = getattr(item, field)
        if isinstance(value, list) and value and isinstance(value[0], (BaseModel, dict)):
            names.append(field)
    return names


def _counts(service: str, collection: str, item: Any) -> dict[str, int]:
    wanted = _RULES.get((service, collection))
    names = _child_lists(item) if wanted is None else wanted
    counts: dict[str, int] = {}
    for name in names:
        function = _COUNTS.get((service, collection, name))
        if function is not None:
            counts[name] = function(item)
        else:
            value = getattr(item, name, None)
            counts[name] = len(value) if isinstance(value, list) else 0
    return counts


def _collection(service: str, name: str, items: list[Any]) -> dict[str, Any]:
    shown = [{"name": _name_of(item), "counts": _counts(service, name, item)} for item in items[:MAX_ITEMS]]
    return {"name": name, "count": len(items), "items": shown, "truncated": len(items) > MAX_ITEMS}


def _engine_collections(resources: Iterable[Any]) -> list[dict[str, Any]]:
    """The generic engine's view: every family's resources in one list, grouped by family."""
    families: dict[str, list[Any]] = {}
    for resource in resources:
        families.setdefault(resource.family, []).append(resource)
    collections = []
    for family, members in sorted(families.items()):
        shown = [{"name": next(iter(member.identifiers.values()), member.uid), "counts": {}}
                 for member in members[:MAX_ITEMS]]
        collections.append({"name": family, "count": len(members), "items": shown,
                            "truncated": len(members) > MAX_ITEMS})
    return collections


def summarize_view(service: str, view: StateView) -> list[dict[str, Any]]:
    """The collections of one scope's view: ``[{"name", "count", "items": [{"name", "counts"}],
    "truncated"}]``, empty collections left out."""
    base = service.split(".", 1)[0]  # ssm.engine is summarised as the engine's view it is
    fields = type(view).model_fields
    if "resources" in fields and set(fields) - _SKIPPED_FIELDS == {"resources"}:
        return _engine_collections(view.resources)  # type: ignore[attr-defined]
    collections = []
    for field in fields:
        if field in _SKIPPED_FIELDS or (base, field) in _HIDDEN:
            continue
        value = getattr(view, field)
        if isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
            value = list(value.values())  # resources keyed by name in the view
        if isinstance(value, list) and value:
            collections.append(_collection(base, field, value))
    return collections


def summarize_scope(service: StatefulService[Any, Any], account: str, region: str) -> dict[str, Any]:
    """One scope's summary; a scope whose snapshot fails says why instead of failing the page."""
    entry: dict[str, Any] = {"service": service.state_key, "account": account, "region": region}
    try:
        entry["collections"] = summarize_view(service.state_key, service.snapshot(account, region))
    except StateViewError as error:
        entry["collections"] = []
        entry["error"] = error.to_dict()
    return entry


def clock_document(emulator: Emulator) -> dict[str, Any]:
    """The emulator's time and how far it runs ahead of real time (0 until it was moved)."""
    clock = emulator.clock
    return {"now": clock.now().isoformat(), "offset": clock.offset, "moved": clock.offset > 0}


def summary_document(emulator: Emulator, *, service: str | None = None, account: str | None = None,
                     region: str | None = None) -> dict[str, Any]:
    """Every scope with state of every started service (or those ``service``, ``account`` and
    ``region`` select), with its collections, and the clock: ``{"clock", "scopes": [...]}``.
    A scope no longer holding state is absent (a reset removes it)."""
    scopes = []
    for started in sorted(emulator.started_services(), key=lambda s: s.state_key):
        if service is not None and started.state_key != service:
            continue
        for scope_account, scope_region in sorted(started.scopes_with_state()):
            if (account is None or scope_account == account) and (region is None or scope_region == region):
                scopes.append(summarize_scope(started, scope_account, scope_region))
    return {"clock": clock_document(emulator), "scopes": scopes}


def summary_text(document: dict[str, Any]) -> str:
    """``summary_document`` for a terminal: one block per scope, a line per collection with its
    count, and one per resource with its own counts."""
    lines = []
    clock = document.get("clock") or {}
    if clock.get("offset"):
        lines.append(f"emulator clock: {clock['now']} (moved {_duration(float(clock['offset']))} ahead of real time)")
    for scope in document.get("scopes", []):
        lines.append(f"== {scope['service']} {scope['account']}/{scope['region']}")
        if scope.get("error"):
            lines.append(f"  (cannot summarise: {scope['error'].get('message')})")
        if not scope["collections"] and not scope.get("error"):
            lines.append("  (empty)")
        for collection in scope["collections"]:
            lines.append(f"  {collection['name']}: {collection['count']}")
            for item in collection["items"]:
                counts = "  ".join(f"{name}={count}" for name, count in item["counts"].items())
                lines.append(f"    {item['name']}" + (f"  {counts}" if counts else ""))
            if collection.get("truncated"):
                lines.append(f"    ... ({collection['count'] - len(collection['items'])} more)")
    if not document.get("scopes"):
        lines.append("(no state)")
    return "\n".join(lines) + "\n"


def _duration(seconds: float) -> str:
    """``3d 4h 5m 6s`` for an offset (the largest units that are not zero)."""
    whole = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    if whole or not parts:
        parts.append(f"{whole}s" if seconds == int(seconds) or parts else f"{seconds:g}s")
    return " ".join(parts)
