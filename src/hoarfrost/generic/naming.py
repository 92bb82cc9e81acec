"""What names say: an operation's verb and noun, plural nouns, and identifier members.

AWS names its CRUD operations and identifier members after the resource with few enough
patterns that they can be written down once: ``CreateX``/``DescribeXs``, ``XName``/``XId``/
``XArn``. Everything here is about spelling; whether a name's shape agrees is decided by
the modules that read the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hoarfrost.generic.catalog import IdKind

CREATE_VERBS = ("Create", "Register", "Put", "Add", "Set")
READ_VERBS = ("Get", "Describe", "Head")
LIST_VERBS = ("List",)
UPDATE_VERBS = ("Update", "Modify")
DELETE_VERBS = ("Delete", "Deregister", "Remove")
CRUD_VERBS = CREATE_VERBS + READ_VERBS + LIST_VERBS + UPDATE_VERBS + DELETE_VERBS
ASSOCIATION_VERBS = ("Associate", "Disassociate", "Attach", "Detach", "Link", "Unlink")

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z0-9]+|[A-Z]+")
# Operation-name suffixes that read or write a resource's attributes rather than name a noun.
ATTRIBUTE_SUFFIXES = ("Attributes", "Attribute")
# ListXsByY / ListXsForY: a list of X filtered by a Y.
_SCOPED_LIST = re.compile(r"^(?P<noun>.+?)(?P<joint>By|For|In|Of)(?P<scope>[A-Z].*)$")

# Identifier member suffixes (lower-case) and what they hold; plural forms select many.
_SUFFIX_KINDS: dict[str, IdKind] = {
    "arn": "arn", "name": "name", "id": "id", "identifier": "id", "url": "url",
}
_PLURAL_SUFFIXES: dict[str, IdKind] = {
    "arns": "arn", "names": "name", "ids": "id", "identifiers": "id", "urls": "url", "arnlist": "arn",
    "namelist": "name", "idlist": "id",
}
_BARE_PREFIXES = ("",)  # Name, Id, Arn: the operation's own resource


def words(name: str) -> list[str]:
    """CamelCase words, acronyms kept whole: DBInstance -> [DB, Instance]."""
    return _WORDS.findall(name)


def first_word(name: str) -> str:
    found = words(name)
    return found[0] if found else name


@dataclass(frozen=True, slots=True)
class OperationName:
    verb: str
    noun: str
    attributes: bool = False  # GetQueueAttributes, SetTopicAttributes, ModifyVpcAttribute
    scope: str | None = None  # ListSubscriptionsByTopic -> Topic


def split(operation: str) -> OperationName | None:
    """An operation's CRUD verb and noun, or None when its first word is no CRUD verb."""
    verb = first_word(operation)
    if verb not in CRUD_VERBS or len(operation) == len(verb):
        return None
    noun = operation[len(verb):]
    if not noun[0].isupper():
        return None
    for suffix in ATTRIBUTE_SUFFIXES:
        if noun.endswith(suffix) and len(noun) > len(suffix) and verb not in LIST_VERBS:
            return OperationName(verb, noun[: -len(suffix)], attributes=True)
    if verb in LIST_VERBS:
        scoped = _SCOPED_LIST.match(noun)
        if scoped and looks_plural(scoped.group("noun")):
            return OperationName(verb, scoped.group("noun"), scope=scoped.group("scope"))
    return OperationName(verb, noun)


def looks_plural(noun: str) -> bool:
    return noun.endswith("s") and not noun.endswith(("ss", "us", "is"))


def singulars(noun: str) -> list[str]:
    """Singular forms a plural noun may come from, likeliest first: Policies -> Policy,
    Aliases -> Alias, Indices -> Index, Analyses -> Analysis."""
    out: list[str] = []
    if noun.endswith("ies"):
        out.append(noun[:-3] + "y")
    if noun.endswith("ices"):
        out += [noun[:-4] + "ex", noun[:-4] + "ix"]
    if noun.endswith("ses"):
        out.append(noun[:-3] + "sis")
    if noun.endswith("es"):
        out.append(noun[:-2])
    if noun.endswith("s") and not noun.endswith("ss"):
        out.append(noun[:-1])
    for suffix in ("List", "Summaries", "Summary", "Details"):
        if noun.endswith(suffix) and len(noun) > len(suffix):
            out.append(noun[: -len(suffix)])
    return [form for form in dict.fromkeys(out) if form]


def singular_of(noun: str, known: Iterable[str]) -> str | None:
    """The known noun a plural noun names many of."""
    known = set(known)
    return next((form for form in singulars(noun) if form in known), None)


def noun_tails(noun: str) -> list[str]:
    """The noun and its shorter endings: GraphqlApi -> [graphqlapi, api] (lower-case)."""
    parts = words(noun)
    return ["".join(parts[index:]).lower() for index in range(len(parts))]


@dataclass(frozen=True, slots=True)
class MemberName:
    """What a member's name says about the resource it names."""

    kind: IdKind
    many: bool
    prefix: bool  # XNamePrefix
    stem: str  # the lower-case noun part, "" for a bare Name/Id/Arn


def parse_member(member: str) -> MemberName | None:
    """``logGroupName`` -> (name, stem loggroup); ``repositoryNames`` -> many; ``Id`` -> bare;
    None when the name ends in no identifier suffix."""
    lower = member.lower()
    prefix = False
    if lower.endswith("prefix") and len(lower) > len("prefix"):
        lower, prefix = lower[: -len("prefix")], True
    for suffixes, many in ((_PLURAL_SUFFIXES, True), (_SUFFIX_KINDS, False)):
        for suffix in sorted(suffixes, key=len, reverse=True):
            if lower.endswith(suffix):
                stem = lower[: -len(suffix)]
                if prefix and suffix != "name":
                    return None
                return MemberName(suffixes[suffix], many, prefix, stem)
    return None


def names_noun(member: str, noun: str, *, tails: bool = True, bare: bool = True) -> MemberName | None:
    """The member names a resource of ``noun`` (``restApiId`` and RestApi, ``apiId`` and
    GraphqlApi through its tail, ``Name``/``Arn`` bare), else None."""
    parsed = parse_member(member)
    if parsed is None:
        return None
    if parsed.stem in _BARE_PREFIXES:
        return parsed if bare else None
    candidates = noun_tails(noun) if tails else [noun.lower()]
    return parsed if parsed.stem in candidates else None


def is_bare(member: str) -> bool:
    parsed = parse_member(member)
    return parsed is not None and parsed.stem in _BARE_PREFIXES


def kind_of(member: str) -> IdKind:
    parsed = parse_member(member)
    return parsed.kind if parsed else "key"
