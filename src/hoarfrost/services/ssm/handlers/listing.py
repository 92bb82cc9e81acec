"""Listings: GetParametersByPath (one level or recursive, filters, pages) and
DescribeParameters (filters, pages)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.ssm import public
from hoarfrost.services.ssm.errors import errors, validation
from hoarfrost.services.ssm.filters import compile_filters, compile_legacy
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.handlers.common import SsmContext, backend, metadata, parameter_answer, public_answer
from hoarfrost.services.ssm.names import check_path

BY_PATH_KEYS = ("Type", "KeyId", "Label", "DataType")
DESCRIBE_KEYS = ("Name", "Path", "Type", "KeyId", "Tier", "DataType")


def _token_error() -> Exception:
    return errors.InvalidNextToken("The specified token is not valid.")


def _in_path(names: list[str], root: str, recursive: bool) -> list[str]:
    return [n for n in names if n.startswith(root) and (recursive or "/" not in n[len(root):])]


@ops.operation
def get_parameters_by_path(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    path = request["Path"]
    check_path(path)
    root = path.rstrip("/") + "/"
    recursive = bool(request.get("Recursive"))
    decrypt = bool(request.get("WithDecryption"))
    limit = request.get("MaxResults") or 10
    kind = "ssm:GetParametersByPath:" + root
    if root.startswith(public.PREFIX):
        catalogue = public.parameters(ctx.scope.region)
        page = paginate(_in_path(public.names(ctx.scope.region), root, recursive), request.get("NextToken"), limit,
                        kind=kind, key=str, error=_token_error)
        return {"Parameters": [public_answer(ctx, catalogue[n]) for n in page.items], **page.token_member()}
    state = backend(ctx)
    wanted = compile_filters(request.get("ParameterFilters"), BY_PATH_KEYS)
    labels = [f["Values"] for f in request.get("ParameterFilters") or [] if f.get("Key") == "Label"]
    names = [n for n in _in_path(state.under(root), root, recursive) if wanted(state.parameters[n])]
    page = paginate(names, request.get("NextToken"), limit, kind=kind, key=str, error=_token_error)
    answers = []
    for name in page.items:
        parameter = state.parameters[name]
        version = parameter.latest
        if labels:  # a Label filter answers the labelled version
            version = next(v for v in (parameter.with_label(label) for label in labels[0]) if v is not None)
        answers.append(parameter_answer(ctx, parameter, version, decrypt))
    return {"Parameters": answers, **page.token_member()}


@ops.operation
def describe_parameters(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("Filters") and request.get("ParameterFilters"):
        raise validation("You can use either Filters or ParameterFilters in a single request.")
    if request.get("Shared"):
        return {"Parameters": []}  # shared through AWS RAM, which hoarfrost does not have
    state = backend(ctx)
    wanted = compile_filters(request.get("ParameterFilters"), DESCRIBE_KEYS)
    legacy = compile_legacy(request.get("Filters"))
    names = [n for n in state.names if wanted(state.parameters[n]) and legacy(state.parameters[n])]
    page = paginate(names, request.get("NextToken"), request.get("MaxResults") or 50, kind="ssm:DescribeParameters",
                    key=str, error=_token_error)
    return {"Parameters": [metadata(ctx, state.parameters[n]) for n in page.items], **page.token_member()}
