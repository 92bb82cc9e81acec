"""The round trip of every family the engine serves, driven through boto3.

For one service: create each family (parents first) from a minimal model-built input, read
it, list it, update it, tag it, then delete children before parents and check a read answers
the family's not-found error. Each family ends ``ok`` or with the step and reason it failed;
a 5xx or an unparseable answer is recorded apart, as a hard failure.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ParamValidationError,
)
from botocore.parsers import ResponseParserError
from botocore.utils import get_token_from_environment

from hoarfrost.core import catalog as models
from hoarfrost.generic.catalog import Binding, Family, OperationRole
from hoarfrost.generic.engine.plan import Served, plan
from hoarfrost.generic.engine.sample import CannotSample, sample_input, string_for
from hoarfrost.generic.engine.service import fallback_plan
from hoarfrost.generic.pattern_strings import matches
from hoarfrost.services import IMPLEMENTED

# Resources a family's create names that another service owns: the caller brings one from
# there. CloudFront KeyValueStore's keys live in a key value store CloudFront creates; its
# endpoint rules accept only a CloudFront ARN of that form.
FOREIGN: dict[str, dict[str, str]] = {
    "cloudfront-keyvaluestore": {
        "KvsARN": "arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-0123456789ab"},
}


def client_for(harness: Any, service: str) -> Any:
    """A client of ``service`` configured as a user of a local emulator configures it:
    a bearer token for services that sign with one (CodeCatalyst: botocore refuses to send
    without it), SigV4 where the endpoint rules ask for SigV4a (which botocore signs only
    with the optional awscrt package), and over HTTP, requests its endpoint rules address
    elsewhere redirected to the server (``_to_server``)."""
    model = models.service_model(service)
    options: dict[str, Any] = {}
    if _sigv4a(service) and not _has_crt():
        options["config"] = Config(signature_version="v4")
    auth = [*model.metadata.get("auth", []), model.metadata.get("signatureVersion")]
    bearer = any(item in ("smithy.api#httpBearerAuth", "bearer") for item in auth)
    server = urlsplit(harness.endpoint_url) if harness.endpoint_url else None
    if bearer and server is not None:
        options["endpoint_url"] = None  # its own https host, which the hook below redirects
    if not bearer:
        client = harness.client(service, **options)
    else:
        variable = "AWS_BEARER_TOKEN_" + model.signing_name.replace("-", "_").replace(" ", "_").upper()
        saved = os.environ.get(variable)
        os.environ[variable] = "hoarfrost-sweep-token"  # read once, when the client is made
        try:
            assert get_token_from_environment(model.signing_name) is not None
            client = harness.client(service, **options)
        finally:
            if saved is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = saved
    if server is not None:
        client.meta.events.register("before-send", functools.partial(_to_server, server))
    return client


def _to_server(server: SplitResult, request: Any, **_: Any) -> None:
    """Over HTTP, a request botocore addresses elsewhere goes to the test server, as a DNS
    override sends it there for a user: signin's control-plane endpoint rules ignore a
    configured endpoint, KeyValueStore's put the account id in front of its host, and a
    bearer token is only signed for an https URL (the test server speaks plain HTTP)."""
    parts = urlsplit(request.url)
    if (parts.scheme, parts.netloc) != (server.scheme, server.netloc):
        request.headers["Host"] = parts.netloc  # the name it was for: what routes a bearer-signed request
        request.url = urlunsplit((server.scheme, server.netloc, parts.path, parts.query, parts.fragment))


def _sigv4a(service: str) -> bool:
    rules = models.load_uncached(service, "endpoint-rule-set-1")  # None: no ruleset, SigV4
    return rules is not None and '"sigv4a"' in json.dumps(rules)


def _has_crt() -> bool:
    from botocore.compat import HAS_CRT

    return bool(HAS_CRT)


class StepFailed(Exception):
    def __init__(self, step: str, reason: str, hard: bool = False) -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason, self.hard = step, reason, hard


@dataclass
class Outcome:
    family: str
    ok: bool = False
    failure: str | None = None
    hard: bool = False


@dataclass
class ServiceResult:
    service: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(outcome.ok for outcome in self.outcomes)


def engine_operations(service: str) -> frozenset[str]:
    """What the engine serves of ``service``: all of its plan, or beside hand-written
    handlers, the engine's part."""
    if service not in IMPLEMENTED:
        return frozenset(plan(service))
    hand_written = frozenset(importlib.import_module(IMPLEMENTED[service]).SERVICE.operations.resolve())
    return fallback_plan(service, hand_written)


