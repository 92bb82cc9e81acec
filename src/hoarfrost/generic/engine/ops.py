"""What the engine does for each role: create, read, list, update, delete, and tags by ARN.

Every answer is built from stored state in the operation's output shape; every failure is
one of the model's errors (the family's not-found or exists error, the operation's conflict
error), so a client sees what the real service would send, never an empty success.
"""

from __future__ import annotations

import copy
import functools
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hoarfrost.core import catalog as models
from hoarfrost.core.errors import NotImplementedOperation, ServiceError, ValidationException
from hoarfrost.core.kit import tags as tag_rules
from hoarfrost.core.kit.arn import build_arn, partition_for
from hoarfrost.core.kit.errors import declare, model_errors
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import RequestContext
from hoarfrost.generic.catalog import Binding, Family, OperationRole, TagMembers
from hoarfrost.generic.engine.plan import Served, plan
from hoarfrost.generic.engine.shapes import at_path, conform, fill, new_arn, new_identifier
from hoarfrost.generic.engine.state import GenericBackend, Resource

if TYPE_CHECKING:
    from hoarfrost.generic.engine.service import GenericService  # noqa: F401 - named in Ctx's string

# The not-found answer for a family whose model names no not-found error.
ResourceNotFound = declare("ResourceNotFoundException", 404, "The resource does not exist.")

Ctx = RequestContext[GenericBackend, "GenericService"]
DEFAULT_PAGE = 100


def run(ctx: Ctx, operation: str, served: Served, params: dict[str, Any]) -> dict[str, Any]:
    output_shape = models.operation_model(ctx.service.name, operation).output_shape
    if served.tagging is not None:
        return _tags(ctx, operation, served, params, output_shape)
    if served.kind == "endpoints":
        return _endpoints(ctx)
    assert served.family is not None and served.role is not None
    action = _ACTIONS[served.kind]
    return action(ctx, served.family, served.role, params, output_shape)


# -- errors ---------------------------------------------------------------------------------
def _model_error(service: str, names: tuple[str | None, ...]) -> type[ServiceError] | None:
    errors = model_errors(service)
    return next((getattr(errors, name) for name in names if name and name in errors), None)


def not_found(ctx: Ctx, family: Family, role: OperationRole | None, value: Any) -> ServiceError:
    names = (family.not_found_error, *(role.errors.not_found if role else ()))
    cls = _model_error(ctx.service.name, names) or ResourceNotFound
    return cls(f"{family.name} {value!r} does not exist")


def _validation(ctx: Ctx, role: OperationRole, message: str) -> ServiceError:
    cls = _model_error(ctx.service.name, role.errors.validation) or ValidationException
    return cls(message)


# -- finding resources ----------------------------------------------------------------------
def _own_binding(family: Family, role: OperationRole) -> Binding | None:
    return next((item for item in role.bindings if item.family == family.name), None)


def _parent_uid(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any]) -> str | None:
    """The uid of the parent the request names (its not-found error when it does not exist);
    None when the request names none."""
    parent = family.parent
    if parent is None:
        return None
    binding = next((item for item in role.bindings if item.family == parent.family), None)
    member = binding.member if binding is not None else parent.member
    value = params.get(member)
    if value is None or not isinstance(value, str):
        return None
    parent_family = _catalog_family(ctx, parent.family)
    found = next(iter(ctx.state.named(parent.family, value)), None)
    if found is None:
        raise not_found(ctx, parent_family or family, None if parent_family else role, value)
    return found.uid


def _catalog_family(ctx: Ctx, name: str) -> Family | None:
    from hoarfrost.generic.store import catalog_for

    return catalog_for(ctx.service.name).family(name)


def _singleton(ctx: Ctx, family: Family, parent_uid: str | None) -> Resource | None:
    """A singleton family's one resource under ``parent_uid`` (or in the scope)."""
    return next(iter(ctx.state.listed(family.name, parent_uid)), None)


