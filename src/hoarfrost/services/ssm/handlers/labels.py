"""LabelParameterVersion and UnlabelParameterVersion: a label names one version of a
parameter at a time (labelling another version moves it), at most 10 labels a version."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.ssm.errors import errors, version_not_found
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.handlers.common import SsmContext, find
from hoarfrost.services.ssm.names import valid_label

MAX_LABELS = 10


@ops.operation
def label_parameter_version(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    parameter = find(ctx, request["Name"])
    number = request.get("ParameterVersion")
    version = parameter.latest if number is None else parameter.versions.get(number)
    if version is None:
        raise version_not_found(parameter.name, str(number))
    labels = list(dict.fromkeys(request["Labels"]))
    invalid = [label for label in labels if not valid_label(label)]
    valid = [label for label in labels if valid_label(label)]
    if len(set(version.labels) | set(valid)) > MAX_LABELS:
        raise errors.ParameterVersionLabelLimitExceeded(
            "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.")
    for label in valid:
        holder = parameter.with_label(label)
        if holder is version:
            continue
        if holder is not None:
            holder.labels.remove(label)
        version.labels.append(label)
    return {"InvalidLabels": invalid, "ParameterVersion": version.version}


@ops.operation
def unlabel_parameter_version(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    parameter = find(ctx, request["Name"])
    number = request["ParameterVersion"]
    version = parameter.versions.get(number)
    if version is None:
        raise version_not_found(parameter.name, str(number))
    removed, invalid = [], []
    for label in dict.fromkeys(request["Labels"]):
        if label in version.labels:
            version.labels.remove(label)
            removed.append(label)
        else:
            invalid.append(label)
    return {"RemovedLabels": removed, "InvalidLabels": invalid}
