"""One family's catalog entry, built from its operations: identifiers bound, sources found,
parents, roles checked against their inputs and outputs.

The order matters and is the method order of ``FamilyBuilder.build``: members are bound
(``identity.bind``); required members every read and delete takes become identifiers; a
member naming another family by its whole noun goes to that family; identifiers are looked
up in CreateX; then each operation is checked for its role (a read must name the resource,
a list must answer a list), and whatever fails is dropped as unresolved with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from hoarfrost.generic import error_roles, identity, naming, outputs, pagination
from hoarfrost.generic.catalog import (
    CRUD,
    Binding,
    ErrorShapes,
    Family,
    Identifier,
    IdKind,
    OperationRole,
    Parent,
    Unresolved,
)
from hoarfrost.generic.grouping import Candidate
from hoarfrost.generic.hints import FamilyHint
from hoarfrost.generic.identity import Bound, Claim, Ownership
from hoarfrost.generic.model import Member, ServiceView


@dataclass
class FamilyBuilder:
    """Builds one family, collecting what it drops (``unresolved``) and the hints it used."""

    view: ServiceView
    noun: str
    candidates: list[Candidate]
    ownership: Ownership
    hint: FamilyHint | None
    unresolved: list[Unresolved] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)  # required CreateX members the caller names it by
    keys: set[str] = field(default_factory=set)  # members (lower-case) that find one resource
    key_kinds: set[str] = field(default_factory=set)  # the identifier kinds they take

    def _finders(self) -> list[Candidate]:
        """The operations whose own members find the resource: reads, deletes, lookups and
        lists; updates only where nothing else does (their other members are new values)."""
        finders = [c for c in self.candidates if c.role in ("read", "delete", "lookup", "list")]
        if not any(c.role in ("read", "delete") and not c.plural for c in finders):
            finders += [c for c in self.candidates if c.role == "update"]
        return finders

    def build(self) -> Family | None:
        view, noun = self.view, self.noun
        forced_parents = {self.hint.parent.member: self.hint.parent.family} if self.hint and self.hint.parent else {}
        forced_kinds = dict(self.hint.identifiers) if self.hint else {}
        if forced_parents:
            self.applied.append(f"families.{noun}.parent")
        self.applied += [f"families.{noun}.identifiers.{member}" for member in forced_kinds]
        bound = {c.operation: identity.bind(view, c.operation, noun, self.ownership, forced_parents, forced_kinds)
                 for c in self.candidates}
        creates = [c for c in self.candidates if c.role == "create"]
        if creates and self._batch(creates[0], bound[creates[0].operation]):
            self._drop(self.candidates, "batch", f"the {noun} operations take lists: many resources per call")
            return None
        self._promote_common_members(bound)
        self._tails_of_other_nouns(bound)
        if creates:
            self._promote_returned_arns(creates[0], bound)

        create = creates[0] if creates else None
        create_location = outputs.resource_location(view, view.output_shape(create.operation), noun) if create else None
        wrapper = create_location.path if create_location and create_location.path else None
        identifiers, kinds = self._identifiers(create, bound, wrapper, forced_kinds)
        # One per parent (or per account and region): nothing names the resource itself, neither
        # when it is found (RepositoryPolicy by its repository) nor when it is created.
        finding = [c for c in self.candidates if c.role in ("read", "update", "delete") and not c.plural]
        named_when_found = any(not claim.prefix for c in finding for _, claim in bound[c.operation].own) or \
            any(bound[c.operation].structures or bound[c.operation].unbound for c in finding if c.role != "update")
        named_when_created = bool(not finding and create and bound[create.operation].own)
        singleton = not (named_when_found or named_when_created or any(ident.key for ident in identifiers))
        required = {name for name, m in view.inputs(create.operation).items() if m.required} if create else set()
        self.chosen = [i.input_paths[0] for i in identifiers if i.key and len(i.input_paths) == 1
                       and i.input_paths[0] in required]
        parents = self._parents(create, bound)

        roles: dict[str, list[OperationRole]] = {}
        for candidate in self.candidates:
            for role in self._roles(candidate, bound[candidate.operation], kinds, singleton, create_location):
                roles.setdefault(role.role, []).append(role)
        self._read_through_list(roles)
        if not roles:
            return None
        for items in roles.values():  # the plain operation of a role first: CreateX before PutX, DescribeX
            items.sort(key=lambda r: (r.upsert, r.attributes, r.many))  # before DescribeXAttributes, DescribeXs
        missing = tuple(role for role in CRUD if not roles.get(role))
        if "create" in missing:
            self.problems.insert(0, "nothing creates it")
        if "read" in missing:
            self.problems.insert(0, "nothing reads it")
        reads = roles.get("read", []) or roles.get("create", [])
        resource_shape = next((r.resource_shape for r in reads if r.resource_shape and not r.many), None)
        not_found = [e for role in ("read", "update", "delete") for r in roles.get(role, ())
                     for e in r.errors.not_found]
        plain_creates = [r for r in roles.get("create", ()) if not r.upsert]  # a Put replaces, never collides
        create_errors = plain_creates[0].errors if plain_creates else ErrorShapes()
        exists = error_roles.preferred(create_errors.already_exists, noun) or \
            error_roles.preferred(error_roles.collisions(create_errors.conflict), noun)
        return Family(
            name=noun,
            operations={role: tuple(roles[role]) for role in ("create", "read", "list", "update", "delete", "lookup")
                        if roles.get(role)},
            identifiers=tuple(identifiers),
            parents=tuple(parents),
            singleton=singleton,
            status=outputs.status(view, resource_shape, noun),
            tags=outputs.tag_members(view, view.inputs(create.operation)) if create else None,
            not_found_error=self._not_found(not_found, noun),
            exists_error=exists,
            missing=missing,
            problems=tuple(dict.fromkeys(self.problems)),
            warnings=tuple(dict.fromkeys(self.warnings)),
            hints=tuple(self.applied),
        )

    # -- steps ------------------------------------------------------------------------------
    def _batch(self, create: Candidate, bound: Bound) -> bool:
        """GuardDuty's CreateMembers: a plural noun whose create takes a list and names no
        single resource of its own."""
        if not naming.looks_plural(self.noun):
            return False
        takes_list = any(m.required and m.type == "list" for m in self.view.inputs(create.operation).values())
        return takes_list and not any(not claim.many for _, claim in bound.own)

    def _promote_common_members(self, bound: dict[str, Bound]) -> None:
        """Required members no name explains, taken by every read and delete, identify the
        resource (AppSync's Resolver: typeName names a Type, fieldName is the Resolver's)."""
        key_ops = [c.operation for c in self.candidates if c.role in ("read", "delete") and not c.plural]
        if not key_ops:
            return
        common = set.intersection(*({m.name.lower() for m in bound[op].unnamed_required} for op in key_ops))
        if not common:
            return
        for found in bound.values():
            for member in list(found.unnamed_required):
                if member.name.lower() in common:  # a list here is one composite key (Glue's PartitionValues)
                    found.unnamed_required.remove(member)
                    found.own.append((member, Claim(self.noun, naming.kind_of(member.name), False, False)))

    def _tails_of_other_nouns(self, bound: dict[str, Bound]) -> None:
        """A member naming the family only by the noun's last words, that names another family
        by its whole noun, is that family's unless reads and deletes find this one by it:
        Lambda's PutFunctionCodeSigningConfig takes a CodeSigningConfigArn to attach, while
        AppSync's GetGraphqlApi finds a GraphqlApi by apiId."""
        finders = {m.name.lower() for c in self.candidates if c.role in ("read", "delete") and not c.plural
                   for m, _ in bound[c.operation].own}
        for found in bound.values():
            for member, claim in list(found.own):
                other = self.ownership.full_noun(member)
                if other is None or other == self.noun or member.name.lower() in finders:
                    continue
                if self.noun.lower().endswith(other.lower()) and self.ownership.creatable(other):
                    found.own.remove((member, claim))
                    found.parents.append((member, Claim(other, claim.kind, claim.many, claim.prefix)))

    def _promote_returned_arns(self, create: Candidate, bound: dict[str, Bound]) -> None:
        """An ARN member of no known family that CreateX returns under the same name is the
        resource's own (Elastic Beanstalk's PlatformArn for a PlatformVersion)."""
        returned = {name.lower() for name in _member_names(self.view, self.view.output_shape(create.operation))}
        for candidate in self.candidates:
            found = bound[candidate.operation]
            if candidate.role not in ("read", "update", "delete") or any(not c.prefix for _, c in found.own):
                continue
            for member in list(found.unbound):
                if member.name.lower() in returned:
                    found.unbound.remove(member)
                    found.own.append((member, Claim(self.noun, "arn", member.scalar_list, False)))

    def _identifiers(self, create: Candidate | None, bound: dict[str, Bound], wrapper: str | None,
                     forced: dict[str, tuple[IdKind, ...]]) -> tuple[list[Identifier], dict[str, tuple[IdKind, ...]]]:
        """The family's identifiers with their sources in CreateX, and the kinds each own
        member of the other operations accepts."""
        view, noun = self.view, self.noun
        found: list[Identifier] = []
        kinds: dict[str, tuple[IdKind, ...]] = {}
        key_members: dict[str, tuple[Member, Claim]] = {}
        required: set[str] = set()
        for candidate in self._finders():
            for member, claim in bound[candidate.operation].own:
                if not claim.prefix:
                    key_members.setdefault(member.name.lower(), (member, claim))
                    if member.required:
                        required.add(member.name.lower())
        self.keys = {name for name, (_, claim) in key_members.items() if not claim.many}
        if create is None:
            for member, claim in key_members.values():
                kinds[member.name] = forced.get(member.name) or (claim.kind,)
            return found, kinds

        def located(kind: IdKind, want: str, alias: str = "") -> identity.Source:
            return identity.source(view, create.operation, want, kind, noun, wrapper, alias)

        for member, claim in sorted(key_members.values(), key=lambda pair: pair[1].many):
            wanted = forced.get(member.name)
            given = self.hint.sources.get(member.name) if self.hint else None
            if wanted and given:  # Lambda's VersionNumber is PublishLayerVersion's Version
                sources = {wanted[0]: identity.Source(*given)}
            elif wanted:
                sources = {kind: located(kind, member.name if kind == claim.kind else "", member.name)
                           for kind in wanted}
            else:
                direct = located(claim.kind, member.name)
                documented = identity.doc_kinds(member)
                if direct.found:
                    sources = {claim.kind: direct}
                    if "arn" in documented and claim.kind != "arn":  # "the name or ARN of the function"
                        sources["arn"] = located("arn", "", member.name)
                else:  # SecretId, ECS's cluster: the documentation says what they hold
                    sources = {kind: located(kind, "", member.name) for kind in documented}
                if not sources and claim.many:  # ECS's services: many of what service names
                    sibling = next((kinds[name] for name in kinds
                                    if name.lower() in {s.lower() for s in naming.singulars(member.name)}), ())
                    sources = {kind: located(kind, "", member.name) for kind in sibling}
            sources = {kind: _not_anothers(src, member.name, key_members) for kind, src in sources.items()}
            sources = {kind: src for kind, src in sources.items() if src.found}
            if not sources:
                if member.name.lower() in required:
                    self.problems.append(f"identifier {member.name} comes from neither {create.operation}'s "
                                         f"input nor its output")
                    kinds[member.name] = (claim.kind,)
                else:
                    self.warnings.append(f"optional {member.name}: which identifier it holds is unknown")
                    kinds[member.name] = ()
                continue
            kinds[member.name] = tuple(sources)
            if not claim.many:
                self.key_kinds.update(sources)
            single = member.name if len(sources) == 1 and not claim.many else None
            for kind, src in sources.items():
                name = single or (src.input_paths[:1] or [src.output_path or member.name])[0].split(".")[-1]
                identity.merge(found, Identifier(kind, name, src.input_paths, src.output_path, key=True))
        # Names and ids CreateX takes or returns that no other operation finds it by.
        def others(member: Member) -> bool:  # CodeSigningConfigArn is a CodeSigningConfig's
            return self.ownership.full_noun(member) not in (None, noun)

        for member in view.inputs(create.operation).values():
            parsed = naming.names_noun(member.name, noun)
            if member.name in forced:  # a hint said what it holds (pi's Identifier is the DB instance's)
                continue
            if parsed and not others(member) and member.scalar and not (parsed.many or parsed.prefix) \
                    and parsed.kind in ("name", "id"):
                identity.merge(found, Identifier(parsed.kind, member.name, input_paths=(member.name,)))
        for path, member in self._output_members(create.operation, wrapper):
            parsed = naming.names_noun(member.name, noun)
            if member.name in forced:
                continue
            if parsed and not others(member) and member.scalar and not parsed.many and not parsed.prefix:
                identity.merge(found, Identifier(parsed.kind, member.name, output_path=path))
        return found, kinds

    def _output_members(self, operation: str, wrapper: str | None) -> list[tuple[str, Member]]:
        top = self.view.outputs(operation)
        if wrapper and wrapper in top:
            return [(f"{wrapper}.{name}", m) for name, m in self.view.members(top[wrapper].shape).items()]
        return list(top.items())

    def _parents(self, create: Candidate | None, bound: dict[str, Bound]) -> list[Parent]:
        """Families CreateX's input names that the resource lives in: required there, or also
        named when reading, updating or deleting it (EventBridge's optional EventBusName).
        Others are references (API Gateway's PutMethod names an authorizerId)."""
        finders = [c for c in self.candidates if c.role in ("read", "delete") and not c.plural]
        named_later = {m.name.lower() for c in finders for m, _ in bound[c.operation].parents}
        parents: dict[str, Parent] = {}
        if create is not None:
            for member, claim in bound[create.operation].parents:
                keyed = member.name.lower() in named_later
                if member.scalar and (member.required or keyed):
                    parents.setdefault(claim.family, Parent(claim.family, member.name, (claim.kind,), member.required,
                                                            keyed))
        if create is None:
            return []
        carried = {p.member.lower() for p in parents.values()}
        for candidate in finders:
            for member, claim in bound[candidate.operation].parents:
                if member.required and member.name.lower() not in carried and claim.family not in parents:
                    self.problems.append(f"{candidate.operation} names a parent {claim.family} by {member.name}; "
                                         f"{create.operation}'s input does not carry it")
        return list(parents.values())

    def _not_found(self, errors: list[str], noun: str) -> str | None:
        if self.hint is not None and self.hint.not_found:
            self.applied.append(f"families.{noun}.not_found")
            return self.hint.not_found
        return error_roles.preferred(errors, noun)

    def _roles(self, candidate: Candidate, bound: Bound, kinds: dict[str, tuple[IdKind, ...]], singleton: bool,
               create_location: outputs.Location | None) -> list[OperationRole]:
        view, noun, op = self.view, self.noun, candidate.operation
        if bound.ambiguous:
            member, claims = bound.ambiguous[0]
            self._drop([candidate], "identifier", f"{member.name} could name any of {', '.join(claims)}")
            return []
        errors = error_roles.classify(view, op)
        own = [(m, c) for m, c in bound.own if not c.prefix and not c.many]
        if candidate.role == "update" and self.keys:  # UpdateApi's required name is the new name
            own = [(m, c) for m, c in own if m.name.lower() in self.keys or c.kind in self.key_kinds]
        selectors = [(m, c) for m, c in bound.own if c.prefix or c.many]
        bindings = [identity.binding(m, c, kinds.get(m.name)) for m, c in own] + \
            [identity.binding(m, c) for m, c in bound.parents]
        if candidate.role == "create":
            inputs = view.inputs(op)
            absent = [name for name in self.chosen if name not in inputs]
            if absent:  # IoT's RegisterThing provisions from a template: it carries no thingName
                self._drop([candidate], "identifier", f"{op} does not carry {', '.join(absent)}, "
                                                      f"which names the {noun}")
                return []
            location = create_location
            return [OperationRole(op, "create", tuple(bindings), location.path if location else None,
                                  location.shape if location else None, upsert=candidate.upsert, errors=errors)]
        if candidate.role == "lookup":
            return self._lookup(candidate, own, bindings, errors)
        if candidate.role in ("read", "update", "delete") and not candidate.plural:
            if not own and not singleton:
                if bound.structures:
                    names = ", ".join(m.name for m in bound.structures)
                    self._drop([candidate], "identifier", f"{op} names the {noun} by a structure ({names}), "
                                                          f"which inference does not take apart")
                else:
                    self._drop([candidate], "identifier", f"no member of {op} names the {noun}")
                return []
            location = outputs.resource_location(view, view.output_shape(op), noun)
            return [OperationRole(op, candidate.role, tuple(bindings), location.path if location else None,
                                  location.shape if location else None, attributes=candidate.attributes,
                                  errors=errors)]
        # ListXs, and GetXs/DescribeXs that read many and list.
        listed = outputs.list_location(view, view.output_shape(op), noun,
                                       pagination.result_keys(view.paginator(op)))
        if listed is None:
            self._drop([candidate], "shape", f"{op}'s output holds no list of {noun}")
            return []
        unnamed = [m for m in bound.unnamed_required if not m.enum]  # ListTypes' format is an option
        if unnamed:
            names = ", ".join(m.name for m in unnamed)
            self._drop([candidate], "identifier", f"{op} requires {names}, which names no {noun} or parent")
            return []
        container = listed.path.rpartition(".")[0]
        holder = view.member_at(view.output_shape(op), container) if container else None
        paging = pagination.paging(view.paginator(op), view.inputs(op), view.outputs(op), container,
                                   view.members(holder.shape) if holder else None)
        filters = tuple(identity.binding(m, c, kinds.get(m.name)) for m, c in selectors) + \
            tuple(identity.binding(m, c) for m, c in bound.parents) + \
            tuple(identity.binding(m, c, kinds.get(m.name)) for m, c in own)
        roles: list[OperationRole] = []
        if not any(m.required and c.many for m, c in selectors):  # DescribeServices needs its services
            roles.append(OperationRole(op, "list", filters, listed.path, listed.item_shape, listed.items,
                                       paging=paging, errors=errors))
        if candidate.role == "read" and (selectors or own):  # RDS's DescribeDBInstances(DBInstanceIdentifier)
            roles.append(OperationRole(op, "read", filters, listed.path, listed.item_shape, listed.items, many=True,
                                       paging=paging, errors=errors))
        if not roles:
            self._drop([candidate], "identifier", f"{op} requires a list of {noun} identifiers: it neither lists "
                                                  f"nor reads one")
        return roles

    def _lookup(self, candidate: Candidate, own: list[tuple[Member, Claim]], bindings: list[Binding],
                errors: ErrorShapes) -> list[OperationRole]:
        """GetQueueUrl: finds the identifier its name says (QueueUrl, in the output under that
        name) by another identifier the family's own name says (QueueName)."""
        wanted = candidate.operation[len("Get"):]
        path = next((name for name, m in self.view.outputs(candidate.operation).items()
                     if name.lower() == wanted.lower() and m.scalar), None)
        named = [m for m, _ in own if naming.names_noun(m.name, self.noun, bare=False)]
        if not named or path is None:
            self._drop([candidate], "identifier", f"{candidate.operation} finds no {self.noun} identifier by "
                                                  f"another of its identifiers")
            return []
        return [OperationRole(candidate.operation, "lookup", tuple(bindings), path, errors=errors)]

    def _read_through_list(self, roles: dict[str, list[OperationRole]]) -> None:
        """A family no operation reads one at a time is read through a list that filters by its
        identifiers (one, a list of them, or a name prefix), as clients do."""
        if roles.get("read") or not roles.get("list"):
            return
        for listed in roles["list"]:
            if any(b.family == self.noun for b in listed.bindings):
                roles.setdefault("read", []).append(replace(listed, role="read", many=True))

    def _drop(self, candidates: Iterable[Candidate], reason: str, detail: str) -> None:
        self.unresolved += [Unresolved(c.operation, reason, detail) for c in candidates]


def _not_anothers(src: identity.Source, member: str, key_members: dict[str, tuple[Member, Claim]]) -> identity.Source:
    """``src`` without the members another member finding the resource is named after: pi's
    report is found by Identifier (the DB instance) and AnalysisReportId, so the
    AnalysisReportId CreatePerformanceAnalysisReport returns is not the Identifier's value,
    nor the Identifier it takes the AnalysisReportId's."""
    own = member.lower()

    def anothers(path: str) -> bool:
        leaf = path.split(".")[-1].replace("[]", "").lower()
        return leaf != own and leaf in key_members

    inputs = tuple(path for path in src.input_paths if not anothers(path))
    output = src.output_path if src.output_path and not anothers(src.output_path) else None
    if (inputs, output) == (src.input_paths, src.output_path) or not (inputs or output):
        return src  # nothing else claims it, or it would be left with no source at all
    return identity.Source(inputs, output)


def _member_names(view: ServiceView, shape: str | None) -> list[str]:
    """Member names of a structure and of the structures directly inside it."""
    names: list[str] = []
    for member in view.members(shape).values():
        names.append(member.name)
        if member.type == "structure":
            names += list(view.members(member.shape))
    return names