def _find(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any]) -> Resource:
    parent_uid = _parent_uid(ctx, family, role, params)
    if family.singleton:
        found = _singleton(ctx, family, parent_uid)
        if found is None:
            named = params.get(family.parent.member) if family.parent is not None else ctx.scope.account
            raise not_found(ctx, family, role, named)
        return found
    binding = _own_binding(family, role)
    value = _text_of(params.get(binding.member)) if binding is not None else None
    if value is None:  # UpdateTable names it in TableInput.Name, as CreateTable does
        value = next((_get_path(params, path) for ident in family.identifiers for path in ident.input_paths
                      if "." in path and isinstance(_get_path(params, path), str)), None)
    if isinstance(value, str):
        for item in ctx.state.named(family.name, value):
            if parent_uid is None or item.parent == parent_uid:
                return item
    raise not_found(ctx, family, role, value)


# -- rendering ------------------------------------------------------------------------------
def _attributes(service: str, resource: Resource, family: Family) -> dict[str, Any]:
    """What answers carry: the stored attributes, the identifiers, and each identifier under
    the shorter names outputs give it (``restApiId`` is a RestApi's ``id``, a
    DocumentationVersion's ``documentationVersion`` its ``version``)."""
    attributes = dict(resource.attributes)
    for member, text in resource.identifiers.items():
        held = attributes.get(member)
        if not (isinstance(held, int) and str(held) == text):  # an assigned number keeps its type
            attributes[member] = text
    members = family.tags
    if resource.tags and members is not None and "." not in members.member:  # as TagResource left them
        attributes[members.member] = dict(resource.tags) if members.form == "map" else [
            {members.key or "Key": key, members.value or "Value": value} for key, value in resource.tags.items()]
    elif resource.tags:  # created with TagSpecifications (EC2): outputs carry a Tags list
        attributes.setdefault("Tags", [{"Key": key, "Value": value} for key, value in resource.tags.items()])
    lowered = {key.lower() for key in attributes}
    for member, aliases in _aliases(service, family):
        value = attributes.get(member)
        if value is None:
            continue
        for alias in aliases:
            if alias not in lowered:
                attributes[alias] = value
                lowered.add(alias)
    return attributes


