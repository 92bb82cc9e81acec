"""The round trip of every family the engine serves, driven through boto3.

For one service: create each family (parents first) from a minimal model-built input, read
it, list it, update it, tag it, then delete children before parents and check a read answers
the family's not-found error. Each family ends ``ok`` or with the step and reason it failed;
a 5xx or an unparseable answer is recorded apart, as a hard failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from botocore.parsers import ResponseParserError

from hoarfrost.core import catalog as models
from hoarfrost.generic.catalog import Binding, Family, OperationRole
from hoarfrost.generic.engine.plan import Served, plan
from hoarfrost.generic.engine.sample import CannotSample, sample_input


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


def served_families(service: str) -> list[Family]:
    """The families the engine creates, parents before children."""
    families: dict[str, Family] = {}
    for served in plan(service).values():
        if served.kind == "create" and served.family is not None:
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
        self.values: dict[str, dict[str, str]] = {}  # family -> kind -> value

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
        try:
            known = frozenset(binding.member for binding in role.bindings if self.value_for(binding) is not None)
            params = sample_input(self.model.operation_model(role.operation).input_shape, known)
        except CannotSample as error:
            raise StepFailed(step, f"sample: {error}") from None
        for binding in role.bindings:
            value = self.value_for(binding)
            if value is not None:
                params[binding.member] = [value] if binding.match == "any" else value
            elif binding.required and binding.family == family.name and step != "create":
                raise StepFailed(step, f"no known {binding.kinds} value for {binding.member}")
        return params

    def value_for(self, binding: Binding) -> str | None:
        known = self.values.get(binding.family, {})
        kinds = sorted(binding.kinds, key=lambda kind: kind == "arn")  # the caller's own name before an ARN
        return next((known[kind] for kind in kinds if kind in known), None) or (
            next(iter(known.values()), None) if not binding.kinds else None)

    def create(self, family: Family, role: OperationRole) -> None:
        params = self.params("create", family, role)
        for ident in family.identifiers:
            if ident.input_paths and _path(params, ident.input_path) is None and ident.kind in ("name", "key"):
                shape_value = f"hf{family.name.lower()[:20]}1"
                _set(params, ident.input_paths[0], shape_value)
        answer = self.call("create", role.operation, params)
        known: dict[str, str] = {}
        for ident in family.identifiers:
            value = next((_path(params, path) for path in ident.input_paths if _path(params, path) is not None), None)
            if value is None:
                value = _path(answer, ident.output_path)
            if isinstance(value, str):
                known.setdefault(ident.kind, value)
        self.values[family.name] = known
        if not known:
            raise StepFailed("create", "the answer names no identifier")

    def round_trip(self, family: Family) -> None:
        served = plan(self.service)
        roles = {kind: next((role for role in family.roles(kind) if _is_served(served.get(role.operation), family)),
                            None) for kind in ("create", "read", "list", "update")}
        create, read = roles["create"], roles["read"]
        assert create is not None
        self.create(family, create)
        if read is not None:
            self.expect_mentioned("read", self.call("read", read.operation, self.params("read", family, read)), family)
        listing = roles["list"]
        if listing is not None:
            answer = self.call("list", listing.operation, self.params("list", family, listing))
            self.expect_mentioned("list", answer, family)
        update = roles["update"]
        if update is not None:
            self.call("update", update.operation, self.params("update", family, update))
        self.tags(family)

    def expect_mentioned(self, step: str, answer: dict[str, Any], family: Family) -> None:
        if not self.mentioned(answer, family):
            raise StepFailed(step, f"the answer does not name the resource {self.values[family.name]}")

    def mentioned(self, answer: dict[str, Any], family: Family) -> bool:
        text = str({key: value for key, value in answer.items() if key != "ResponseMetadata"})
        return any(f"'{value}'" in text for value in self.values[family.name].values())

    def tags(self, family: Family) -> None:
        own_arn = any(ident.kind == "arn" and not ident.input_paths for ident in family.identifiers)
        arn = self.values[family.name].get("arn") if own_arn else None
        for served in plan(self.service).values():
            tagging = served.tagging
            if served.kind != "tag" or tagging is None or arn is None or tagging.tags is None:
                continue
            tags: Any = {"hf": "1"} if tagging.tags.form == "map" else [
                {tagging.tags.key or "Key": "hf", tagging.tags.value or "Value": "1"}]
            self.call("tag", tagging.tag or "", {tagging.resource_member: arn, tagging.tags.member: tags})
            if tagging.list:
                answer = self.call("tags", tagging.list, {tagging.resource_member: arn})
                if "hf" not in str(answer.get(tagging.list_output or "", "")):
                    raise StepFailed("tags", f"{tagging.list} does not show the tag: {answer}")
            return

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
        if outcome.failure:
            continue
        try:
            driver.delete(family)
            outcome.ok = True
        except StepFailed as failure:
            outcome.failure, outcome.hard = str(failure), failure.hard
    return result
