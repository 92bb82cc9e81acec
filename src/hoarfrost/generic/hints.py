"""Per-service corrections to inference, read from ``generic/hints/<service>.json``.

Hints are data: a service's file says where its names mislead inference, each entry with a
``why``. The format::

    {
      "operations": {"GetQueueUrl": {"family": "Queue", "role": "lookup", "why": "..."},
                     "ImportApi":   {"exclude": "why it stays NotImplemented"}},
      "families":   {"Resolver": {"parent": {"member": "apiId", "family": "GraphqlApi"},
                                  "identifiers": {"SecretId": ["arn", "name"],
                                                  "VersionNumber": {"kinds": ["key"], "output": "Version"}},
                                  "rename": "NewName", "not_found": "InvalidDocument", "why": "..."},
                     "Thing":    {"exclude": "why"}},
      "owners":     {"apiId": {"family": "GraphqlApi", "why": "..."}}
    }

``operations``: put an operation in a family with a role, or leave it out. ``families``:
set a family's parent, the identifier kinds a member accepts (and, in the object form,
where CreateX carries it: ``input`` path, ``output`` path; ``[]`` for a member that names
no identifier of the family whatever its name says: partnercentral-channel's accountId),
its name in the catalog, or leave it out. ``owners``: which family a member that several families could claim names
(it then makes a parent of that family wherever it does not name the operation's own
family), or ``null`` for a member that names none though its name says so (Glue's
``CatalogId`` holds an account id). Every entry must change
something; the catalog lists the ones applied (``ServiceCatalog.hints``) and a test checks
that none is stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from hoarfrost.generic.catalog import ROLES, IdKind, Role

HINTS_DIR = Path(__file__).resolve().parent / "hints"
_KINDS = ("name", "id", "arn", "url", "key")


class HintError(ValueError):
    """A hints file that does not follow the format."""


@dataclass(frozen=True, slots=True)
class OperationHint:
    why: str
    family: str | None = None
    role: Role | None = None
    exclude: str | None = None


@dataclass(frozen=True, slots=True)
class ParentHint:
    member: str
    family: str


@dataclass(frozen=True, slots=True)
class FamilyHint:
    why: str
    rename: str | None = None
    exclude: str | None = None
    parent: ParentHint | None = None
    identifiers: dict[str, tuple[IdKind, ...]] = field(default_factory=dict)
    # member -> (input paths, output path) in CreateX, where the hint says
    sources: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    # The error a missing one answers, where the model's error shapes do not say which
    not_found: str | None = None


@dataclass(frozen=True, slots=True)
class OwnerHint:
    family: str | None  # None: the member names no family, whatever its name says
    why: str


@dataclass(frozen=True, slots=True)
class ServiceHints:
    operations: dict[str, OperationHint] = field(default_factory=dict)
    families: dict[str, FamilyHint] = field(default_factory=dict)
    owners: dict[str, OwnerHint] = field(default_factory=dict)

    def entries(self) -> list[str]:
        """Every hint by the label the catalog lists it under once applied."""
        out = [f"operations.{name}" for name in self.operations]
        for name, hint in self.families.items():
            for part in ("rename", "exclude", "parent", "not_found"):
                if getattr(hint, part):
                    out.append(f"families.{name}.{part}")
            out += [f"families.{name}.identifiers.{member}" for member in hint.identifiers]
        return out + [f"owners.{member}" for member in self.owners]


NO_HINTS = ServiceHints()


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise HintError(f"{where}: '{key}' must be a string")
    return value


def _why(entry: dict[str, Any], where: str) -> str:
    why = _text(entry, "why", where) or _text(entry, "exclude", where)
    if not why:
        raise HintError(f"{where}: every hint says why")
    return why


def _check_keys(entry: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise HintError(f"{where}: expected an object")
    unknown = set(entry) - allowed
    if unknown:
        raise HintError(f"{where}: unknown keys {sorted(unknown)}")
    return cast(dict[str, Any], entry)


def parse(service: str, document: Any) -> ServiceHints:
    document = _check_keys(document, {"operations", "families", "owners", "why"}, service)
    operations: dict[str, OperationHint] = {}
    for name, raw in document.get("operations", {}).items():
        where = f"{service}: operations.{name}"
        entry = _check_keys(raw, {"family", "role", "exclude", "why"}, where)
        role = entry.get("role")
        if role is not None and role not in ROLES:
            raise HintError(f"{where}: role must be one of {ROLES}")
        if not entry.get("exclude") and not (entry.get("family") and role):
            raise HintError(f"{where}: give a family and a role, or exclude")
        operations[name] = OperationHint(_why(entry, where), _text(entry, "family", where), role,
                                         _text(entry, "exclude", where))
    families: dict[str, FamilyHint] = {}
    for name, raw in document.get("families", {}).items():
        where = f"{service}: families.{name}"
        entry = _check_keys(raw, {"rename", "exclude", "parent", "identifiers", "not_found", "why"}, where)
        parent = None
        if "parent" in entry:
            spec = _check_keys(entry["parent"], {"member", "family"}, f"{where}.parent")
            parent = ParentHint(str(spec["member"]), str(spec["family"]))
        identifiers: dict[str, tuple[IdKind, ...]] = {}
        sources: dict[str, tuple[tuple[str, ...], str | None]] = {}
        for member, spec in _check_keys(entry.get("identifiers", {}), set(entry.get("identifiers", {})),
                                        where).items():
            kinds = spec
            if isinstance(spec, dict):
                spec = _check_keys(spec, {"kinds", "input", "output"}, f"{where}.identifiers.{member}")
                kinds = spec.get("kinds")
                given_input = _text(spec, "input", f"{where}.identifiers.{member}")
                sources[member] = ((given_input,) if given_input else (), _text(spec, "output", where))
            if not isinstance(kinds, list) or any(kind not in _KINDS for kind in kinds):
                raise HintError(f"{where}.identifiers.{member}: a list of {_KINDS} ([]: it names no identifier)")
            if not kinds and member in sources:
                raise HintError(f"{where}.identifiers.{member}: a member that names no identifier has no source")
            identifiers[member] = tuple(cast(list[IdKind], kinds))
        families[name] = FamilyHint(_why(entry, where), _text(entry, "rename", where), _text(entry, "exclude", where),
                                    parent, identifiers, sources, _text(entry, "not_found", where))
    owners: dict[str, OwnerHint] = {}
    for member, raw in document.get("owners", {}).items():
        where = f"{service}: owners.{member}"
        entry = _check_keys(raw, {"family", "why"}, where)
        family = entry.get("family")
        if family is not None and not isinstance(family, str):
            raise HintError(f"{where}: 'family' is a family name or null")
        owners[member] = OwnerHint(family, _why(entry, where))
    return ServiceHints(operations, families, owners)


@cache
def for_service(service: str) -> ServiceHints:
    path = HINTS_DIR / f"{service}.json"
    if not path.is_file():
        return NO_HINTS
    try:
        document = json.loads(path.read_text())
    except ValueError as error:
        raise HintError(f"{path.name}: not JSON: {error}") from error
    return parse(service, document)


def hinted_services() -> list[str]:
    return sorted(path.stem for path in HINTS_DIR.glob("*.json"))


def digest() -> str:
    """Changes whenever any hints file does, so cached catalogs built without it are not reused."""
    hasher = hashlib.sha1()
    for path in sorted(HINTS_DIR.glob("*.json")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()[:12]