_ALIASES: dict[tuple[str, str], tuple[tuple[str, tuple[str, ...]], ...]] = {}
_TIMESTAMPS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _aliases(service: str, family: Family) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per identifier member, the other names outputs may give it (worked out once per family)."""
    key = (service, family.name)
    known = _ALIASES.get(key)
    if known is not None:
        return known
    found = []
    for ident in family.identifiers:
        member = ident.member[0].lower() + ident.member[1:]
        words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", ident.member)
        aliases = {ident.kind if ident.kind != "key" else "", member.lower().removeprefix(family.name.lower()),
                   words[-1].lower() if words and member.lower() == family.name.lower() else "",
                   member.lower().replace("identifier", "id")}
        tail = member.lower().removeprefix(family.name.lower())
        if tail in ("name", "id", "arn"):
            # And longer or shorter: a DataCatalog's Name is a summary's CatalogName, an IoT
            # billing group's billingGroupName a GroupNameAndArn's groupName.
            family_words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", family.name)
            aliases |= {"".join(family_words[start:]).lower() + tail for start in range(len(family_words))}
        found.append((ident.member, tuple(sorted(aliases - {""}))))
    _ALIASES[key] = tuple(found)
    return _ALIASES[key]


def render(service: str, output_shape: Any, path: str | None, resource: Resource, family: Family) -> dict[str, Any]:
    """The resource in ``output_shape``: at the top level, or nested at ``path``."""
    if output_shape is None:
        return {}
    attributes = _attributes(service, resource, family)
    if not path:
        return _with_summaries(fill(output_shape, attributes), output_shape, attributes, resource)
    parts = path.split(".")
    inner = at_path(output_shape, path)
    if inner is None or inner.type_name != "structure":  # GetSession's sessionMetadata is a map beside it
        return _with_summaries(fill(output_shape, attributes), output_shape, attributes, resource)
    value: Any = conform(attributes, inner) if inner.type_name == "structure" else None
    if value is None:
        return {}
    value = _with_summaries(value, inner, attributes, resource)
    head = parts[0].replace("[]", "")
    if len(parts) == 1 and not parts[0].endswith("[]") and isinstance(attributes.get(head), dict):
        # CreateBackupPlan took a BackupPlan structure; GetBackupPlan answers it under that name.
        value = {**(conform(attributes[head], inner) or {}), **value}
    for part in reversed(parts):
        if part.endswith("[]"):
            value = {part[:-2]: [value]}
        else:
            value = {part: value}
    # Members beside the nested resource (GetBackupPlan's BackupPlanId, DescribeMap's MapArn).
    beside = fill(output_shape, {key: item for key, item in attributes.items() if key != head})
    beside.pop(head, None)
    return {**beside, **value}


def _with_summaries(value: dict[str, Any], shape: Any, attributes: dict[str, Any],
                    resource: Resource) -> dict[str, Any]:
    """``value`` with the structures of ``shape`` that hold the resource's own identifiers
    filled from its attributes: IoT Things Graph's GetFlowTemplate answers a description
    whose ``summary`` carries the id and ARN CreateFlowTemplate returned at the top of its
    own ``summary``."""
    names = resource.names()
    for name, member in shape.members.items():
        if name in value or member.type_name != "structure":
            continue
        nested = fill(member, attributes)
        if any(isinstance(item, str) and item in names for item in nested.values()):
            value[name] = nested
    return value


# -- create ---------------------------------------------------------------------------------
def _get_path(params: dict[str, Any], path: str) -> Any:
    current: Any = params
    for part in path.split("."):
        listed = part.endswith("[]")
        name = part[:-2] if listed else part
        if not isinstance(current, dict) or name not in current:
            return None
        current = current[name]
        if listed:
            current = current[0] if isinstance(current, list) and current else None
    return current


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def _arn_namespace(service: str) -> str:
    metadata = models.service_model(service).metadata
    return str(metadata.get("signingName") or metadata.get("endpointPrefix") or service)


def _stored(params: dict[str, Any], family: Family, skip: set[str]) -> dict[str, Any]:
    """The request's members as the resource's attributes; a nested input structure that
    carries an identifier (TableInput.Name) is spread out too."""
    attributes = {key: copy.deepcopy(value) for key, value in params.items() if key not in skip}
    for ident in family.identifiers:
        for path in ident.input_paths:
            head = path.split(".")[0].replace("[]", "")
            if "." in path and isinstance(params.get(head), dict):
                for key, value in params[head].items():
                    attributes.setdefault(key, copy.deepcopy(value))
    return attributes


def _tags_in(members: TagMembers | None, params: dict[str, Any]) -> dict[str, str]:
    if members is None:
        return {}
    value = _get_path(params, members.member)  # CloudFront's Tags.Items
    if members.form == "map":
        return tag_rules.check(dict(value or {}))
    rules = tag_rules.TagRules(key_member=members.key or "Key", value_member=members.value or "Value")
    return tag_rules.check(tag_rules.from_list(value or [], rules))


def _stamp(ctx: Ctx, family: Family, attributes: dict[str, Any], created: bool) -> None:
    """Timestamps the read answer carries: creation ones once, modification ones on every write."""
    creation, modification = _timestamp_members(ctx.service.name, family)
    now = ctx.clock.now()
    for name in (*creation, *modification) if created else modification:
        attributes[name] = now


def _timestamp_members(service: str, family: Family) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The read answer's (creation, modification) timestamp members, worked out once per family."""
    known = _TIMESTAMPS.get((service, family.name))
    if known is not None:
        return known
    reads = family.roles("read")
    if not reads:
        return (), ()
    output = models.operation_model(service, reads[0].operation).output_shape
    shape = at_path(output, reads[0].resource_path) if output is not None and reads[0].resource_path \
        else output
    creation, modification = [], []
    for name, member in getattr(shape, "members", {}).items():
        if member.type_name != "timestamp":
            continue
        lowered = name.lower()
        if "modif" in lowered or "updat" in lowered:
            modification.append(name)
        elif "creat" in lowered:
            creation.append(name)
    _TIMESTAMPS[(service, family.name)] = (tuple(creation), tuple(modification))
    return _TIMESTAMPS[(service, family.name)]


