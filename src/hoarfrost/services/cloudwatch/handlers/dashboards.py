"""Dashboards: stored JSON bodies, checked as CloudWatch checks them."""

from __future__ import annotations

import json
import re
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.cloudwatch.errors import bad_token, errors
from hoarfrost.services.cloudwatch.handlers import ops
from hoarfrost.services.cloudwatch.handlers.common import TAG_RULES, CwContext
from hoarfrost.services.cloudwatch.state import Dashboard

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
LIST_PAGE = 1000


def _invalid(messages: list[tuple[str, str]], summary: str | None = None) -> Exception:
    """DashboardInvalidInputError (InvalidParameterInput) with its DashboardValidationMessages."""
    text = summary or (f"The dashboard body is invalid, there are {len(messages)} validation errors: "
                       + json.dumps([{"dataPath": path, "message": detail} for path, detail in messages]))
    return errors.DashboardInvalidInputError(
        text, dashboardValidationMessages=[{"DataPath": path, "Message": detail} for path, detail in messages])


def _check_body(body: str) -> None:
    """What PutDashboard refuses: a body that is not a JSON object, ``widgets`` that is not a
    list, a widget without a known ``type`` or with non-object ``properties``."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:  # a str body: the one ValueError json.loads raises
        raise _invalid([("", f"Invalid JSON: {exc.msg} at position {exc.pos}")],
                       "The field DashboardBody must be a valid JSON object") from None
    if not isinstance(document, dict):
        raise _invalid([("", "Should be an object")], "The field DashboardBody must be a valid JSON object")
    widgets = document.get("widgets", [])
    if not isinstance(widgets, list):
        raise _invalid([("/widgets", "Should be an array")])
    problems: list[tuple[str, str]] = []
    for index, widget in enumerate(widgets):
        path = f"/widgets/{index}"
        if not isinstance(widget, dict):
            problems.append((path, "Should be an object"))
            continue
        if "type" not in widget:
            problems.append((path, "Should have required property 'type'"))
        elif widget["type"] not in WIDGET_TYPES:
            problems.append((f"{path}/type", f"Should be equal to one of the allowed values {list(WIDGET_TYPES)}"))
        if "properties" in widget and not isinstance(widget["properties"], dict):
            problems.append((f"{path}/properties", "Should be an object"))
        for member in ("x", "y", "width", "height"):
            if member in widget and not isinstance(widget[member], int):
                problems.append((f"{path}/{member}", "Should be integer"))
    if problems:
        raise _invalid(problems)


@ops.operation
def put_dashboard(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    name, body = request["DashboardName"], request["DashboardBody"]
    if not _NAME.match(name):
        raise errors.DashboardInvalidInputError(
            "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, "
            "dash (-) and underscore (_).")
    _check_body(body)
    existing = ctx.state.dashboards.get(name)
    if existing is not None:
        tags = existing.tags  # an update keeps the dashboard's tags
    else:
        tags = tagging.check(tagging.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    ctx.state.dashboards[name] = Dashboard(name=name, body=body, last_modified=ctx.clock.time(), tags=tags)
    return {"DashboardValidationMessages": []}


def _dashboard(ctx: CwContext, name: str) -> Dashboard:
    found = ctx.state.dashboards.get(name)
    if found is None:
        raise errors.DashboardNotFoundError(f"Dashboard {name} does not exist")
    return found


@ops.operation
def get_dashboard(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _dashboard(ctx, request["DashboardName"])
    return {"DashboardArn": ctx.state.dashboard_arn(found.name), "DashboardBody": found.body,
            "DashboardName": found.name}


@ops.operation
def list_dashboards(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("DashboardNamePrefix") or ""
    names = sorted(name for name in ctx.state.dashboards if name.startswith(prefix))
    page = paginate(names, request.get("NextToken"), LIST_PAGE, kind="cloudwatch:ListDashboards", error=bad_token,
                    key=lambda name: name)
    entries = []
    for name in page.items:
        found = ctx.state.dashboards[name]
        entries.append({"DashboardName": name, "DashboardArn": ctx.state.dashboard_arn(name),
                        "LastModified": found.last_modified, "Size": len(found.body.encode("utf-8"))})
    return {"DashboardEntries": entries, **page.token_member()}


@ops.operation
def delete_dashboards(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    names = request["DashboardNames"]
    for name in names:
        _dashboard(ctx, name)
    for name in names:
        ctx.state.dashboards.pop(name, None)
    return {}
