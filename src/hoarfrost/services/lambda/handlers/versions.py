"""Published versions: PublishVersion freezes ``$LATEST``; ListVersionsByFunction lists them."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import errors, invalid
from ..state import LATEST, Function, FunctionConfig
from . import ops
from .common import Ctx, check_revision, configuration, new_revision, resolve


def publish(ctx: Ctx, function: Function, description: str) -> FunctionConfig:
    """A new version from ``$LATEST``, or the newest version when nothing changed since it (as
    AWS does: publishing twice without a change returns the same version)."""
    latest = function.latest
    if function.versions and function.published_revision == latest.revision_id:
        return function.versions[str(max(int(v) for v in function.versions))]
    version = str(function.next_version)
    function.next_version += 1
    config = latest.copy(version=version, description=description or latest.description, state="Active",
                         last_update_status="Successful", revision_id=new_revision())
    function.versions[version] = config
    function.published_revision = latest.revision_id
    return config


@ops.operation
def publish_version(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    latest = function.latest
    check_revision(request, latest.revision_id)
    sha = request.get("CodeSha256")
    if sha is not None and sha != latest.code_sha256:
        raise errors.InvalidParameterValueException(
            f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest.code_sha256}). "
            "Please try again.")
    config = publish(ctx, function, request.get("Description") or "")
    return Reply(configuration(ctx.state, function, config), status=201)


@ops.operation
def list_versions_by_function(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    versions = [LATEST, *sorted(function.versions, key=int)]
    page = paginate(versions, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListVersionsByFunction:{function.name}", error=lambda: invalid("Invalid marker."))
    return {"Versions": [configuration(ctx.state, function, function.config(v)) for v in page.items  # type: ignore[arg-type]
                         ], **page.token_member("NextMarker")}


