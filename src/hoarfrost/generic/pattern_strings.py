"""Strings that satisfy a model's ``pattern`` and length, generated from the regex itself.

The engine assigns identifiers and ARNs that other members of the same service must accept
(``d[a-z0-9]+`` for an Amplify app id, ``arn:...:application/[a-zA-Z0-9-]+`` for an ARN), and
its tests build inputs the same way. Guessing candidate strings and testing them fails on
most structured patterns; walking the parsed regex and choosing each piece does not.

Patterns in botocore's models are Java regexes. The few Java-only constructs they use
(``\\p{L}``, ``\\P{C}``, surrogate pairs, ``\\z``) are rewritten to Python classes that accept
a subset of what Java accepts, so a string generated here satisfies the real pattern too.
"""

from __future__ import annotations

import functools
import random
import re
import re._constants as sre  # noqa: PLC2701 - the parsed form of a regex, as re itself builds it
import re._parser as sre_parse  # noqa: PLC2701
import warnings
from typing import Any

MAXREPEAT = sre.MAXREPEAT
_INFINITE = 1 << 30

# Java property classes -> a Python class body accepting a subset of the same characters.
_PROPERTIES = {
    "L": "a-zA-Z", "IsAlphabetic": "a-zA-Z", "IsLetter": "a-zA-Z", "Alpha": "a-zA-Z", "Lu": "A-Z", "Ll": "a-z",
    "Lower": "a-z", "Upper": "A-Z", "N": "0-9", "Nd": "0-9", "Digit": "0-9", "IsDigit": "0-9", "Alnum": "a-zA-Z0-9",
    "XDigit": "0-9a-fA-F", "Z": " ", "Zs": " ", "Space": " ", "IsWhite_Space": " ", "Blank": " ",
    "P": ".", "Punct": ".", "S": "+", "Sm": "+", "Sc": "$", "M": "\u0301", "C": "\u0001", "Cntrl": "\u0001",
    "Cc": "\u0001", "ASCII": " -~", "Print": " -~", "Graph": "!-~", "InBasicLatin": " -~",
}
# The same for \P{X} (any character but X's).
_NOT_PROPERTIES = {"L": "0-9", "N": "a-zA-Z", "Alpha": "0-9", "Digit": "a-zA-Z", "Lu": "a-z0-9", "Ll": "A-Z0-9"}
_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")
_SURROGATE_RANGE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}-"
                              r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

# Characters tried first for a class, in order: lower-case letters read as names.
_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:/ "
_FALLBACK = [chr(code) for code in range(32, 127)] + ["\u00e9", "\u0301", "\u0001"]


