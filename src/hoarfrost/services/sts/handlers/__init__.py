"""STS's operations, grouped by what they do; importing this package registers every handler
on ``ops``.

STS operations, one function each, named after the operation.

Lengths, ranges and patterns the model declares (DurationSeconds 900..43200 for AssumeRole,
RoleSessionName ``[\\w+=,.@-]*`` of 2..64, ...) are checked by the generic validator before a
handler runs; handlers check what the model cannot say (ARN shapes, policy JSON, packed size,
tag rules, role chaining) and then issue credentials.

Issued credentials live in the caller's scope (the account and region of the request that
issued them); their *principal* may be in another account (the role's). A request signed with
an issued key is attributed to that principal's account by every service. Expired keys: STS
operations signed with one answer ``ExpiredToken``; other services still attribute them to
their account (hoarfrost does not enforce authentication).

IAM roles: when hoarfrost's IAM holds roles for the role's account, AssumeRole and its web
identity and SAML variants require the role to exist there (AccessDenied otherwise), use its
role id and honour its MaxSessionDuration, and IAM records RoleLastUsed; for an account without
IAM roles any role ARN is accepted. With IAM enforcement on (``enforce_iam``) the role must
always exist and its trust policy must allow the caller: the signing principal for AssumeRole,
the token's OIDC provider (with ``<issuer>:aud`` / ``:sub`` condition keys) or the SAML
provider (``SAML:aud`` / ``SAML:sub``) for the federated variants. The root-user restrictions
are not modelled (root may not call AssumeRole or
AssumeRoot on AWS; hoarfrost's default caller *is* the account root, so refusing would make
the default useless).
"""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("sts")

from hoarfrost.services.sts.handlers import credentials, identity, roles  # noqa: E402,F401  (registration)
