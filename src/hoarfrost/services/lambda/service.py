"""LambdaService: Lambda's backends, view conversions, scope rule, its executor (worker
processes, asynchronous invocations) and the delivery sink through which other services (SNS
subscriptions, log subscription filters) invoke a function asynchronously."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs

from hoarfrost.core.emulator import new_request_id
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import DeliveryError, Message
from hoarfrost.core.views import StatefulService

from . import function_urls, views
from .access import LambdaAccess
from .errors import function_not_found
from .handlers import ops
from .handlers.common import settle, split_name
from .invoking import prepare
from .runtime.executor import Executor, Invocation
from .runtime.sqs_poller import SqsPoller, Target
from .state import LambdaBackend
from .views import LambdaStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class LambdaService(StatefulService[LambdaBackend, LambdaStateView]):
    name: ClassVar[str] = "lambda"
    view_type: ClassVar[type[LambdaStateView]] = LambdaStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.executor = Executor(emulator)
        self.poller = SqsPoller(emulator, self.executor, self._poll_targets, self._prepare_batch,
                                self._record_batch)
        emulator.ports.register("lambda", self.receive, self.has_function)
        access = LambdaAccess(self)
        emulator.ports.register_policy_source("lambda", access.function_policy)
        emulator.ports.register_request_resources("lambda", access)

    def new_backend(self, account: str, region: str) -> LambdaBackend:
        return LambdaBackend(account, region)

    def to_view(self, backend: LambdaBackend, account: str, region: str) -> LambdaStateView:
        return views.to_view(backend)

    def from_view(self, view: LambdaStateView, account: str, region: str) -> LambdaBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: LambdaBackend, source: LambdaBackend) -> None:
        views.merge(target, source)

    def backend_replaced(self, account: str, region: str, old: LambdaBackend | None,
                         new: LambdaBackend | None) -> None:
        """Workers of replaced functions run old code: stop them (the next invoke starts fresh ones)."""
        if old is not None:
            for function in old.functions.values():
                self.executor.pool.retire(old.function_arn(function.name))
        if new is not None and any(m.enabled for m in new.mappings.values()):
            # Called under the scope's lock: the poller's thread takes it only when it runs.
            self.poller.ensure_running()

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A function named by ARN lives in the ARN's account and region."""
        for member in ("FunctionName", "Resource"):
            text = request.get(member)
            if isinstance(text, str):
                if member == "Resource":
                    arn = try_parse_arn(text)
                    if arn is not None and arn.service == "lambda":
                        return arn.account or account, arn.region or region
                    break
                _, _, arn_account, arn_region = split_name(text)
                return arn_account or account, arn_region or region
        return account, region

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        if account is None and region is None:
            self.poller.stop()
            self.executor.shutdown()
        else:
            for scope in self.backends:
                if (account is None or scope.account == account) and (region is None or scope.region == region):
                    for function in list(scope.backend.functions.values()):
                        self.executor.pool.retire(scope.backend.function_arn(function.name))
        super().reset(account, region)

    def close(self) -> None:
        self.poller.stop()
        self.executor.shutdown()

    # -- event source mappings ------------------------------------------------------------
    def _poll_targets(self) -> list[Target]:
        """Every enabled mapping of every scope (copied under each scope's lock)."""
        found: list[Target] = []
        for scope in self.backends:
            with scope.lock:
                for mapping in scope.backend.mappings.values():
                    if mapping.enabled:
                        found.append((scope.account, scope.region, mapping.uuid, mapping.event_source_arn,
                                      mapping.batch_size, tuple(mapping.response_types)))
        return found

    def _prepare_batch(self, account: str, region: str, uuid: str, event: str) -> Invocation | None:
        scope = self.backends.existing(account, region)
        if scope is None:
            return None
        endpoint = self.emulator.loopback_url()
        with scope.lock:
            mapping = scope.backend.mappings.get(uuid)
            function = scope.backend.functions.get(mapping.function_name) if mapping is not None else None
            if mapping is None or function is None:
                return None
            settle(function)
            try:
                return prepare(scope.backend, function, mapping.qualifier, event, new_request_id(), endpoint)
            except ServiceError:
                return None

    def _record_batch(self, account: str, region: str, uuid: str, result: str) -> None:
        scope = self.backends.existing(account, region)
        if scope is not None:
            with scope.lock:
                mapping = scope.backend.mappings.get(uuid)
                if mapping is not None:
                    mapping.last_processing_result = result

    def admin_routes(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """``code?account=&region=&function=&version=``: the zip GetFunction's ``Code.Location`` names."""
        return {"code": self._download_code}

    def admin_trees(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """``url/<url-id>/...``: function URLs (any method, any path)."""
        return {"url": lambda request: function_urls.serve(self, request)}

    def _download_code(self, request: HttpRequest) -> HttpResponse:
        params = {key: values[0] for key, values in parse_qs(request.query).items()}
        scope = self.backends.existing(params.get("account", ""), params.get("region", ""))
        if scope is not None:
            with scope.lock:
                function = scope.backend.functions.get(params.get("function", ""))
                config = function.config(params.get("version", "$LATEST")) if function is not None else None
                if config is not None:
                    data = scope.backend.code(config)
                    return HttpResponse(200, {"content-type": "application/zip"}, data)
        return HttpResponse(404, {"content-type": "text/plain"}, b"no such function code")

    # -- the delivery port ----------------------------------------------------------------
    def has_function(self, target_arn: str) -> bool:
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("function:"):
            return False
        scope = self.backends.existing(arn.account, arn.region)
        return scope is not None and split_name(target_arn)[0] in scope.backend.functions

    def receive(self, target_arn: str, message: Message) -> str:
        """The sink: invoke the function the ARN names asynchronously with the message body as
        its event (SNS's ``Records`` document, a log subscription's ``awslogs``); returns the
        request id. Raises ResourceNotFoundException when there is no such function."""
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("function:"):
            raise DeliveryError(f"not a Lambda function ARN: {target_arn!r}")
        try:
            json.loads(message.body)
        except ValueError as exc:
            raise DeliveryError(f"a Lambda event must be JSON: {exc}") from exc
        name, qualifier, _, _ = split_name(target_arn)
        scope = self.backends.scope(arn.account, arn.region)
        request_id = new_request_id()
        endpoint = self.emulator.loopback_url()
        with scope.lock:
            function = scope.backend.functions.get(name)
            if function is None:
                raise function_not_found(target_arn)
            settle(function)
            invocation = prepare(scope.backend, function, qualifier, message.body, request_id, endpoint)
        self.executor.submit(invocation)
        return request_id

    # -- for tests ------------------------------------------------------------------------
    def wait_for_invocations(self, timeout: float = 10.0) -> bool:
        """Block until every queued asynchronous invocation finished; False if ``timeout`` passed."""
        return self.executor.events.wait_idle(timeout)

    def worker_pids(self) -> list[int]:
        return self.executor.pool.pids()
