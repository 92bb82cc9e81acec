"""SNS's errors: every code SNS sends is in its model (``errors.NotFoundException`` answers
``NotFound``), so this module only builds SNS's messages.

Messages follow what SNS sends: ``Invalid parameter: <Name>`` for InvalidParameter and the
fixed texts of the batch errors.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("sns")


def invalid(detail: str) -> ServiceError:
    """``InvalidParameter`` with SNS's ``Invalid parameter: ...`` prefix."""
    return errors.InvalidParameterException(f"Invalid parameter: {detail}")
