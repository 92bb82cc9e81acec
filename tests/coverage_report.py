"""Lines the generated sweeps (botocore oracle, router) report; printed once in pytest's
terminal summary, so CI logs always show per-protocol coverage whatever the capture mode."""

from __future__ import annotations

LINES: list[str] = []


def report(line: str) -> None:
    LINES.append(line.strip("\n"))
