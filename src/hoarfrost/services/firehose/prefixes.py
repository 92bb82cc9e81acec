"""S3 object keys as Firehose writes them: AWS's default layout and the custom prefixes with
the ``!{timestamp:...}`` and ``!{firehose:...}`` namespaces.

Without expressions a prefix is followed by the UTC hour path ``YYYY/MM/dd/HH/``; with any, the
prefix is the whole path (AWS then appends nothing, and requires an ErrorOutputPrefix). The
object's name is ``<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>`` (``.gz`` after it for GZIP
unless a FileExtension says otherwise).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import uuid
import zoneinfo

from hoarfrost.services.firehose.errors import invalid

_EXPRESSION = re.compile(r"!\{([^}]*)\}")
_PATTERN_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|[^A-Za-z']+")
# Java DateTimeFormatter letters Firehose's timestamp namespace accepts, as strftime.
_JAVA = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S", "D": "%j",
         "DDD": "%j", "EEE": "%a", "MMM": "%b"}
_RANDOM = string.ascii_lowercase + string.digits


def _java_format(pattern: str) -> str:
    """A Java date-time pattern as a strftime format (quoted text kept literally)."""
    out: list[str] = []
    position = 0
    for match in _PATTERN_TOKEN.finditer(pattern):
        if match.start() != position:
            break
        token = match.group(0)
        position = match.end()
        if token.startswith("'"):
            out.append(token[1:-1].replace("%", "%%") or "'")
        elif token[0].isalpha():
            if token not in _JAVA:
                raise invalid(f"The expression !{{timestamp:{pattern}}} is invalid: unsupported pattern {token!r}.")
            out.append(_JAVA[token])
        else:
            out.append(token.replace("%", "%%"))
    if position != len(pattern):
        raise invalid(f"The expression !{{timestamp:{pattern}}} is invalid.")
    return "".join(out)


def check_prefixes(prefix: str | None, error_prefix: str | None) -> None:
    """AWS's rules for custom prefixes, checked at CreateDeliveryStream and UpdateDestination."""
    for text, name in ((prefix, "Prefix"), (error_prefix, "ErrorOutputPrefix")):
        for body in _EXPRESSION.findall(text or ""):
            namespace, _, value = body.partition(":")
            if namespace == "timestamp":
                _java_format(value)
            elif namespace == "firehose":
                if value == "error-output-type" and name == "Prefix":
                    raise invalid("The expression !{firehose:error-output-type} is not allowed in Prefix.")
                if value not in ("random-string", "error-output-type"):
                    raise invalid(f"The expression !{{{body}}} is invalid: unknown firehose key {value!r}.")
            elif namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
                raise invalid(f"The expression !{{{body}}} needs dynamic partitioning, which hoarfrost does not "
                              "support.")
            else:
                raise invalid(f"The expression !{{{body}}} is invalid: unknown namespace {namespace!r}.")
    if _EXPRESSION.search(prefix or "") and not error_prefix:
        raise invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")
    if error_prefix and _EXPRESSION.search(error_prefix) and not _EXPRESSION.search(prefix or ""):
        raise invalid("Prefix must contain expressions when ErrorOutputPrefix contains expressions.")


def _zone(name: str | None) -> dt.tzinfo:
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def check_time_zone(name: str | None) -> None:
    if name:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise invalid(f"CustomTimeZone {name} is not a valid time zone.") from None


def _expand(text: str, moment: dt.datetime, error_type: str | None) -> str:
    def replace(match: re.Match[str]) -> str:
        namespace, _, value = match.group(1).partition(":")
        if namespace == "timestamp":
            return moment.strftime(_java_format(value))
        if value == "random-string":
            return "".join(secrets.choice(_RANDOM) for _ in range(11))
        return error_type or ""

    return _EXPRESSION.sub(replace, text)


def object_key(prefix: str | None, stream: str, version: int, when: float, *, time_zone: str | None = None,
               extension: str = "", error_type: str | None = None, error_prefix: str | None = None,
               custom: bool = False) -> str:
    """The key of one delivered object (``error_type`` set: of an error-output object).

    ``custom``: the destination's Prefix holds expressions (so does its error prefix, then)."""
    moment = dt.datetime.fromtimestamp(when, _zone(time_zone))
    hour_path = moment.strftime("%Y/%m/%d/%H/")
    if error_type is None:
        path = _expand(prefix or "", moment, None) if custom else (prefix or "") + hour_path
    elif error_prefix:
        path = _expand(error_prefix, moment, error_type) if custom else error_prefix + hour_path
    else:
        path = f"{error_type}/{hour_path}"
    name = f"{stream}-{version}-{moment.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4()}"
    return path + name + extension


def has_expressions(prefix: str | None) -> bool:
    return bool(_EXPRESSION.search(prefix or ""))
