"""Account-wide IAM: the alias, the password policy, the summary, the credential report and
GetAccountAuthorizationDetails."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from hoarfrost.services.iam.errors import errors, quota
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    boundary,
    encoded,
    group_output,
    instance_profile_output,
    now,
    page,
    role_output,
    tag_list,
    user_output,
)
from hoarfrost.services.iam.handlers.policies import MANAGED_POLICY_SIZE, MAX_ATTACHED, policy_output
from hoarfrost.services.iam.managed import PUBLISHED, aws_policies
from hoarfrost.services.iam.passwords import POLICY_DEFAULTS
from hoarfrost.services.iam.state import (
    MAX_ACCESS_KEYS,
    MAX_POLICY_VERSIONS,
    CredentialReport,
    Group,
    Role,
    User,
    folded,
)


# -- aliases -------------------------------------------------------------------------------------------
@ops.operation
def create_account_alias(ctx: IamContext, request: dict[str, Any]) -> None:
    alias = request["AccountAlias"]
    aliases = ctx.state.account_aliases
    if alias in aliases:
        return
    if aliases:
        raise quota("AccountAliasesPerAccount", 1)
    aliases.append(alias)


@ops.operation
def delete_account_alias(ctx: IamContext, request: dict[str, Any]) -> None:
    alias = request["AccountAlias"]
    if alias not in ctx.state.account_aliases:
        raise errors.NoSuchEntityException(f"The account alias {alias} cannot be found.")
    ctx.state.account_aliases.remove(alias)


@ops.operation
def list_account_aliases(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return page(ctx, request, list(ctx.state.account_aliases), lambda alias: alias, "AccountAliases")


# -- password policy ------------------------------------------------------------------------------------
@ops.operation
def update_account_password_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    """Members left out take their defaults (the call replaces the whole policy, as AWS's does)."""
    ctx.state.password_policy = {**POLICY_DEFAULTS, **request}


@ops.operation
def get_account_password_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    policy = ctx.state.password_policy
    if policy is None:
        raise errors.NoSuchEntityException(
            f"The Password Policy with domain name {ctx.scope.account} cannot be found.")
    output = dict(policy)
    output["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
    return {"PasswordPolicy": output}


@ops.operation
def delete_account_password_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    if ctx.state.password_policy is None:
        raise errors.NoSuchEntityException(
            "The account policy with name PasswordPolicy cannot be found.")
    ctx.state.password_policy = None


# -- summary ---------------------------------------------------------------------------------------------
@ops.operation
def get_account_summary(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    backend = ctx.state
    devices = backend.mfa_devices.values()
    summary = {
        "Users": len(backend.users), "UsersQuota": 5000,
        "Groups": len(backend.groups), "GroupsQuota": 300,
        "Roles": len(backend.roles), "RolesQuota": 1000,
        "Policies": len(backend.policies), "PoliciesQuota": 1500,
        "InstanceProfiles": len(backend.instance_profiles), "InstanceProfilesQuota": 1000,
        "ServerCertificates": len(backend.server_certificates), "ServerCertificatesQuota": 20,
        "Providers": len(backend.oidc_providers) + len(backend.saml_providers),
        "MFADevices": len(backend.mfa_devices), "MFADevicesInUse": sum(1 for d in devices if d.user_name),
        "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0,
        "AccessKeysPerUserQuota": MAX_ACCESS_KEYS, "SigningCertificatesPerUserQuota": 2,
        "GroupsPerUserQuota": 10, "AttachedPoliciesPerUserQuota": MAX_ATTACHED,
        "AttachedPoliciesPerGroupQuota": MAX_ATTACHED, "AttachedPoliciesPerRoleQuota": MAX_ATTACHED,
        "PolicySizeQuota": MANAGED_POLICY_SIZE, "VersionsPerPolicyQuota": MAX_POLICY_VERSIONS,
        "PolicyVersionsInUse": sum(len(entities) for entities in backend.attachments.values()),
        "PolicyVersionsInUseQuota": 10000, "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048,
        "GlobalEndpointTokenVersion": backend.global_endpoint_token_version or 1,
    }
    return {"SummaryMap": summary}


# -- credential report -------------------------------------------------------------------------------------
REPORT_LIFETIME = dt.timedelta(hours=4)
_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]


def _when(moment: dt.datetime | None, missing: str = "N/A") -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00") if moment is not None else missing


def _report_row(item: User) -> list[str]:
    profile = item.login_profile
    row = [item.user_name, item.arn, _when(item.create_date), "true" if profile else "false",
           _when(item.password_last_used, "no_information" if profile else "N/A"),
           _when(profile.create_date if profile else None), "N/A", "true" if item.mfa_devices else "false"]
    keys = sorted(item.access_keys.values(), key=lambda key: key.create_date)
    for index in range(MAX_ACCESS_KEYS):
        key = keys[index] if index < len(keys) else None
        if key is None:
            row += ["false", "N/A", "N/A", "N/A", "N/A"]
        else:
            row += ["true" if key.status == "Active" else "false", _when(key.create_date), _when(key.last_used_date),
                    key.last_used_region or "N/A", key.last_used_service or "N/A"]
    certificates = list(item.signing_certificates.values())
    for index in range(2):
        certificate = certificates[index] if index < len(certificates) else None
        row += (["false", "N/A"] if certificate is None
                else ["true" if certificate.status == "Active" else "false", _when(certificate.upload_date)])
    return row


def _report(ctx: IamContext) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    root = ["<root_account>", f"arn:{ctx.state.partition}:iam::{ctx.scope.account}:root", _when(PUBLISHED),
            "not_supported", "no_information", "not_supported", "not_supported", "false"]
    root += ["false", "N/A", "N/A", "N/A", "N/A"] * 2 + ["false", "N/A"] * 2
    writer.writerow(root)
    for item in sorted(ctx.state.users.values(), key=lambda u: folded(u.user_name)):
        writer.writerow(_report_row(item))
    return out.getvalue()


@ops.operation
def generate_credential_report(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    """Generated at once (AWS takes a moment): a report younger than four hours is kept."""
    backend = ctx.state
    current = backend.credential_report
    if current is not None and now(ctx) - current.generated_time < REPORT_LIFETIME:
        return {"State": "COMPLETE"}
    backend.credential_report = CredentialReport(generated_time=now(ctx), content=_report(ctx))
    return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}


@ops.operation
def get_credential_report(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    report = ctx.state.credential_report
    if report is None:
        raise errors.CredentialReportNotPresentException(
            "Unknown: credential report not present. Call GenerateCredentialReport first.")
    if now(ctx) - report.generated_time >= REPORT_LIFETIME:
        raise errors.CredentialReportExpiredException(
            "The credential report is expired. Call GenerateCredentialReport to generate a new one.")
    return {"Content": report.content.encode("utf-8"), "ReportFormat": "text/csv",
            "GeneratedTime": report.generated_time}


# -- authorization details -------------------------------------------------------------------------------------
def _attached(arns: list[str]) -> list[dict[str, str]]:
    return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]


def _inline(policies: dict[str, str]) -> list[dict[str, str]]:
    return [{"PolicyName": name, "PolicyDocument": encoded(document)} for name, document in policies.items()]


def _user_detail(ctx: IamContext, item: User) -> dict[str, Any]:
    output = user_output(item)
    output.update({"UserPolicyList": _inline(item.inline_policies),
                   "GroupList": [g.group_name for g in ctx.state.groups_of(item.user_name)],
                   "AttachedManagedPolicies": _attached(item.attached), **boundary(item.permissions_boundary)})
    if item.tags:
        output["Tags"] = tag_list(item.tags)
    return output


def _group_detail(item: Group) -> dict[str, Any]:
    output = group_output(item)
    output.update({"GroupPolicyList": _inline(item.inline_policies),
                   "AttachedManagedPolicies": _attached(item.attached)})
    return output


def _role_detail(ctx: IamContext, item: Role) -> dict[str, Any]:
    output = role_output(item, full=True)
    profiles = [p for p in ctx.state.instance_profiles.values()
                if folded(item.role_name) in map(folded, p.roles)]
    output.update({"InstanceProfileList": [instance_profile_output(ctx, p) for p in profiles],
                   "RolePolicyList": _inline(item.inline_policies),
                   "AttachedManagedPolicies": _attached(item.attached)})
    return output


@ops.operation
def get_account_authorization_details(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    wanted = set(request.get("Filter") or ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"))
    backend = ctx.state
    entries: list[tuple[int, str, str, Any]] = []  # (list, sort key, member, item)
    if "User" in wanted:
        entries += [(0, folded(u.user_name), "UserDetailList", u) for u in backend.users.values()]
    if "Group" in wanted:
        entries += [(1, folded(g.group_name), "GroupDetailList", g) for g in backend.groups.values()]
    if "Role" in wanted:
        entries += [(2, folded(r.role_name), "RoleDetailList", r) for r in backend.roles.values()]
    if "LocalManagedPolicy" in wanted:
        entries += [(3, p.arn, "Policies", p) for p in backend.policies.values()]
    if "AWSManagedPolicy" in wanted:  # the AWS managed policies in use in this account
        entries += [(4, p.arn(backend.partition), "Policies", p) for p in aws_policies()
                    if backend.attachments.get(p.arn(backend.partition))]
    found = page(ctx, request, entries, lambda entry: (entry[0], entry[1]), "Entries")
    output: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for kind, _, member, item in found.pop("Entries"):
        if kind == 0:
            output[member].append(_user_detail(ctx, item))
        elif kind == 1:
            output[member].append(_group_detail(item))
        elif kind == 2:
            output[member].append(_role_detail(ctx, item))
        else:
            output[member].append(_policy_detail(ctx, item))
    output.update(found)
    return output


def _policy_detail(ctx: IamContext, item: Any) -> dict[str, Any]:
    output = policy_output(ctx, item)
    output.pop("Tags", None)
    if hasattr(item, "versions"):
        versions = [{"Document": encoded(v.document), "VersionId": v.version_id,
                     "IsDefaultVersion": v.version_id == item.default_version_id, "CreateDate": v.create_date}
                    for v in item.versions.values()]
    else:
        versions = [{"Document": encoded(item.document), "VersionId": item.default_version_id,
                     "IsDefaultVersion": True, "CreateDate": PUBLISHED}]
    output["PolicyVersionList"] = versions
    return output


# -- STS preferences ---------------------------------------------------------------------------------------
@ops.operation
def set_security_token_service_preferences(ctx: IamContext, request: dict[str, Any]) -> None:
    """Which session tokens the global STS endpoint issues (GetAccountSummary reports it)."""
    ctx.state.global_endpoint_token_version = 2 if request["GlobalEndpointTokenVersion"] == "v2Token" else 1