def python_pattern(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` (a Java regex from a model) as a compiled Python regex, or None when it
    cannot be expressed; Java-only classes become subsets of themselves."""
    return _compile(pattern)


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str] | None:
    with warnings.catch_warnings():  # Java's nested classes read as possible set operations to Python
        warnings.simplefilter("ignore")
        try:
            return re.compile(pattern)
        except re.error:
            pass
        try:
            return re.compile(_translate(pattern))
        except re.error:
            return None


def _translate(pattern: str) -> str:
    text = _SURROGATE_RANGE.sub(r"\\U00010000-\\U0010FFFF", pattern)
    text = _LONE_SURROGATE.sub("", text)
    text = text.replace("\\z", "\\Z")
    out: list[str] = []
    depth, index = 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            found = _PROPERTY.match(text, index)
            if found is not None:
                table = _PROPERTIES if found.group(1) == "p" else _NOT_PROPERTIES
                body = table.get(found.group(2), "a-zA-Z0-9" if found.group(1) == "P" else "a-z")
                out.append(body if depth else f"[{body}]")
                index = found.end()
                continue
            out.append(text[index:index + 2])
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        index += 1
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _parsed(pattern: str) -> tuple[Any, re.Pattern[str]] | None:
    compiled = _compile(pattern)
    if compiled is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return sre_parse.parse(compiled.pattern, compiled.flags), compiled
        except re.error:
            return None


def matches(pattern: str, text: str) -> bool:
    """Whether ``text`` satisfies ``pattern`` as AWS applies it (the whole value); an
    inexpressible pattern accepts everything."""
    compiled = _compile(pattern)
    if compiled is None:
        return True
    if compiled.fullmatch(text) is not None:
        return True
    # Anchored patterns are applied as a search (a '^...$' pattern with alternatives).
    return (pattern.startswith("^") or pattern.endswith("$")) and compiled.search(text) is not None


def generate(pattern: str, low: int = 0, high: int | None = None, rng: random.Random | None = None,
             prefer: int | None = None) -> str | None:
    """A string satisfying ``pattern`` with ``low <= len <= high``, about ``prefer`` long,
    or None when none could be made (an inexpressible pattern, contradictory lengths)."""
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    tree, compiled = parsed
    ceiling = _INFINITE if high is None else high
    if low > ceiling:
        return None
    rng = rng or random.Random()
    width_low, width_high = _width(tree)
    wanted = prefer if prefer is not None else max(low, min(12, ceiling))
    targets = sorted({max(low, width_low, min(ceiling, width_high, value))
                      for value in (wanted, low, (low + min(ceiling, 64)) // 2, min(ceiling, 64), width_low)},
                     key=lambda value: abs(value - wanted))
    for target in targets:
        for _ in range(3):
            text = _Generator(rng).sequence(tree, target)
            if low <= len(text) <= ceiling and (compiled.fullmatch(text) or matches(pattern, text)):
                return text
    return None


def _width(items: Any) -> tuple[int, int]:
    low = high = 0
    for op, av in items:
        item_low, item_high = _item_width(op, av)
        low += item_low
        high = min(_INFINITE, high + item_high)
    return low, high


def _item_width(op: Any, av: Any) -> tuple[int, int]:
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return 1, 1
    if op is sre.BRANCH:
        widths = [_width(branch) for branch in av[1]]
        return min(low for low, _ in widths), max(high for _, high in widths)
    if op is sre.SUBPATTERN:
        return _width(av[3])
    if op is sre.ATOMIC_GROUP:
        return _width(av)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        unit_low, unit_high = _width(sub)
        top = _INFINITE if hi == MAXREPEAT else hi
        return lo * unit_low, min(_INFINITE, top * unit_high)
    if op is sre.GROUPREF_EXISTS:
        yes = _width(av[1])
        no = _width(av[2]) if av[2] else (0, 0)
        return min(yes[0], no[0]), max(yes[1], no[1])
    if op is sre.GROUPREF:
        return 0, _INFINITE
    return 0, 0  # anchors, look-arounds


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.groups: dict[int, str] = {}

    def sequence(self, items: Any, target: int) -> str:
        widths = [_item_width(op, av) for op, av in items]
        spare = max(0, target - sum(low for low, _ in widths))
        slack = [high - low for low, high in widths]
        flexible = [index for index, room in enumerate(slack) if room > 0]
        extra = [0] * len(items)
        # Spread the length over every flexible piece (an ARN's region and its resource id alike).
        while spare > 0 and flexible:
            share = max(1, spare // len(flexible))
            for index in list(flexible):
                give = min(share, slack[index] - extra[index], spare)
                extra[index] += give
                spare -= give
                if extra[index] >= slack[index]:
                    flexible.remove(index)
                if spare <= 0:
                    break
        return "".join(self.item(op, av, widths[index][0] + extra[index]) for index, (op, av) in enumerate(items))

    def item(self, op: Any, av: Any, target: int) -> str:
        if op is sre.LITERAL:
            return chr(av)
        if op is sre.NOT_LITERAL:
            return next(char for char in _PREFERRED if ord(char) != av)
        if op is sre.ANY:
            return self.rng.choice("abcdefghijklmnopqrstuvwxyz")
        if op is sre.IN:
            return self.character(av)
        if op is sre.BRANCH:
            branches = av[1]
            fitting = [branch for branch in branches if _width(branch)[0] <= target <= _width(branch)[1]]
            # The first fitting alternative, sometimes another: retries then explore the others.
            chosen = (fitting[0] if len(fitting) == 1 or self.rng.random() < 0.5 else self.rng.choice(fitting)) \
                if fitting else min(branches, key=lambda branch: abs(_width(branch)[0] - target))
            return self.sequence(chosen, target)
        if op is sre.SUBPATTERN:
            text = self.sequence(av[3], target)
            if av[0] is not None:
                self.groups[av[0]] = text
            return text
        if op is sre.ATOMIC_GROUP:
            return self.sequence(av, target)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return self.repeat(av, target)
        if op is sre.GROUPREF:
            return self.groups.get(av, "")
        if op is sre.GROUPREF_EXISTS:
            group, yes, no = av
            return self.sequence(yes, target) if group in self.groups else self.sequence(no or [], target)
        return ""

    def repeat(self, av: Any, target: int) -> str:
        lo, hi, sub = av
        top = _INFINITE if hi == MAXREPEAT else hi
        unit_low, unit_high = _width(sub)
        if unit_high == 0:
            return ""
        if unit_low == unit_high:
            count = target // unit_low
        else:
            count = 1 if target >= max(unit_low, 1) else 0
            if unit_high < _INFINITE and count * unit_high < target:
                count = -(-target // unit_high)
        count = max(lo, min(top, count))
        if count == 0:
            return ""
        base, remainder = divmod(max(target, count * unit_low), count)
        return "".join(self.sequence(sub, base + (1 if index < remainder else 0)) for index in range(count))

    def character(self, items: Any) -> str:
        allowed = _class_test(tuple(_freeze(items)))
        for group in (_PREFERRED[:26], _PREFERRED[26:36], _PREFERRED[36:62]):
            choices = [char for char in group if allowed(char)]
            if choices:
                return self.rng.choice(choices)
        return next((char for char in (*_PREFERRED[62:], *_FALLBACK) if allowed(char)), "a")


def _freeze(items: Any) -> Any:
    for op, av in items:
        yield op, tuple(av) if isinstance(av, list) else av


@functools.lru_cache(maxsize=4096)
def _class_test(items: tuple[Any, ...]) -> Any:
    negate = any(op is sre.NEGATE for op, _ in items)
    pattern = re.compile(_class_source(items))
    if negate:
        return lambda char: pattern.fullmatch(char) is None
    return lambda char: pattern.fullmatch(char) is not None


def _class_source(items: tuple[Any, ...]) -> str:
    parts = []
    for op, av in items:
        if op is sre.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is sre.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is sre.CATEGORY:
            parts.append(_CATEGORIES.get(av, ""))
    return "[" + "".join(parts) + "]" if parts else "[^\\s\\S]"


_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}
