"""IAM's operations, one module per resource family; importing this package registers every
handler on ``ops``.

Names, paths, lengths and enums the model constrains are checked by the generic validator
before a handler runs (``ValidationError`` with AWS's wording); handlers check what the model
cannot say: existence, conflicts, quotas, and policy documents (with the kit's parser).

Not implemented (they answer NotImplemented): the Organizations-wide features (root
credentials management, organizations access reports), delegation requests, outbound web
identity federation, account properties, service last-accessed reports and
GetHumanReadableSummary / GetRoleTemplateVersion / AcquireRole. Access keys are issued for IAM
users only, not for an account's root; virtual MFA devices answer their seed but no QR code.
"""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("iam")

from hoarfrost.services.iam.handlers import (  # noqa: E402,F401  (registration by import)
    access_keys,
    account,
    certificates,
    credentials,
    groups,
    inline,
    instance_profiles,
    policies,
    providers,
    roles,
    simulate,
    users,
)
