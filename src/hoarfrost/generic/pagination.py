"""A list operation's page token and page size members.

botocore's paginator config (``paginators-1.json``) names them where it covers the
operation; else the usual member names do, and the record says which source it came from.
"""

from __future__ import annotations

from typing import Any

from hoarfrost.generic.catalog import Paging
from hoarfrost.generic.model import Member

_INPUT_TOKENS = ("nexttoken", "marker", "pagetoken", "nextpagetoken", "startingtoken", "continuationtoken",
                 "position", "cursor", "paginationtoken", "starttoken")
_OUTPUT_TOKENS = ("nexttoken", "nextmarker", "nextpagetoken", "marker", "position", "cursor", "paginationtoken",
                  "continuationtoken")
_LIMITS = ("maxresults", "limit", "maxitems", "maxrecords", "pagesize", "maxkeys", "maxentries", "maxresult")


def is_paging_member(name: str) -> bool:
    """A page token or size, never an identifier (Cognito's ListUserPools requires MaxResults)."""
    lower = name.lower()
    return lower in _INPUT_TOKENS or lower in _LIMITS or lower.startswith("exclusivestart")


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def paging(paginator: dict[str, Any] | None, inputs: dict[str, Member], outputs: dict[str, Member],
           container: str = "", contained: dict[str, Member] | None = None) -> Paging | None:
    """``container``/``contained``: the structure that holds the list (CloudFront's
    CachePolicyList, with its NextMarker), searched after the top level."""
    if contained:
        outputs = {**outputs, **{f"{container}.{name}": member for name, member in contained.items()}}
    if paginator:
        return Paging(input_tokens=_tuple(paginator.get("input_token")),
                      output_tokens=_tuple(paginator.get("output_token")),
                      limit=paginator.get("limit_key"), more_results=paginator.get("more_results"),
                      source="paginator")
    by_lower_in = {name.lower(): name for name in inputs}
    by_lower_out: dict[str, str] = {}
    for name in outputs:
        by_lower_out.setdefault(name.split(".")[-1].lower(), name)
    input_token = next((by_lower_in[name] for name in _INPUT_TOKENS if name in by_lower_in), None)
    if input_token is None:
        input_token = next((name for name in inputs if name.lower().startswith("exclusivestart")), None)
    output_token = next((by_lower_out[name] for name in _OUTPUT_TOKENS if name in by_lower_out), None)
    if output_token is None:
        output_token = next((name for name in outputs if name.split(".")[-1].lower().startswith("lastevaluated")),
                            None)
    limit = next((by_lower_in[name] for name in _LIMITS if name in by_lower_in), None)
    more = by_lower_out.get("istruncated")
    if not (input_token or output_token or limit):
        return None
    return Paging(input_tokens=_tuple(input_token), output_tokens=_tuple(output_token), limit=limit,
                  more_results=more, source="names")


def result_keys(paginator: dict[str, Any] | None) -> tuple[str, ...]:
    return _tuple((paginator or {}).get("result_key"))