def _id_shapes(ctx: Ctx, family: Family, kind: str, output_path: str | None, output: Any,
               member: str | None = None) -> list[Any]:
    """Every member shape an assigned identifier must fit: where CreateX answers it and
    where the family's other operations take it (worked out once per family and kind)."""
    key = (ctx.service.name, family.name, kind, output_path, getattr(output, "name", None), member)
    known = _ID_SHAPES.get(key)
    if known is None:
        known = _ID_SHAPES[key] = _find_id_shapes(ctx, family, kind, output_path, output, member)
    return known


_ID_SHAPES: dict[tuple[str, str, str, str | None, str | None, str | None], list[Any]] = {}


def _find_id_shapes(ctx: Ctx, family: Family, kind: str, output_path: str | None, output: Any,
                    member: str | None) -> list[Any]:
    shapes = []
    if output is not None and output_path:
        found = at_path(output, output_path)
        if found is not None:
            shapes.append(found)
    model = models.service_model(ctx.service.name)
    same_kind = sum(1 for ident in family.identifiers if ident.kind == kind)
    for role_name in ("read", "update", "delete"):
        for role in family.roles(role_name):
            for binding in role.bindings:
                if binding.family != family.name or kind not in binding.kinds or len(binding.kinds) != 1:
                    continue
                if member is not None and same_kind > 1 and binding.member.lower() != member.lower():
                    continue  # BudgetAction's ActionId is not its AccountId, though both are ids
                found = model.operation_model(role.operation).input_shape.members.get(binding.member)
                if found is not None:
                    shapes.append(found.member if found.type_name == "list" else found)
    return [shape for shape in shapes if shape.type_name == "string"]


def _new_arn(ctx: Ctx, family: Family, output: Any, path: list[str]) -> str:
    """``arn:...:<family-type>/<parent ids>/<id>``, unless the members that carry the ARN
    (its read/delete inputs, CreateX's answer, TagResource's resource member) ask for
    another form: then one their patterns accept."""
    preferred = build_arn(_arn_namespace(ctx.service.name), ctx.scope.region, ctx.scope.account,
                          f"{_kebab(family.name)}/{'/'.join(path)}")
    ident = next((item for item in family.identifiers if item.kind == "arn"), None)
    own = _id_shapes(ctx, family, "arn", ident.output_path if ident else None, output)
    scope = (partition_for(ctx.scope.region), ctx.scope.region, ctx.scope.account)
    arn = new_arn(own + _tag_arn_shapes(ctx), *scope, preferred, path[-1])
    # A tag operation whose pattern contradicts the family's own (ivs' '[a-z-]/'): the family wins.
    return arn if arn != preferred else new_arn(own, *scope, preferred, path[-1])


def _tag_arn_shapes(ctx: Ctx) -> list[Any]:
    return _tag_arn_shapes_of(ctx.service.name)


@functools.cache
def _tag_arn_shapes_of(service: str) -> list[Any]:
    """The string members tag operations take a resource's ARN in."""
    model = models.service_model(service)
    shapes = []
    for operation, served in plan(service).items():
        if served.kind == "tag" and served.tagging is not None and served.tagging.resource_member:
            member = model.operation_model(operation).input_shape.members.get(served.tagging.resource_member)
            if member is not None and member.type_name == "string":
                shapes.append(member)
    return shapes


