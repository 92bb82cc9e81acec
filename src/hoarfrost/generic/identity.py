"""Which input members name a resource, whose resource it is, and where CreateX carries it.

A member names a family when its name says so: ``logGroupName`` names LogGroup, ``apiId``
names GraphqlApi through the noun's last word when GraphqlApi's own operations use it, a
bare ``Name``/``Id``/``Arn`` names the operation's own family, and a member spelled like the
noun (ECS's ``cluster``) names that noun. In an operation of family F, a member naming F is
one of F's identifiers; one naming another family G that can be created is a parent
binding. Required members that name nothing but that every read and delete of F takes
(AppSync's ``fieldName`` for a Resolver) are F's identifiers too.

An identifier's kind (name, id, ARN, URL) comes from its suffix. Where the suffix does not
say which identifier it holds (``SecretId`` takes the ARN or the name), the member's
documentation decides, and where that says nothing the identifier stays unresolved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hoarfrost.generic import naming
from hoarfrost.generic.catalog import Binding, Identifier, IdKind, Match
from hoarfrost.generic.hints import ServiceHints
from hoarfrost.generic.model import Member, ServiceView
from hoarfrost.generic.pagination import is_paging_member

_DOC_ARN = re.compile(r"\barns?\b|amazon resource name", re.I)
_DOC_NAME = re.compile(r"\bnames?\b", re.I)
_DOC_ID = re.compile(r"\bids?\b|\bidentifier\b", re.I)
_DOC_URL = re.compile(r"\burls?\b", re.I)
_NOT_ARN = re.compile(r"\bnot (an? |the )?(arn|amazon resource name)", re.I)


def _noun_itself(member: Member, plural: bool) -> bool:
    """A member spelled like a noun names it when its suffix says it holds an identifier
    (``domainName``), its documentation does (ECS's ``cluster``: "the short name or full
    ARN"), or it is the plural and a list of strings (ECS's ``services``); SNS's
    ``DataProtectionPolicy`` is the policy document itself."""
    if plural:
        return member.scalar_list
    return naming.parse_member(member.name) is not None or bool(doc_kinds(member))


def _member_kind(member: Member, noun: str) -> naming.MemberName | None:
    """What ``member`` says about ``noun``: its identifier suffix, or the noun itself."""
    parsed = naming.names_noun(member.name, noun)
    if parsed is not None:
        return parsed
    lower = member.name.lower()
    if lower in (noun.lower(), noun.lower() + "s") and _noun_itself(member, lower != noun.lower()):
        return naming.MemberName(naming.kind_of(noun), lower != noun.lower(), False, noun.lower())
    return None


@dataclass(frozen=True, slots=True)
class Claim:
    """A member naming a family: what kind of identifier, one or many, exact or a prefix."""

    family: str
    kind: IdKind
    many: bool
    prefix: bool
    documented: tuple[IdKind, ...] = ()  # what the member's documentation says it takes


class Ownership:
    """Which family a member that is not the operation's own names."""

    def __init__(self, view: ServiceView, families: dict[str, list[str]], creatable: set[str],
                 hints: ServiceHints) -> None:
        self._families = families
        self._creatable = creatable
        self._hints = hints
        self._full: dict[str, str] = {noun.lower(): noun for noun in families}
        # A noun's shorter endings count only where its own operations use them (apiId in GetGraphqlApi).
        self._evidence: dict[str, set[str]] = defaultdict(set)
        # Members spelled like a noun that the noun's own operations take as its identifier
        # (Athena's WorkGroup): they name it elsewhere too, whatever their documentation says there.
        self._itself: set[str] = set()
        for noun, operations in families.items():
            for operation in operations:
                for member in view.inputs(operation).values():
                    if member.name.lower() == noun.lower() and _noun_itself(member, False):
                        self._itself.add(member.name.lower())
                    parsed = naming.names_noun(member.name, noun, bare=False)
                    if parsed is not None and parsed.stem != noun.lower():
                        self._evidence[parsed.stem].add(noun)

    def owner(self, field: Member) -> tuple[str | None, list[str]]:
        """The family a member names (or None) and, when several could, all of them."""
        member = field.name
        hint = next((h for name, h in self._hints.owners.items() if name.lower() == member.lower()), None)
        if hint is not None:
            return hint.family, []  # None: the member names no family (Glue's CatalogId is an account)
        lower = member.lower()
        for spelled in (lower, lower[:-1] if lower.endswith("s") else ""):
            if spelled in self._full and (spelled in self._itself or _noun_itself(field, spelled != lower)):
                return self._full[spelled], []
        parsed = naming.parse_member(member)
        stem = parsed.stem if parsed is not None and parsed.stem else None
        if stem is None:
            return None, []
        if stem in self._full:
            return self._full[stem], []
        claims = sorted(self._evidence.get(stem, ()))
        if len(claims) == 1:
            return claims[0], []
        return None, claims

    def full_noun(self, field: Member) -> str | None:
        """The family whose whole noun the member's stem is, if any."""
        parsed = naming.parse_member(field.name)
        return self._full.get(parsed.stem) if parsed is not None and parsed.stem else None

    def hinted(self, member: str) -> bool:
        return any(name.lower() == member.lower() for name in self._hints.owners)

    def creatable(self, family: str) -> bool:
        return family in self._creatable


def doc_kinds(member: Member) -> tuple[IdKind, ...]:
    """The identifier kinds a member's documentation says it accepts ("the ARN or name")."""
    text = _NOT_ARN.sub(" ", member.documentation)  # IAM: "the name (friendly name, not ARN)"
    found: list[IdKind] = []
    if _DOC_ARN.search(text):
        found.append("arn")
    if _DOC_NAME.search(_DOC_ARN.sub(" ", text)):
        found.append("name")
    if _DOC_ID.search(text):
        found.append("id")
    if _DOC_URL.search(text):
        found.append("url")
    return tuple(found)


@dataclass(slots=True)
class Bound:
    """An operation's members sorted: bindings to its own family, to parents, the rest."""

    own: list[tuple[Member, Claim]]
    parents: list[tuple[Member, Claim]]
    ambiguous: list[tuple[Member, list[str]]]
    unnamed_required: list[Member]
    structures: list[Member]  # required structures and maps, which may hold an identifier (SWF's
    # activityType, DynamoDB's Key)
    unbound: list[Member]  # ARNs of nothing inference knows: perhaps the resource's own (Beanstalk's
    # PlatformArn), so the resource is no singleton


def bind(view: ServiceView, operation: str, noun: str, ownership: Ownership,
         forced_parents: dict[str, str], forced_kinds: dict[str, tuple[IdKind, ...]]) -> Bound:
    """Sort an operation's input members for family ``noun``; hints may force a member to
    name a parent (``forced_parents``) or the family itself (``forced_kinds``). Page tokens
    and sizes are skipped: they never identify anything."""
    out = Bound([], [], [], [], [], [])
    for member in view.inputs(operation).values():
        if is_paging_member(member.name):
            continue
        if member.type in ("structure", "map") and member.required:
            out.structures.append(member)
        if not (member.simple or member.scalar_list):
            continue
        if not (member.scalar or member.scalar_list):  # an enum identifies only alongside its parent
            if member.required:
                out.unnamed_required.append(member)
            continue
        lower = member.name.lower()
        forced = next((family for name, family in forced_parents.items() if name.lower() == lower), None)
        if forced is not None:
            parsed = naming.parse_member(member.name)
            kind = parsed.kind if parsed else "key"
            out.parents.append((member, Claim(forced, kind, member.scalar_list, False)))
            continue
        if member.name in forced_kinds and not forced_kinds[member.name]:
            continue  # a hint says it names nothing of the family, whatever its name says
        if member.name in forced_kinds:
            out.own.append((member, Claim(noun, forced_kinds[member.name][0], member.scalar_list, False)))
            continue
        owner, claims = ownership.owner(member)
        own = _member_kind(member, noun)  # a member naming the operation's own family stays its own
        if own is not None:
            if own.prefix and member.scalar_list:
                continue
            out.own.append((member, Claim(noun, own.kind, member.scalar_list or own.many, own.prefix)))
            continue
        if owner is not None and owner != noun and ownership.creatable(owner):
            parsed = naming.parse_member(member.name)
            kind = parsed.kind if parsed else "key"
            out.parents.append((member, Claim(owner, kind, member.scalar_list, bool(parsed and parsed.prefix),
                                              doc_kinds(member))))
            continue
        if ownership.hinted(member.name):
            continue
        if claims and member.required:
            out.ambiguous.append((member, claims))
            continue
        if member.required and (member.simple or member.scalar_list) and \
                (owner is None or not ownership.creatable(owner)):
            out.unnamed_required.append(member)
        elif owner is None and naming.kind_of(member.name) == "arn":
            out.unbound.append(member)
    return out


def match_of(claim: Claim) -> Match:
    return "prefix" if claim.prefix else "any" if claim.many else "exact"


def binding(member: Member, claim: Claim, kinds: tuple[IdKind, ...] | None = None) -> Binding:
    """A claim as the catalog records it. Another family's member carries every kind its
    name and documentation offer, narrowed once that family's identifiers are known."""
    if kinds is None:
        kinds = tuple(dict.fromkeys((claim.kind, *claim.documented)))
    return Binding(member.name, claim.family, kinds, member.required, match_of(claim))


# -- where CreateX carries an identifier ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Source:
    input_paths: tuple[str, ...]
    output_path: str | None

    @property
    def found(self) -> bool:
        return bool(self.input_paths or self.output_path)


def _find(members: dict[str, Member], view: ServiceView, want: str, kind: IdKind, stems: frozenset[str],
          nested: Iterable[str] = ()) -> tuple[str, ...]:
    """The paths of members holding the identifier ``want`` (of ``kind``): the same name, or
    the same kind named after one of ``stems`` (the noun's endings, the member's own stem)
    or bare; at the top level or up to two structures down (Audit Manager's
    ``assessment.metadata.id``). The resource's wrapper (``nested``) is searched first, then
    exact names, then members the request always carries, then shallower ones; only the
    best kind of match is kept (exact names over names of the same kind)."""
    wrappers = tuple(nested)
    scopes: list[tuple[str, dict[str, Member], bool, int]] = [("", members, True, 0)]
    for member in members.values():
        if member.type == "structure" or (member.type == "list" and member.item_type == "structure"
                                          and f"{member.name}[]" in wrappers):
            listed = member.type == "list"  # ELBv2 answers CreateLoadBalancer with a list of one
            inner = view.members(member.item_shape if listed else member.shape)
            scopes.append((f"{member.name}[]" if listed else member.name, inner, member.required, 1))
            for deeper in inner.values():  # two down only through a neutral word: assessment.metadata
                if deeper.type == "structure" and deeper.name.lower() in _NEUTRAL:
                    scopes.append((f"{member.name}.{deeper.name}", view.members(deeper.shape),
                                   member.required and deeper.required, 2))
    ranked: list[tuple[tuple[int, int, int, int, int], str]] = []
    for path, scope, scope_required, depth in scopes:
        # An Id inside awsAccount or containerProvider, a DatasetArn inside DatasetSource, is that
        # thing's, not the resource's: only the resource's own structures are searched.
        if path and not all(_wrapperish(part.removesuffix("[]"), stems) or part in wrappers
                            for part in path.split(".")):
            continue
        for member in scope.values():
            if member.name.lower() == want.lower() and member.simple:
                match = 0
            else:
                parsed = naming.parse_member(member.name) if member.scalar else None
                if parsed is None or parsed.kind != kind or parsed.many or parsed.prefix or \
                        (parsed.stem and parsed.stem not in stems):
                    continue
                match = 1
            in_wrapper = bool(path) and path.split(".")[0] in wrappers
            rank = (0 if in_wrapper else 1, match, 0 if scope_required and member.required else 1, depth,
                    1 if naming.is_bare(member.name) else 0)
            ranked.append((rank, f"{path}.{member.name}" if path else member.name))
    if not ranked:
        return ()
    ranked.sort()
    best = ranked[0][0][:2]
    return tuple(dict.fromkeys(path for rank, path in ranked if rank[:2] == best))


_NEUTRAL = ("metadata", "summary", "details", "detail", "info", "information", "properties", "configuration",
            "config", "description", "attributes", "input", "output", "result", "data", "definition", "settings",
            "spec", "specification", "request", "response", "record", "item")


def _wrapperish(name: str, stems: frozenset[str]) -> bool:
    """A structure that holds the resource itself: a neutral word (metadata), or named after
    the noun (DatabaseInput, GrokClassifier)."""
    lower = name.lower()
    if lower in _NEUTRAL:
        return True
    for suffix in ("", *_NEUTRAL):
        if suffix and not lower.endswith(suffix):
            continue
        head = lower[: len(lower) - len(suffix)] if suffix else lower
        if any(head.endswith(stem) for stem in stems if stem):
            return True
    return False


def source(view: ServiceView, create: str, member: str, kind: IdKind, noun: str,
           output_wrapper: str | None, alias: str = "") -> Source:
    """Where CreateX carries the identifier ``member`` holds (or, with ``member`` empty, any
    identifier of ``kind`` named after the noun or after ``alias``'s stem: Bedrock's
    provisionedModelId, "the ARN or name", is provisionedModelArn or provisionedModelName)."""
    parsed = naming.parse_member(alias or member) if (alias or member) else None
    tails = frozenset(naming.noun_tails(noun))
    # A member named after something else (WorkDocs' OrganizationId in a subscription's reads)
    # is found under its own name only, never as the resource's SubscriptionId.
    stems = frozenset({parsed.stem}) if parsed and parsed.stem and parsed.stem not in tails else tails
    inputs = view.inputs(create)
    outputs = view.outputs(create)
    output_paths = _find(outputs, view, member, kind, stems, [output_wrapper] if output_wrapper else [])
    return Source(_find(inputs, view, member, kind, stems), output_paths[0] if output_paths else None)


def merge(identifiers: list[Identifier], new: Identifier) -> None:
    """Add an identifier, folding it into one of the same kind that holds the same value."""
    for index, old in enumerate(identifiers):
        if old.kind != new.kind:
            continue
        same = bool(set(old.input_paths) & set(new.input_paths)) or \
            (old.output_path and old.output_path == new.output_path) or old.member.lower() == new.member.lower()
        if same:
            paths = tuple(dict.fromkeys(old.input_paths + new.input_paths))
            identifiers[index] = Identifier(old.kind, old.member, paths, old.output_path or new.output_path,
                                            old.key or new.key)
            return
    identifiers.append(new)
