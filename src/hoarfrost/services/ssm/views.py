"""SsmStateView: one account/region of SSM Parameter Store as plain, typed data.

Every parameter with its whole history (each version's value, type, description, tier,
policies, data type and labels) and its tags. Values are in the view (a restored emulator
answers the same GetParameter) and marked ``sensitive`` in the JSON Schema. Public
parameters (``/aws/service/...``) are data, not state, and never appear.

A view is refused when a name breaks the naming rules, a label sits on two versions of one
parameter or a version has more than 10, a type or tier is unknown, or a policy does not parse.

Merge: a parameter whose name exists takes the view's tags, and its versions merge by
version number (a version in the view replaces the one with that number, others are kept);
parameters not in the view are kept.
"""

from __future__ import annotations

from pydantic import Field

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.ssm import policies
from hoarfrost.services.ssm.names import check_name
from hoarfrost.services.ssm.state import Parameter, ParameterVersion, SsmBackend

TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced")


@record_view(ParameterVersion, key="version")
class ParameterVersionView(RecordView):
    """One version of a parameter, as PutParameter wrote it, and the labels on it."""

    value: str = Field(json_schema_extra={"sensitive": True})


@record_view(Parameter, key="name")
class ParameterView(RecordView):
    """One parameter: its versions (oldest first; the last is the current one) and tags."""


class SsmStateView(StateView):
    """Parameter Store in one account/region (see the module doc)."""

    parameters: list[ParameterView] = Field(default_factory=list)


def to_view(backend: SsmBackend) -> SsmStateView:
    return SsmStateView(parameters=[ParameterView.of(backend.parameters[name]) for name in backend.names])


def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"ssm: {message}")


def _check(view: ParameterView) -> None:
    name = view.name
    try:
        check_name(name)
    except ServiceError as error:
        raise _invalid(f"parameter {name!r}: {error.message}") from error
    labels: set[str] = set()
    for version in view.versions:
        where = f"parameter {name!r} version {version.version}"
        if version.version < 1:
            raise _invalid(f"{where}: versions count from 1")
        if version.type not in TYPES or version.tier not in TIERS:
            raise _invalid(f"{where}: type must be one of {TYPES} and tier one of {TIERS}")
        if len(version.labels) > 10:
            raise _invalid(f"{where} has more than 10 labels")
        for label in version.labels:
            if label in labels:
                raise _invalid(f"parameter {name!r}: label {label!r} is on two versions")
            labels.add(label)
        try:
            for text in version.policies:
                policies.parse(text)
        except ServiceError as error:
            raise _invalid(f"{where}: {error.message}") from error


def _ordered(parameter: Parameter) -> Parameter:
    parameter.versions = dict(sorted(parameter.versions.items()))
    if parameter.versions:
        parameter.expires = policies.expiry(parameter.latest.policies)
    return parameter


def from_view(view: SsmStateView, account: str, region: str) -> SsmBackend:
    backend = SsmBackend(account, region)
    for parameter_view in view.parameters:
        _check(parameter_view)
        if parameter_view.name in backend.parameters:
            raise _invalid(f"parameter {parameter_view.name!r} appears twice")
        if not parameter_view.versions:
            raise _invalid(f"parameter {parameter_view.name!r} has no version")
        backend.add(_ordered(parameter_view.to_record()))
    return backend


def merge(target: SsmBackend, source: SsmBackend) -> None:
    for name, parameter in source.parameters.items():
        existing = target.parameters.get(name)
        if existing is None:
            target.add(parameter)
        else:
            ParameterView.merge(existing, parameter)
            target.add(_ordered(existing))