def _text_of(value: Any) -> str | None:
    """A request value as the text resources are indexed by: a number (a version) as its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _numbered(ident: Any, output: Any) -> bool:
    """An identifier the service assigns as a number (a LayerVersion's Version, a scaling
    plan's ScalingPlanVersion): CreateX answers it in an integer member."""
    if ident.input_paths or not ident.output_path or output is None:
        return False
    shape = at_path(output, ident.output_path)
    return shape is not None and shape.type_name in ("integer", "long")


def _next_number(ctx: Ctx, family: Family, member: str, parent_uid: str | None, identifiers: dict[str, str]) -> int:
    """Versions count from 1 within the parent, among the resources that share the new one's
    other identifiers (a new traffic policy is version 1; its next version 2)."""
    highest = 0
    for item in ctx.state.listed(family.name, parent_uid):
        if all(item.identifiers.get(key) == value for key, value in identifiers.items()):
            current = item.identifiers.get(member, "")
            highest = max(highest, int(current) if current.isdigit() else 0)
    return highest + 1


def create(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any], output: Any) -> dict[str, Any]:
    parent_uid = _parent_uid(ctx, family, role, params)
    if parent_uid is None and family.parent is not None and family.parent.required:
        raise not_found(ctx, family, role, params.get(family.parent.member))
    chosen: dict[str, str] = {}
    identifiers: dict[str, str] = {}
    numbered: dict[str, int] = {}  # assigned numbers (versions), by the output member that answers them
    for ident in family.identifiers:
        value = _text_of(next((_get_path(params, path) for path in ident.input_paths
                               if _get_path(params, path) is not None), None))
        if value is not None:
            chosen[ident.member] = identifiers[ident.member] = value
        elif ident.kind != "arn" and not _numbered(ident, output):
            identifiers[ident.member] = new_identifier(_id_shapes(ctx, family, ident.kind, ident.output_path, output,
                                                                  ident.member))
    for ident in family.identifiers:
        if ident.member not in identifiers and _numbered(ident, output):
            number = _next_number(ctx, family, ident.member, parent_uid, identifiers)
            identifiers[ident.member] = str(number)
            numbered[(ident.output_path or ident.member).split(".")[-1].replace("[]", "")] = number
    candidates = ctx.state.named(family.name, next(iter(chosen.values()))) if chosen else []
    existing = next((item for item in candidates if item.parent == parent_uid
                     and all(item.identifiers.get(key) == value for key, value in chosen.items())), None)
    if family.singleton:
        existing = _singleton(ctx, family, parent_uid)
    if existing is not None and not role.upsert:
        names = (*role.errors.already_exists, family.exists_error, *role.errors.conflict)
        cls = _model_error(ctx.service.name, names) or ValidationException
        named = next(iter(chosen.values()), None) or (params.get(family.parent.member) if family.parent else None)
        raise cls(f"{family.name} {named!r} already exists" if named else f"{family.name} already exists")
    primary = next((identifiers[ident.member] for kind in ("name", "id", "key", "url")
                    for ident in family.identifiers if ident.kind == kind and ident.member in identifiers),
                   str(ctx.state.next_seq))
    path = [primary]
    parent = ctx.state.resources.get(parent_uid) if parent_uid else None
    while parent is not None:
        parent_primary = next(iter(parent.identifiers.values()), parent.uid)
        path.insert(0, parent_primary)
        parent = ctx.state.resources.get(parent.parent) if parent.parent else None
    arn = _new_arn(ctx, family, output, path)
    for ident in family.identifiers:
        if ident.kind == "arn" and ident.member not in identifiers:
            identifiers[ident.member] = arn
    tag_member = {family.tags.member} if family.tags is not None else set()
    attributes = _stored(params, family, tag_member)
    attributes.update(numbered)
    for ident in family.identifiers:
        if ident.output_path and ident.member in identifiers:
            attributes.setdefault(ident.output_path.split(".")[-1].replace("[]", ""), identifiers[ident.member])
    attributes.setdefault("Arn", arn)
    attributes.setdefault(f"{family.name}Arn", arn)
    if family.status is not None and family.status.active and "." not in family.status.path:
        attributes[family.status.path] = family.status.active
    _stamp(ctx, family, attributes, created=True)
    tags = _tags_in(family.tags, params)
    if existing is not None:
        old_names = existing.names()
        existing.attributes, existing.identifiers = attributes, {**existing.identifiers, **identifiers}
        existing.tags.update(tags)
        ctx.state.renamed(existing, old_names)
        resource = existing
    else:
        seq = ctx.state.next_seq
        ctx.state.next_seq += 1
        # A uid unique beyond this scope, so merging another emulator's view never confuses two resources.
        resource = Resource(family.name, uuid.uuid4().hex, seq, identifiers, attributes, arn, ctx.clock.now(), tags,
                            parent_uid)
        ctx.state.add(resource)
    return render(ctx.service.name, output, role.resource_path, resource, family)


