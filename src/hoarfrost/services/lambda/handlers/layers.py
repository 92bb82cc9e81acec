"""Layers: published, versioned zips a function attaches; their contents are importable in the
function as ``/opt`` is in AWS (``python/``, ``nodejs/node_modules``)."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import conflict, errors, invalid
from ..state import Layer, LayerVersion
from . import ops
from .common import Ctx, code_package, last_modified, new_revision


def _version_output(ctx: Ctx, name: str, version: LayerVersion, content: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "LayerVersionArn": ctx.state.layer_arn(name, version.version), "Version": version.version,
        "Description": version.description, "CreatedDate": version.created,
        "CompatibleRuntimes": list(version.compatible_runtimes),
        "CompatibleArchitectures": list(version.compatible_architectures),
    }
    if version.license_info is not None:
        out["LicenseInfo"] = version.license_info
    if content:
        out["LayerArn"] = ctx.state.layer_arn(name)
        out["Content"] = {"Location": "", "CodeSha256": version.code_sha256, "CodeSize": version.code_size}
    return out


def _find(ctx: Ctx, name: str, number: int) -> tuple[Layer, LayerVersion]:
    layer = ctx.state.layers.get(name)
    version = layer.versions.get(number) if layer is not None else None
    if layer is None or version is None:
        raise errors.ResourceNotFoundException("The resource you requested does not exist.")
    return layer, version


def _layer_name(text: str) -> str:
    """A layer's name from its name or ARN."""
    if text.startswith("arn:"):
        return text.split(":layer:", 1)[-1].split(":")[0]
    return text


def _matches(version: LayerVersion, request: dict[str, Any]) -> bool:
    runtime, architecture = request.get("CompatibleRuntime"), request.get("CompatibleArchitecture")
    return ((runtime is None or runtime in version.compatible_runtimes)
            and (architecture is None or architecture in version.compatible_architectures))


@ops.operation
def publish_layer_version(ctx: Ctx, request: dict[str, Any]) -> Reply:
    name = _layer_name(request["LayerName"])
    sha, data = code_package(ctx, request.get("Content") or {})
    layer = ctx.state.layers.setdefault(name, Layer(name=name))
    version = LayerVersion(
        version=layer.next_version, code_sha256=sha, code_size=len(data),
        created=last_modified(ctx), description=request.get("Description") or "",
        compatible_runtimes=list(request.get("CompatibleRuntimes") or []),
        compatible_architectures=list(request.get("CompatibleArchitectures") or []),
        license_info=request.get("LicenseInfo"),
    )
    layer.next_version += 1
    layer.versions[version.version] = version
    ctx.state.add_package(sha, data)
    return Reply(_version_output(ctx, name, version), status=201)


@ops.operation
def get_layer_version(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    name = _layer_name(request["LayerName"])
    _, version = _find(ctx, name, request["VersionNumber"])
    return _version_output(ctx, name, version)


@ops.operation
def get_layer_version_by_arn(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["Arn"]
    name, _, number = arn.split(":layer:", 1)[-1].rpartition(":")
    if not number.isdigit() or ctx.state.layer_version(arn) is None:
        raise errors.ResourceNotFoundException("The resource you requested does not exist.")
    return _version_output(ctx, name, ctx.state.layers[name].versions[int(number)])


@ops.operation
def delete_layer_version(ctx: Ctx, request: dict[str, Any]) -> Reply:
    layer = ctx.state.layers.get(_layer_name(request["LayerName"]))
    if layer is not None:
        layer.versions.pop(request["VersionNumber"], None)
        # A layer without versions is gone, but its numbering goes on if it is published again.
    ctx.state.prune_packages()
    return Reply({}, status=204)


@ops.operation
def list_layer_versions(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    name = _layer_name(request["LayerName"])
    layer = ctx.state.layers.get(name)
    versions = [v for _, v in sorted((layer.versions if layer else {}).items(), reverse=True) if _matches(v, request)]
    page = paginate(versions, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListLayerVersions:{name}", error=lambda: invalid("Invalid marker."))
    return {"LayerVersions": [_version_output(ctx, name, v, content=False) for v in page.items],
            **page.token_member("NextMarker")}


@ops.operation
def list_layers(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = []
    for name in sorted(ctx.state.layers):
        matching = [v for _, v in sorted(ctx.state.layers[name].versions.items()) if _matches(v, request)]
        if matching:
            found.append((name, matching[-1]))
    page = paginate(found, request.get("Marker"), request.get("MaxItems") or 50, kind="lambda:ListLayers",
                    error=lambda: invalid("Invalid marker."))
    return {"Layers": [{"LayerName": name, "LayerArn": ctx.state.layer_arn(name),
                        "LatestMatchingVersion": _version_output(ctx, name, version, content=False)}
                       for name, version in page.items], **page.token_member("NextMarker")}


@ops.operation
def add_layer_version_permission(ctx: Ctx, request: dict[str, Any]) -> Reply:
    name = _layer_name(request["LayerName"])
    _, version = _find(ctx, name, request["VersionNumber"])
    sid = request["StatementId"]
    if sid in version.statements:
        raise conflict(f"The statement id ({sid}) provided already exists. Please provide a new statement id, or "
                       "remove the existing statement.")
    principal = request["Principal"]
    statement: dict[str, Any] = {
        "Sid": sid, "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": request["Action"], "Resource": ctx.state.layer_arn(name, version.version),
    }
    if request.get("OrganizationId"):
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": request["OrganizationId"]}}
    version.statements[sid] = statement
    return Reply({"Statement": json.dumps(statement), "RevisionId": new_revision()}, status=201)


@ops.operation
def remove_layer_version_permission(ctx: Ctx, request: dict[str, Any]) -> Reply:
    _, version = _find(ctx, _layer_name(request["LayerName"]), request["VersionNumber"])
    if version.statements.pop(request["StatementId"], None) is None:
        raise errors.ResourceNotFoundException(f"Statement {request['StatementId']} is not found in resource policy.")
    return Reply({}, status=204)


@ops.operation
def get_layer_version_policy(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    _, version = _find(ctx, _layer_name(request["LayerName"]), request["VersionNumber"])
    if not version.statements:
        raise errors.ResourceNotFoundException("No policy is associated with the given resource.")
    return {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default",
                                  "Statement": list(version.statements.values())}), "RevisionId": new_revision()}
