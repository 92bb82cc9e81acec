"""Which operations of a service the generic engine serves, and as what.

Only families inference marked resolved (created, read and deleted, every identifier's
source known, no problem); only the CRUD roles, never attribute-wise
reads or writes; an operation playing roles in two families is ambiguous and stays
NotImplemented. Tag operations come from the catalog's service-wide tagging by ARN.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from botocore.model import ServiceModel

from hoarfrost.core import catalog as models
from hoarfrost.generic.catalog import Family, OperationRole, ServiceCatalog, Tagging
from hoarfrost.generic.store import UnknownService, catalog_for

_CRUD = ("create", "read", "list", "update", "delete")


@dataclass(frozen=True, slots=True)
class Served:
    """What the engine does for one operation: a family role, or one tag action."""

    kind: str  # create / read / list / update / delete / tag / untag / list_tags / endpoints
    family: Family | None = None
    role: OperationRole | None = None
    tagging: Tagging | None = None


def servable_family(family: Family) -> bool:
    """Resolved families with identifiers, and singletons: one per parent (an Amazon
    Managed Prometheus workspace's alert manager definition) or per account and region."""
    return family.resolved and family.servable and (family.singleton or bool(family.identifiers))


@functools.cache
def plan(service: str) -> dict[str, Served]:
    """Operation name -> what the engine does for it (empty for a service it cannot serve)."""
    try:
        found: ServiceCatalog = catalog_for(service)
    except UnknownService:
        return {}
    served: dict[str, Served] = {}
    claims: dict[str, list[Served]] = {}
    many_reads: dict[str, list[Served]] = {}
    for family in found.families:
        if not servable_family(family):
            continue
        for role_name in _CRUD:
            for role in family.roles(role_name):
                if role.attributes:
                    continue
                if role_name == "read" and role.many:
                    # DescribePipelines(pipelineIds): a read of the resources it names, answered
                    # as a listing filtered by them (a named one that is missing is the
                    # not-found error where the operation models one).
                    many_reads.setdefault(role.operation, []).append(Served("list", family, role))
                    continue
                claims.setdefault(role.operation, []).append(Served(role_name, family, role))
    for operation, options in many_reads.items():
        claims.setdefault(operation, options)  # only where the operation plays no other role
    for operation, options in claims.items():
        families = {option.family.name for option in options if option.family is not None}
        if len(families) != 1:
            continue
        kinds = {option.kind for option in options}
        if kinds == {"read", "list"}:
            served[operation] = next(option for option in options if option.kind == "list")
        elif len(options) == 1:
            served[operation] = options[0]
    if served:
        model = models.service_model(service)
        for operation in model.operation_names:  # endpoint discovery: this endpoint is the one
            if model.operation_model(operation).is_endpoint_discovery_operation:
                served[operation] = Served("endpoints")
        for tagging in found.tagging:
            member = tagging.resource_member
            if not member or not tagging.resource_kinds:
                continue
            if tagging.family is not None and tagging.family not in {
                    item.family.name for item in served.values() if item.family is not None}:
                continue
            # Each only when the catalog says where its tags or keys are, and the operation names
            # the resource by the same member (EC2's DescribeTags filters instead): never an
            # empty success.
            actions = (("tag", tagging.tag, tagging.tags), ("untag", tagging.untag, tagging.keys_member),
                       ("list_tags", tagging.list, tagging.list_output))
            for kind, tag_operation, carried in actions:
                if tag_operation and carried and tag_operation not in served \
                        and _names_member(model, tag_operation, member):
                    served[tag_operation] = Served(kind, tagging=tagging)
    return served


def _names_member(model: ServiceModel, operation: str, member: str) -> bool:
    shape = model.operation_model(operation).input_shape
    return shape is not None and member.lower() in {name.lower() for name in shape.members}


@functools.cache
def serves(service: str) -> bool:
    """Whether the engine serves any operation of ``service`` (asked on every request of a
    service without hand-written handlers, so answered once)."""
    from hoarfrost.services import IMPLEMENTED

    return service not in IMPLEMENTED and service in frozenset(models.available_services()) and bool(plan(service))