def read(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any], output: Any) -> dict[str, Any]:
    return render(ctx.service.name, output, role.resource_path, _find(ctx, family, role, params), family)


def update(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any], output: Any) -> dict[str, Any]:
    resource = _find(ctx, family, role, params)
    skip = {binding.member for binding in role.bindings}
    resource.attributes.update(_stored(params, family, skip))
    _stamp(ctx, family, resource.attributes, created=False)
    return render(ctx.service.name, output, role.resource_path, resource, family)


def delete(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any], output: Any) -> dict[str, Any]:
    resource = _find(ctx, family, role, params)
    children = ctx.state.children(resource.uid)
    if children:
        cls = _model_error(ctx.service.name, role.errors.conflict)
        if cls is not None:
            raise cls(f"{family.name} {next(iter(resource.identifiers.values()))!r} still has "
                      f"{len(children)} {children[0].family} resource(s)")
    answer = render(ctx.service.name, output, role.resource_path, resource, family)
    _remove(ctx.state, resource.uid)
    return answer


def _remove(backend: GenericBackend, uid: str) -> None:
    for child in backend.children(uid):
        _remove(backend, child.uid)
    backend.remove(uid)


# -- list -----------------------------------------------------------------------------------
def _selected(item: Resource, binding: Binding, value: Any) -> bool:
    if binding.match == "prefix":
        return isinstance(value, str) and any(name.startswith(value) for name in item.names())
    if binding.match == "any" or isinstance(value, list):
        return any(_text_of(entry) in item.names() for entry in value)
    return _text_of(value) in item.names()


def list_(ctx: Ctx, family: Family, role: OperationRole, params: dict[str, Any], output: Any) -> dict[str, Any]:
    parent_uid = _parent_uid(ctx, family, role, params)
    items: Sequence[Resource] = ctx.state.listed(family.name) if parent_uid is None else \
        ctx.state.listed(family.name, parent_uid)
    for binding in role.bindings:
        value = params.get(binding.member)
        if binding.family == family.name and value not in (None, [], ""):
            items = [item for item in items if _selected(item, binding, value)]
            if binding.match != "prefix" and role.errors.not_found:
                # Naming resources explicitly (DescribeRepositories' repositoryNames) is a read
                # of each: one that does not exist is the not-found error, as AWS answers.
                for wanted in value if isinstance(value, list) else [value]:
                    if not any(_text_of(wanted) in item.names() for item in items):
                        raise not_found(ctx, family, role, wanted)
    paging = role.paging
    token = params.get(paging.input_tokens[0]) if paging and paging.input_tokens else None
    limit = params.get(paging.limit) if paging and paging.limit else None
    if not isinstance(limit, int) or limit < 1:
        limit = DEFAULT_PAGE
    page = paginate(items, token, limit, kind=f"{ctx.service.name}:{ctx.operation}",
                    error=lambda: _validation(ctx, role, "The pagination token is invalid"), key=lambda item: item.seq)
    path = (role.resource_path or "").replace("[]", "")
    answer: dict[str, Any] = {}
    list_shape = at_path(output, path) if output is not None and path else None
    if list_shape is not None and list_shape.type_name == "list":
        member = list_shape.member
        if role.items == "resource" and member.type_name == "structure":
            rendered = (_summary(_attributes(ctx.service.name, item, family), member, family) for item in page.items)
            values: list[Any] = [value for value in rendered if value]
        else:
            values = [_identifier_of(item, role.items) for item in page.items]
        _set_path(answer, path, values)
    if page.next_token and paging and paging.output_tokens:
        _set_path(answer, paging.output_tokens[0], page.next_token)
    return answer


