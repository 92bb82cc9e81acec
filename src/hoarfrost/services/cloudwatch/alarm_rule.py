"""The AlarmRule language of composite alarms.

    rule := or ; or := and ('OR' and)* ; and := not ('AND' not)* ; not := 'NOT' not | atom
    atom := 'TRUE' | 'FALSE' | '(' rule ')' | STATE '(' name-or-ARN ')'
    STATE := ALARM | OK | INSUFFICIENT_DATA

A name may be quoted ("my alarm") or bare (up to the closing parenthesis). ``parse`` gives a
small tree that ``evaluate`` walks with the current state of each alarm it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_WORD = re.compile(r"\s*(ALARM|OK|INSUFFICIENT_DATA|AND|OR|NOT|TRUE|FALSE|\(|\))")


class RuleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Check:
    state: str
    alarm: str  # a name or an ARN, as written


@dataclass(frozen=True)
class Op:
    op: str  # AND, OR, NOT
    operands: tuple[Node, ...]


Node = Check | Op | bool


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def _skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def _word(self) -> str | None:
        found = _WORD.match(self.text, self.at)
        if found is None:
            return None
        word = found.group(1)
        end = found.end()
        if word.isalpha() or "_" in word:  # a keyword must not run on into a longer word
            if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
                return None
        return word

    def _take(self) -> str:
        found = _WORD.match(self.text, self.at)
        assert found is not None
        self.at = found.end()
        return found.group(1)

    def parse(self) -> Node:
        node = self._or()
        self._skip()
        if self.at != len(self.text):
            raise RuleError(f"Unexpected text at position {self.at + 1}: {self.text[self.at:self.at + 20]!r}")
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while self._word() == "OR":
            self._take()
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Op("OR", tuple(operands))

    def _and(self) -> Node:
        operands = [self._not()]
        while self._word() == "AND":
            self._take()
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else Op("AND", tuple(operands))

    def _not(self) -> Node:
        if self._word() == "NOT":
            self._take()
            return Op("NOT", (self._not(),))
        return self._atom()

    def _atom(self) -> Node:
        word = self._word()
        if word in ("TRUE", "FALSE"):
            self._take()
            return word == "TRUE"
        if word == "(":
            self._take()
            node = self._or()
            if self._word() != ")":
                raise RuleError(f"Expected ')' at position {self.at + 1}")
            self._take()
            return node
        if word in STATES:
            self._take()
            if self._word() != "(":
                raise RuleError(f"Expected '(' after {word} at position {self.at + 1}")
            self._take()
            return Check(word, self._name())
        self._skip()
        raise RuleError(f"Unexpected text at position {self.at + 1}: {self.text[self.at:self.at + 20]!r}")

    def _name(self) -> str:
        self._skip()
        text = self.text
        if self.at < len(text) and text[self.at] in "\"'":
            quote = text[self.at]
            end = text.find(quote, self.at + 1)
            if end < 0:
                raise RuleError("Unterminated quoted alarm name")
            name = text[self.at + 1:end]
            self.at = end + 1
            self._skip()
            if self.at >= len(text) or text[self.at] != ")":
                raise RuleError(f"Expected ')' at position {self.at + 1}")
        else:
            end = text.find(")", self.at)
            if end < 0:
                raise RuleError("Expected ')' after the alarm name")
            name = text[self.at:end].strip()
            self.at = end
        self.at += 1
        if not name:
            raise RuleError("An alarm name is empty")
        return name


def parse(text: str) -> Node:
    return _Parser(text).parse()


def alarms(node: Node) -> list[str]:
    """The alarm names / ARNs the rule names, in order, once each."""
    found: list[str] = []

    def walk(item: Node) -> None:
        if isinstance(item, Check):
            if item.alarm not in found:
                found.append(item.alarm)
        elif isinstance(item, Op):
            for operand in item.operands:
                walk(operand)

    walk(node)
    return found


def evaluate(node: Node, state_of: Callable[[str], str | None]) -> bool:
    """Whether the rule holds; an alarm that no longer exists is in no state."""
    if isinstance(node, bool):
        return node
    if isinstance(node, Check):
        return state_of(node.alarm) == node.state
    if node.op == "NOT":
        return not evaluate(node.operands[0], state_of)
    if node.op == "AND":
        return all(evaluate(operand, state_of) for operand in node.operands)
    return any(evaluate(operand, state_of) for operand in node.operands)
