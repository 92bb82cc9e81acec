"""SSM Parameter Store's internal state for one account/region: parameters with every
version (value, type, description, tier, policies, labels) and their tags.

Plain dataclasses shaped for the handlers and also the declaration of the state view. Times
are epoch seconds from the emulator's clock. Names are kept in a sorted list beside the dict
so path queries bisect to their subtree instead of scanning every parameter.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, VIEW_EXCLUDE, view_as

# AWS keeps 100 versions of a parameter; the oldest goes when a new one is written.
MAX_VERSIONS = 100


def parameter_arn(region: str, account: str, name: str) -> str:
    return build_arn("ssm", region, account, "parameter" + (name if name.startswith("/") else "/" + name))


@dataclass
class ParameterVersion:
    """One version: everything PutParameter wrote, as GetParameterHistory shows it."""

    version: int
    value: str
    type: str
    modified: float = field(metadata=view_as(EPOCH, "last_modified_date"))
    modified_user: str = ""
    description: str | None = None
    allowed_pattern: str | None = None
    key_id: str | None = None
    tier: str = "Standard"
    # The policies' JSON texts (PolicyText), in the order given.
    policies: list[str] = field(default_factory=list)
    data_type: str = "text"
    labels: list[str] = field(default_factory=list)


@dataclass
class Parameter:
    name: str
    versions: dict[int, ParameterVersion] = field(default_factory=dict)  # oldest first
    tags: dict[str, str] = field(default_factory=dict)
    # When an Expiration policy of the latest version deletes the parameter (derived).
    expires: float | None = field(default=None, metadata=VIEW_EXCLUDE)

    @property
    def latest(self) -> ParameterVersion:
        return self.versions[next(reversed(self.versions))]

    def with_label(self, label: str) -> ParameterVersion | None:
        for version in self.versions.values():
            if label in version.labels:
                return version
        return None


@dataclass
class SsmBackend:
    account: str
    region: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    # Every name, sorted (path queries bisect here).
    names: list[str] = field(default_factory=list)
    # name -> when an Expiration policy deletes it (purged lazily by the clock).
    expiring: dict[str, float] = field(default_factory=dict)

    def arn_of(self, name: str) -> str:
        return parameter_arn(self.region, self.account, name)

    def add(self, parameter: Parameter) -> None:
        if parameter.name not in self.parameters:
            bisect.insort(self.names, parameter.name)
        self.parameters[parameter.name] = parameter
        self.schedule(parameter)

    def schedule(self, parameter: Parameter) -> None:
        if parameter.expires is None:
            self.expiring.pop(parameter.name, None)
        else:
            self.expiring[parameter.name] = parameter.expires

    def remove(self, name: str) -> Parameter | None:
        parameter = self.parameters.pop(name, None)
        if parameter is not None:
            index = bisect.bisect_left(self.names, name)
            if index < len(self.names) and self.names[index] == name:
                del self.names[index]
            self.expiring.pop(name, None)
        return parameter

    def purge(self, now: float) -> None:
        """Delete parameters whose Expiration passed (only the scheduled few are looked at)."""
        if not self.expiring:
            return
        for name, when in list(self.expiring.items()):
            if when <= now:
                self.remove(name)

    def under(self, prefix: str) -> list[str]:
        """Names starting with ``prefix``, sorted: a bisected slice, not a scan."""
        start = bisect.bisect_left(self.names, prefix)
        end = bisect.bisect_left(self.names, prefix + "\U0010ffff")
        return self.names[start:end]
