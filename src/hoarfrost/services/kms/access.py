"""What IAM enforcement asks of KMS before a request runs (``core.ports.RequestResources`` and
the key-policy source): which key a request acts on, KMS's condition keys, and the key's policy
with its grants.

A key policy is the primary control of a key (``required`` when registered): IAM policies count
only where the key policy delegates to the account (the default policy's root principal). A
grant allows its grantee the grant's operations, within its encryption-context constraints: it
takes part as a statement of the key's policy naming the grantee. Every read here is a
dictionary look-up without the scope's lock, like the delivery ports' probes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import PolicyError, PolicyKind, parse_policy
from hoarfrost.services.kms.crypto import read_header
from hoarfrost.services.kms.state import Grant, Key, KmsBackend

if TYPE_CHECKING:
    from hoarfrost.services.kms.service import KmsService

ALIAS_PREFIX = "alias/"
# Request members naming the key an operation is authorised on, most specific first.
_KEY_MEMBERS = ("KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId", "PrimaryKeyArn")


class KmsAccess:
    def __init__(self, service: KmsService) -> None:
        self._service = service

    def _backend(self, account: str, region: str) -> KmsBackend | None:
        scope = self._service.backends.existing(account, region)
        return scope.backend if scope is not None else None

    def _key_arn(self, text: str, account: str, region: str) -> str | None:
        """The key ARN ``text`` (a key id, key ARN, alias name or alias ARN) names."""
        arn = try_parse_arn(text) if text.startswith("arn:") else None
        if arn is not None:
            if arn.service != "kms":
                return None
            if arn.resource_type == "key":
                return text
            account, region, text = arn.account, arn.region, arn.resource
        backend = self._backend(account, region)
        if text.startswith(ALIAS_PREFIX):
            alias = backend.aliases.get(text) if backend is not None else None
            return backend.key_arn(alias.target_key_id) if alias is not None and backend is not None else None
        return backend.key_arn(text) if backend is not None else None

    # -- core.ports.RequestResources ------------------------------------------------------------
    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        for member in _KEY_MEMBERS:
            value = params.get(member)
            if isinstance(value, str) and value:
                return self._key_arn(value, account, region)
        blob = params.get("CiphertextBlob")
        if isinstance(blob, bytes):  # Decrypt without KeyId: the key is in the blob's header
            header = read_header(blob)
            backend = self._backend(account, region)
            if header is not None and backend is not None:
                return backend.key_arn(header[0])
        alias = params.get("AliasName")
        if isinstance(alias, str) and alias.startswith(ALIAS_PREFIX):
            backend = self._backend(account, region)
            if backend is not None:
                return backend.alias_arn(alias)
        return None

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        """``kms:CallerAccount`` and the encryption context (``kms:EncryptionContext:<name>``,
        ``kms:EncryptionContextKeys``)."""
        keys: dict[str, Any] = {"kms:CallerAccount": account}
        context = params.get("EncryptionContext")
        if isinstance(context, Mapping) and context:
            keys["kms:EncryptionContextKeys"] = list(context)
            keys.update({f"kms:EncryptionContext:{name}": value for name, value in context.items()})
        return keys

    # -- the policy source -----------------------------------------------------------------------
    def key_policy(self, arn: str) -> str | None:
        """The key's policy, with a statement per grant, for IAM enforcement."""
        parsed = try_parse_arn(arn)
        if parsed is None or parsed.resource_type != "key":
            return None
        backend = self._backend(parsed.account, parsed.region)
        key = backend.keys.get(parsed.resource_id) if backend is not None else None
        if key is None or not key.policy:
            return None
        return with_grants(key) if key.grants else key.policy


def with_grants(key: Key) -> str:
    """``key``'s policy with each grant as an Allow statement naming its grantee (a grant whose
    grantee no policy can name is left out, as is a policy that does not parse)."""
    try:
        document = json.loads(key.policy)
    except ValueError:
        return key.policy
    statements = document.get("Statement")
    statements = list(statements) if isinstance(statements, list) else [statements] if statements else []
    for grant in list(key.grants.values()):  # read without the lock: a copy to iterate
        statement = _grant_statement(key, grant)
        try:
            parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), PolicyKind.RESOURCE)
        except PolicyError:
            continue
        statements.append(statement)
    document["Statement"] = statements
    return json.dumps(document)


def _grant_statement(key: Key, grant: Grant) -> dict[str, Any]:
    principal = ({"AWS": grant.grantee_principal} if grant.grantee_principal
                 else {"Service": grant.grantee_service_principal})
    statement: dict[str, Any] = {"Sid": f"grant-{grant.grant_id}", "Effect": "Allow", "Principal": principal,
                                 "Action": [f"kms:{operation}" for operation in grant.operations],
                                 "Resource": key.arn}
    equals = grant.constraints.get("EncryptionContextEquals")
    subset = grant.constraints.get("EncryptionContextSubset")
    pairs = {**(subset or {}), **(equals or {})}
    condition: dict[str, Any] = {}
    if pairs:
        condition["StringEquals"] = {f"kms:EncryptionContext:{name}": value for name, value in pairs.items()}
    if equals is not None:
        condition["ForAllValues:StringEquals"] = {"kms:EncryptionContextKeys": list(equals)}
        if not equals:
            condition["Null"] = {"kms:EncryptionContextKeys": "true"}
    if condition:
        statement["Condition"] = condition
    return statement
