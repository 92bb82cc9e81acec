"""Parameter Store's naming rules: names and hierarchies (15 levels, reserved ``aws``/``ssm``
prefixes), labels, and the ``name:version`` / ``name:label`` selectors of GetParameter(s)."""

from __future__ import annotations

import re

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.ssm.errors import BAD_NAME, errors, validation

MAX_DEPTH = 15
_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
_LABEL = re.compile(r"[A-Za-z0-9_.-]{1,100}")
HIERARCHY = ("A hierarchy can have a maximum of 15 levels. For more information, see Requirements and "
             "constraints for parameter names in the AWS Systems Manager User Guide.")


def plain_name(name: str) -> str:
    """A parameter named by its ARN is named by its name (with the leading slash of a path)."""
    if name.startswith("arn:"):
        arn = try_parse_arn(name)
        if arn is not None and arn.service == "ssm" and arn.resource.startswith("parameter/"):
            rest = arn.resource[len("parameter/"):]
            return "/" + rest if "/" in rest else rest
    return name


def check_name(name: str) -> None:
    """A name PutParameter accepts (raises the error AWS sends otherwise)."""
    if name.lower().startswith("/aws/"):
        raise errors.AccessDeniedException(f"No access to reserved parameter name: {name}.")
    if "/" in name and not name.startswith("/"):
        raise validation("Parameter name must be a fully qualified name.")
    segments = name[1:].split("/") if name.startswith("/") else [name]
    if segments[0].lower().startswith(("aws", "ssm")) or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise validation(BAD_NAME)
    if len(segments) > MAX_DEPTH:
        raise errors.HierarchyLevelLimitExceededException(HIERARCHY)
    if len(name) > 1011:
        raise validation("Parameter name: the maximum length of a fully qualified parameter name is 1011 characters.")


def check_path(path: str) -> None:
    """A Path for GetParametersByPath (or a Path filter)."""
    if not path.startswith("/") or (path != "/" and not all(_SEGMENT.fullmatch(s) for s in path.strip("/").split("/"))):
        raise validation(f'The parameter doesn\'t meet the parameter name requirements. The parameter name must '
                         f'begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" '
                         f'(case-insensitive). It must use only letters, numbers, or the following symbols: . '
                         f'(period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, '
                         f'if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./'
                         f'path0_. Invalid path: {path}')
    if len(path.strip("/").split("/")) > MAX_DEPTH:
        raise errors.HierarchyLevelLimitExceededException(HIERARCHY)


def valid_label(label: str) -> bool:
    """Labels: letters, digits, ``.``, ``-``, ``_``; not starting with a digit, ``aws`` or ``ssm``."""
    return bool(_LABEL.fullmatch(label)) and not label[0].isdigit() and not label.lower().startswith(("aws", "ssm"))


def split_selector(text: str) -> tuple[str, str | None]:
    """``name:3`` / ``name:label`` -> (name, selector); a name has no ``:`` of its own (an ARN's
    colons come before the name)."""
    if text.startswith("arn:"):
        head, colon, selector = text.rpartition(":")
        if colon and "/" not in selector and head.count(":") >= 5:
            return plain_name(head), selector
        return plain_name(text), None
    name, colon, selector = text.partition(":")
    return (name, selector) if colon else (text, None)