def served_families(service: str) -> list[Family]:
    """The families the engine creates, parents before children."""
    families: dict[str, Family] = {}
    operations = engine_operations(service)
    for operation, served in plan(service).items():
        if served.kind == "create" and served.family is not None and operation in operations:
            families[served.family.name] = served.family
    ordered: list[Family] = []

    def visit(family: Family, seen: tuple[str, ...]) -> None:
        if family in ordered or family.name in seen:
            return
        for parent in family.parents:
            if parent.family in families:
                visit(families[parent.family], (*seen, family.name))
        ordered.append(family)

    for family in families.values():
        visit(family, ())
    return ordered


def _path(value: Any, path: str | None) -> Any:
    if not path:
        return None
    for part in path.split("."):
        name = part.replace("[]", "")
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
        if part.endswith("[]"):
            value = value[0] if isinstance(value, list) and value else None
    return value


def _set(params: dict[str, Any], path: str, value: Any) -> None:
    parts = [part.replace("[]", "") for part in path.split(".")]
    target = params
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            return  # the containing structure is optional and was not sampled
        target = nxt
    target[parts[-1]] = value


class Driver:
    def __init__(self, client: Any, service: str) -> None:
        self.client = client
        self.service = service
        self.model = models.service_model(service)
        # A value is text, or a number the service assigned (a version).
        self.values: dict[str, dict[str, str | int]] = {}  # family -> kind -> value
        self.by_member: dict[str, dict[str, str | int]] = {}  # family -> identifier member -> value

    def call(self, step: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return getattr(self.client, xform_name(operation))(**params)  # type: ignore[no-any-return]
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = error.response.get("Error", {}).get("Code")
            raise StepFailed(step, f"{operation} -> {status} {code}: {error.response.get('Error', {}).get('Message')}",
                             hard=status >= 500 and not _discovery(error)) from None
        except ParamValidationError as error:
            raise StepFailed(step, f"{operation}: botocore refused the sampled input: {error}") from None
        except ResponseParserError as error:  # an answer botocore could not parse is the engine's bug
            raise StepFailed(step, f"{operation}: {type(error).__name__}: {error}", hard=True) from None
        except BotoCoreError as error:  # refused before sending (endpoint rules, bearer auth)
            raise StepFailed(step, f"{operation}: client-side {type(error).__name__}: {error}") from None
        except Exception as error:  # anything else is a failure to answer
            raise StepFailed(step, f"{operation}: {type(error).__name__}: {error}", hard=True) from None

    def params(self, step: str, family: Family, role: OperationRole) -> dict[str, Any]:
        shape = self.model.operation_model(role.operation).input_shape
        try:
            known = frozenset(binding.member for binding in role.bindings if self.value_for(binding, shape) is not None)
            params = sample_input(shape, known)
        except CannotSample as error:
            raise StepFailed(step, f"sample: {error}") from None
        for binding in role.bindings:
            value = self.value_for(binding, shape)
            if value is not None:
                params[binding.member] = [value] if binding.match == "any" else value
        for member, value in FOREIGN.get(self.service, {}).items():
            if member in params:
                params[member] = value
            elif binding.required and binding.family == family.name and step != "create":
                raise StepFailed(step, f"no known {binding.kinds} value for {binding.member}")
        return params

    def value_for(self, binding: Binding, shape: Any = None) -> str | int | None:
        """The family's known value for a binding: of the kinds it takes (a name before an
        ARN), preferring one the member's pattern accepts (IVS chat's identifier is an ARN)."""
        known = self.values.get(binding.family, {})
        # A composite key first: ScalableDimension is what was created as ScalableDimension.
        same_member = self.by_member.get(binding.family, {}).get(binding.member)
        kinds = sorted(binding.kinds, key=lambda kind: kind == "arn")  # the caller's own name before an ARN
        candidates = [known[kind] for kind in kinds if kind in known] or (
            list(known.values()) if not binding.kinds else [])
        if same_member is not None:
            candidates.insert(0, same_member)
        member = shape.members.get(binding.member) if shape is not None else None
        if member is not None and member.type_name == "list":
            member = member.member
        pattern = member.metadata.get("pattern") if member is not None else None
        if pattern and candidates:
            fitting = [value for value in [*candidates, *known.values()]
                       if isinstance(value, str) and matches(pattern, value)]
            return fitting[0] if fitting else candidates[0]
        return candidates[0] if candidates else None

    def create(self, family: Family, role: OperationRole, read: OperationRole | None = None) -> None:
        params = self.params("create", family, role)
        if read is not None:
            params.update(self.shown(family, role, read, params))
        for ident in family.identifiers:
            if ident.input_paths and _path(params, ident.input_path) is None and ident.kind in ("name", "key"):
                shape_value = f"hf{family.name.lower()[:20]}1"
                member = _member_shape(self.model.operation_model(role.operation).input_shape, ident.input_paths[0])
                if member is not None and member.type_name == "string" and not _fits(member, shape_value):
                    try:
                        shape_value = string_for(member, ident.member)  # lexv2's botId: 10 characters
                    except CannotSample:
                        pass
                _set(params, ident.input_paths[0], shape_value)
        answer = self.call("create", role.operation, params)
        known: dict[str, str | int] = {}
        for ident in family.identifiers:
            value = next((_path(params, path) for path in ident.input_paths if _path(params, path) is not None), None)
            if value is None:
                value = _path(answer, ident.output_path)
            if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
                known.setdefault(ident.kind, value)
                self.by_member.setdefault(family.name, {})[ident.member] = value
        self.values[family.name] = known
        if not known and not _singleton(family):
            raise StepFailed("create", "the answer names no identifier")

    def round_trip(self, family: Family) -> None:
        served = plan(self.service)
        roles = {kind: next((role for role in family.roles(kind) if _is_served(served.get(role.operation), family)),
                            None) for kind in ("create", "read", "list", "update")}
        create, read = roles["create"], roles["read"]
        assert create is not None
        self.create(family, create, read)
        if read is not None:
            answer = self.call("read", read.operation, self.params("read", family, read))
            self.expect_mentioned("read", answer, family, read.operation)
        listing = roles["list"]
        if listing is not None:
            answer = self.call("list", listing.operation, self.params("list", family, listing))
            self.expect_mentioned("list", answer, family, listing.operation)
        update = roles["update"]
        if update is not None:
            params = self.params("update", family, update)
            change = self.change(family, update, read) if read is not None else None
            if change is not None:
                params[change[0]] = change[1]
            self.call("update", update.operation, params)
            if change is not None and read is not None:
                answer = self.call("read", read.operation, self.params("read", family, read))
                if f"'{change[1]}'" not in str(answer):
                    raise StepFailed("update", f"{read.operation} does not show {change[0]}={change[1]!r}")
        self.tags(family)

    def shown(self, family: Family, create: OperationRole, read: OperationRole, params: dict[str, Any]) -> dict[str, Any]:
        """Where the read answers nothing that names the resource (CloudHSM's GetResourcePolicy
        answers the Policy alone), the optional plain strings of the create that the read
        answers, so the read has something to show."""
        output = self.model.operation_model(read.operation).output_shape
        shape = self.model.operation_model(create.operation).input_shape
        if shape is None or output is None or _can_name(output, family):
            return {}
        answered = _member_names(output)
        extra: dict[str, Any] = {}
        for name, member in shape.members.items():
            if name in params or name.lower() not in answered or member.type_name != "string" \
                    or member.metadata.get("sensitive") or member.serialization.get("location"):
                continue
            try:
                extra[name] = string_for(member, name)
            except CannotSample:
                continue
        return extra

    def change(self, family: Family, update: OperationRole, read: OperationRole) -> tuple[str, str] | None:
        """A plain string member of the update that the read answers too (a Description):
        what the round trip changes, to see the change in the next read."""
        shape = self.model.operation_model(update.operation).input_shape
        if shape is None:
            return None
        answered = _member_names(self.model.operation_model(read.operation).output_shape)
        taken = {binding.member for binding in update.bindings}
        taken |= {ident.member for ident in family.identifiers}
        for name, member in shape.members.items():
            lowered = name.lower()
            if (name in taken or member.type_name != "string" or getattr(member, "enum", None) or member.metadata.get("sensitive")
                    or lowered not in answered or lowered.endswith(("arn", "id", "token", "name", "type"))
                    or "location" in member.serialization):
                continue
            try:
                return name, string_for(member, name)
            except CannotSample:
                continue
        return None

    def expect_mentioned(self, step: str, answer: dict[str, Any], family: Family, operation: str) -> None:
        if self.mentioned(answer, family):
            return
        # GetDetector answers the detector's settings, never its id: a read whose output has
        # no member for any identifier shows the resource by answering at all.
        body = {key: value for key, value in answer.items() if key != "ResponseMetadata"}
        if body and _singleton(family) and not self.values[family.name]:
            return  # one per scope, named by nothing: answering it is showing it
        if step == "read" and body and (_singleton(family) or not _can_name(
                self.model.operation_model(operation).output_shape, family)):
            return
        raise StepFailed(step, f"the answer does not name the resource {self.values[family.name]}")

    def mentioned(self, answer: dict[str, Any], family: Family) -> bool:
        leaves = _leaves({key: value for key, value in answer.items() if key != "ResponseMetadata"})
        # Any identifier shows it: Lex's GetSession answers the sessionId PutSession assigned, not the userId.
        values = [*self.values[family.name].values(), *self.by_member.get(family.name, {}).values()]
        return any((type(value), value) in leaves for value in values)

    def tags(self, family: Family) -> None:
        """Tag with the first tag operation that names this family's resources (by its own
        ARN, or by id or name), then see the tag in the tag listing (or the read answer)."""
        own_arn = any(ident.kind == "arn" and not ident.input_paths for ident in family.identifiers)
        known = dict(self.values[family.name])
        if not own_arn:
            known.pop("arn", None)
        served_plan = plan(self.service)
        operations = engine_operations(self.service)
        for operation, served in served_plan.items():
            tagging = served.tagging
            if served.kind != "tag" or tagging is None or tagging.tags is None or operation not in operations \
                    or (tagging.family is not None and tagging.family != family.name):
                continue
            value = next((known[kind] for kind in tagging.resource_kinds if kind in known), None)
            if not isinstance(value, str) or not self.accepts(operation, tagging.resource_member or "", value):
                continue  # Directory Service's AddTagsToResource takes directory ids only
            tags: Any = {"hf": "1"} if tagging.tags.form == "map" else [
                {tagging.tags.key or "Key": "hf", tagging.tags.value or "Value": "1"}]
            try:
                params = sample_input(self.model.operation_model(operation).input_shape,
                                      frozenset({tagging.resource_member or "", tagging.tags.member.split(".")[0]}))
            except CannotSample:
                continue
            params[tagging.resource_member or ""] = self.shaped(operation, tagging.resource_member or "", value)
            _set_nested(params, tagging.tags.member, tags)  # CloudFront's Tags.Items
            self.call("tag", tagging.tag or "", params)
            listing = tagging.list if tagging.list in served_plan and tagging.list in operations else None
            if listing:
                member = self.member_like(listing, tagging.resource_member or "")
                try:
                    params = sample_input(self.model.operation_model(listing).input_shape, frozenset({member}))
                except CannotSample:
                    return
                params[member] = self.shaped(listing, member, value)
                answer = self.call("tags", listing, params)
                if "'hf'" not in str(answer):
                    raise StepFailed("tags", f"{listing} does not show the tag: {answer}")
            return

    def accepts(self, operation: str, member: str, value: str) -> bool:
        shape = self.model.operation_model(operation).input_shape
        found = shape.members.get(member) if shape is not None else None
        if found is not None and found.type_name == "list":
            found = found.member
        pattern = found.metadata.get("pattern") if found is not None else None
        return not pattern or matches(pattern, value)

    def shaped(self, operation: str, member: str, value: str) -> Any:
        """``value`` as the member takes it: EC2's CreateTags takes a list of ids."""
        shape = self.model.operation_model(operation).input_shape
        found = shape.members.get(member) if shape is not None else None
        return [value] if found is not None and found.type_name == "list" else value

    def member_like(self, operation: str, name: str) -> str:
        """``name`` as ``operation`` spells it (backup-gateway's ResourceARN is ResourceArn there)."""
        shape = self.model.operation_model(operation).input_shape
        members = shape.members if shape is not None else {}
        return next((member for member in members if member.lower() == name.lower()), name)

    def delete(self, family: Family) -> None:
        served = plan(self.service)
        delete = next((role for role in family.roles("delete") if _is_served(served.get(role.operation), family)), None)
        read = next((role for role in family.roles("read") if _is_served(served.get(role.operation), family)), None)
        if delete is None or read is None:
            raise StepFailed("delete", "no served delete/read")
        self.call("delete", delete.operation, self.params("delete", family, delete))
        try:
            answer = self.call("read-after-delete", read.operation, self.params("read", family, read))
        except StepFailed as failure:
            if failure.hard:
                raise
            return
        if served[read.operation].kind == "list" and not self.mentioned(answer, family):
            return  # a Describe that lists: no longer among the answers
        raise StepFailed("read-after-delete", f"{read.operation} still answers after delete")


def _leaves(value: Any) -> set[tuple[type, Any]]:
    """Every scalar in an answer, with its type (a version 1 is not the text '1')."""
    found: set[tuple[type, Any]] = set()
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):  # keys too: a map may be keyed by the resource's name
            stack.extend(current.values())
            found.update((str, key) for key in current if isinstance(key, str))
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, (str, int)):
            found.add((type(current), current))
    return found


