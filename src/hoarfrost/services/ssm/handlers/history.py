"""GetParameterHistory: every version kept, oldest first, with its labels."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.ssm.errors import errors
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.handlers.common import SsmContext, find, history_entry


@ops.operation
def get_parameter_history(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    parameter = find(ctx, request["Name"])
    decrypt = bool(request.get("WithDecryption"))
    page = paginate(list(parameter.versions), request.get("NextToken"), request.get("MaxResults") or 50,
                    kind="ssm:GetParameterHistory:" + parameter.name, key=int,
                    error=lambda: errors.InvalidNextToken("The specified token is not valid."))
    return {"Parameters": [history_entry(parameter, parameter.versions[n], decrypt) for n in page.items],
            **page.token_member()}