def _summary(attributes: dict[str, Any], shape: Any, family: Family) -> dict[str, Any] | None:
    """A list entry: the attributes in the entry's shape, and where the entry wraps the
    resource in a member named after the family (CloudFront's CachePolicySummary.CachePolicy),
    the resource there too."""
    value = conform(attributes, shape)
    inner = next((member for name, member in shape.members.items()
                  if name.lower() == family.name.lower() and member.type_name == "structure"), None)
    if inner is not None and not (value or {}).get(inner.name):
        wrapped = conform(attributes, inner)
        if wrapped:
            name = next(name for name, member in shape.members.items() if member is inner)
            value = {**(value or {}), name: wrapped}
    return value  # type: ignore[no-any-return]


def _identifier_of(item: Resource, kind: str | None) -> str:
    if kind == "arn":
        return item.arn
    return next(iter(item.identifiers.values()), item.arn)


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


# -- tags by ARN ----------------------------------------------------------------------------
def _tagged(ctx: Ctx, family: str | None, value: Any) -> Resource:
    """The resource a tag operation names: by ARN, or by name or id within its family (or,
    for a service-wide operation that takes ids, within any family)."""
    found = ctx.state.by_arn(value) if isinstance(value, str) else None
    if found is None and isinstance(value, str):
        from hoarfrost.generic.store import catalog_for

        families = [family] if family else [item.name for item in catalog_for(ctx.service.name).families]
        found = next((item for name in families for item in ctx.state.named(name, value)), None)
    if found is None:
        op_model = models.service_model(ctx.service.name).operation_model(ctx.operation)
        names = tuple(shape.name for shape in op_model.error_shapes if "NotFound" in shape.name)
        cls = _model_error(ctx.service.name, names) or ResourceNotFound
        raise cls(f"No resource named {value!r}")
    return found


def _tags(ctx: Ctx, operation: str, served: Served, params: dict[str, Any], output: Any) -> dict[str, Any]:
    tagging = served.tagging
    assert tagging is not None and tagging.resource_member is not None
    member = tagging.resource_member
    # backup-gateway's TagResource says ResourceARN, its ListTagsForResource ResourceArn
    value = params.get(member, next((item for key, item in params.items() if key.lower() == member.lower()), None))
    named = value if isinstance(value, list) else [value]  # EC2's CreateTags takes a list of ids
    resources = [_tagged(ctx, tagging.family, item) for item in named]
    if served.kind == "tag":
        tags = _tags_in(tagging.tags, params) if tagging.tags else {}
        for resource in resources:
            tag_rules.tag(resource.tags, tags)
        return {}
    if served.kind == "untag":
        for resource in resources:
            tag_rules.untag(resource.tags, params.get(tagging.keys_member or "", []) or [])
        return {}
    resource = resources[0]
    member = tagging.list_output or ""
    shape = at_path(output, member) if output is not None and member else None
    answer: dict[str, Any] = {}
    if shape is None:
        raise NotImplementedOperation(f"{operation} of service {ctx.service.name} is not implemented in hoarfrost yet")
    if shape.type_name == "map":
        _set_path(answer, member, dict(resource.tags))
        return answer
    entry = shape.member
    key = next((name for name in entry.members if name.lower() in ("key", "tagkey")), "Key")
    value_name = next((name for name in entry.members if name.lower() in ("value", "tagvalue")), "Value")
    _set_path(answer, member, [{key: k, value_name: v} for k, v in resource.tags.items()])
    return answer


# -- endpoint discovery ----------------------------------------------------------------------
def _endpoints(ctx: Ctx) -> dict[str, Any]:
    """DescribeEndpoints: the endpoint the client already reached, so discovery changes nothing."""
    request = ctx.request
    address = request.host if request.scheme == "https" else f"{request.scheme}://{request.host}"
    return {"Endpoints": [{"Address": address, "CachePeriodInMinutes": 1440}]}


_ACTIONS = {"create": create, "read": read, "list": list_, "update": update, "delete": delete}