def _member_shape(shape: Any, path: str) -> Any:
    for part in path.split("."):
        members = getattr(shape, "members", None)
        name = part.replace("[]", "")
        if not members or name not in members:
            return None
        shape = members[name]
        if part.endswith("[]"):
            shape = getattr(shape, "member", None)
    return shape


def _fits(shape: Any, value: str) -> bool:
    meta = shape.metadata
    pattern = meta.get("pattern")
    return int(meta.get("min", 0)) <= len(value) <= int(meta.get("max", 1 << 30)) and (
        not pattern or matches(pattern, value)) and (not shape.enum or value in shape.enum)


def _set_nested(params: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        params = params.setdefault(part, {})
    params[parts[-1]] = value


def _singleton(family: Family) -> bool:
    """One per parent (or per scope): named by its parent, with no identifier of its own."""
    return family.singleton


def _member_names(shape: Any) -> set[str]:
    """Every member name (lower-case) in an output shape, nested ones included."""
    names: set[str] = set()
    seen: set[str] = set()

    def walk(current: Any, depth: int) -> None:
        if current is None or depth > 6 or current.name in seen:
            return
        seen.add(current.name)
        if current.type_name == "structure":
            for name, member in current.members.items():
                names.add(name.lower())
                walk(member, depth + 1)
        elif current.type_name == "list":
            walk(current.member, depth + 1)
        elif current.type_name == "map":
            walk(current.value, depth + 1)

    walk(shape, 0)
    return names


def _can_name(shape: Any, family: Family) -> bool:
    """Whether an output shape has a member that could carry one of the family's identifiers."""
    wanted = {"id", "name", "arn"}
    for ident in family.identifiers:
        wanted.add(ident.member.lower())
        for path in (ident.output_path, *ident.input_paths):
            if path:
                wanted.add(path.split(".")[-1].replace("[]", "").lower())
    seen: set[str] = set()

    def walk(current: Any, depth: int) -> bool:
        if current is None or depth > 6 or current.name in seen:
            return False
        seen.add(current.name)
        if current.type_name == "structure":
            return any(name.lower() in wanted or walk(member, depth + 1) for name, member in current.members.items())
        if current.type_name == "list":
            return walk(current.member, depth + 1)
        if current.type_name == "map":
            return walk(current.value, depth + 1)
        return False

    return walk(shape, 0)


def _discovery(error: ClientError) -> bool:
    """botocore asked for DescribeEndpoints first (endpoint discovery), which nothing serves
    yet: the engine never saw the call, so it is a gap, not the engine's failure."""
    return "DescribeEndpoints" in str(error.response.get("Error", {}).get("Message"))


def _is_served(served: Served | None, family: Family) -> bool:
    return served is not None and served.family is not None and served.family.name == family.name


def sweep(client: Any, service: str) -> ServiceResult:
    driver = Driver(client, service)
    result = ServiceResult(service)
    created: list[tuple[Family, Outcome]] = []
    for family in served_families(service):
        outcome = Outcome(family.name)
        result.outcomes.append(outcome)
        try:
            driver.round_trip(family)
            created.append((family, outcome))
        except StepFailed as failure:
            outcome.failure, outcome.hard = str(failure), failure.hard
            if family.name in driver.values:
                created.append((family, Outcome(family.name, failure="already failed")))
    for family, outcome in reversed(created):
        try:
            if outcome.failure:  # failed earlier, but delete it anyway, so its parent may go
                driver.delete(family)
                continue
            driver.delete(family)
            outcome.ok = True
        except StepFailed as failure:
            if not outcome.failure:
                outcome.failure, outcome.hard = str(failure), failure.hard
            elif failure.hard:
                mine = next(item for item in result.outcomes if item.family == family.name)
                mine.hard, mine.failure = True, str(failure)
    return result
