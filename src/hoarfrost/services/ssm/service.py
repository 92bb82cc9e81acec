"""SSM Parameter Store: parameters with versions, labels, tiers, policies (Expiration by the
emulator's clock) and tags; public parameters as data; the typed state view. SSM's other
features (documents, Run Command, associations...) have no handler yet."""

from __future__ import annotations

from typing import ClassVar

from hoarfrost.core.views import StatefulService
from hoarfrost.services.ssm import views
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.state import SsmBackend
from hoarfrost.services.ssm.views import SsmStateView


class SsmService(StatefulService[SsmBackend, SsmStateView]):
    name: ClassVar[str] = "ssm"
    view_type: ClassVar[type[SsmStateView]] = SsmStateView
    operations = ops

    def new_backend(self, account: str, region: str) -> SsmBackend:
        return SsmBackend(account, region)

    def to_view(self, backend: SsmBackend, account: str, region: str) -> SsmStateView:
        return views.to_view(backend)

    def from_view(self, view: SsmStateView, account: str, region: str) -> SsmBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: SsmBackend, source: SsmBackend) -> None:
        views.merge(target, source)
