"""A user's other credentials: console login profiles, virtual MFA devices (with real TOTP
checks), SSH public keys, signing certificates and service-specific credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from hoarfrost.services.iam.errors import errors, quota
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    caller_user,
    now,
    page,
    remove_tags,
    request_tags,
    request_user,
    tags_page,
    user,
)
from hoarfrost.services.iam.passwords import check_password
from hoarfrost.services.iam.state import (
    LoginProfile,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
    User,
    VirtualMfaDevice,
    folded,
    new_id,
)


# -- login profiles ---------------------------------------------------------------------------------
def _profile(found: User) -> LoginProfile:
    if found.login_profile is None:
        raise errors.NoSuchEntityException(f"Login Profile for User {found.user_name} cannot be found.")
    return found.login_profile


def _profile_output(found: User, profile: LoginProfile) -> dict[str, Any]:
    return {"UserName": found.user_name, "CreateDate": profile.create_date,
            "PasswordResetRequired": profile.password_reset_required}


@ops.operation
def create_login_profile(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = request_user(ctx, request)
    if found.login_profile is not None:
        raise errors.EntityAlreadyExistsException(f"Login Profile for user {found.user_name} already exists.")
    password = request.get("Password")
    if password is None:
        raise errors.InvalidInputException("A password is required: hoarfrost has no console to reset it from")
    check_password(ctx.state.password_policy, password)
    found.login_profile = LoginProfile(password=password, create_date=now(ctx),
                                       password_reset_required=bool(request.get("PasswordResetRequired")))
    return {"LoginProfile": _profile_output(found, found.login_profile)}


@ops.operation
def get_login_profile(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = request_user(ctx, request)
    return {"LoginProfile": _profile_output(found, _profile(found))}


@ops.operation
def update_login_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    found = request_user(ctx, request)
    profile = _profile(found)
    if request.get("Password") is not None:
        check_password(ctx.state.password_policy, request["Password"])
        profile.password = request["Password"]
    if request.get("PasswordResetRequired") is not None:
        profile.password_reset_required = request["PasswordResetRequired"]


@ops.operation
def delete_login_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    found = request_user(ctx, request)
    _profile(found)
    found.login_profile = None


# -- virtual MFA devices ------------------------------------------------------------------------------
TOTP_STEP = 30


def totp(seed: str, counter: int) -> str:
    """The RFC 6238 code (6 digits, SHA-1) of a base32 ``seed`` for time step ``counter``."""
    key = base64.b32decode(seed)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _check_codes(ctx: IamContext, device: VirtualMfaDevice, first: str, second: str) -> None:
    """Two consecutive codes of the device, within a few steps of now (clock drift)."""
    current = int(ctx.clock.time()) // TOTP_STEP
    for counter in range(current - 10, current + 2):
        if totp(device.base32_string_seed, counter) == first and totp(device.base32_string_seed,
                                                                       counter + 1) == second:
            return
    raise errors.InvalidAuthenticationCodeException("Authentication code for device is not valid.")


def _device(ctx: IamContext, serial: str) -> VirtualMfaDevice:
    found = ctx.state.mfa_devices.get(serial)
    if found is None:
        raise errors.NoSuchEntityException(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return found


@ops.operation
def create_virtual_mfa_device(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    path, name = request.get("Path") or "/", request["VirtualMFADeviceName"]
    backend = ctx.state
    serial = backend.arn(f"mfa{path}{name}")
    if serial in backend.mfa_devices:
        raise errors.EntityAlreadyExistsException("MFADevice entity at the same path and name already exists.")
    seed = base64.b32encode(secrets.token_bytes(40)).decode("ascii")
    device = VirtualMfaDevice(serial_number=serial, base32_string_seed=seed, create_date=now(ctx),
                              tags=request_tags(request))
    backend.mfa_devices[serial] = device
    output: dict[str, Any] = {"SerialNumber": serial, "Base32StringSeed": seed.encode("ascii")}
    if device.tags:
        output["Tags"] = [{"Key": k, "Value": v} for k, v in device.tags.items()]
    return {"VirtualMFADevice": output}


@ops.operation
def enable_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    found = user(ctx, request["UserName"])
    device = _device(ctx, request["SerialNumber"])
    if device.user_name is not None:
        raise errors.EntityAlreadyExistsException("MFA Device is already in use.")
    _check_codes(ctx, device, request["AuthenticationCode1"], request["AuthenticationCode2"])
    device.user_name, device.enable_date = found.user_name, now(ctx)
    found.mfa_devices.append(device.serial_number)


@ops.operation
def resync_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    user(ctx, request["UserName"])
    device = _device(ctx, request["SerialNumber"])
    _check_codes(ctx, device, request["AuthenticationCode1"], request["AuthenticationCode2"])


@ops.operation
def deactivate_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    found = request_user(ctx, request)
    serial = request["SerialNumber"]
    if serial not in found.mfa_devices:
        raise errors.NoSuchEntityException(f"MFA Device with serial number {serial} does not exist.")
    found.mfa_devices.remove(serial)
    device = ctx.state.mfa_devices.get(serial)
    if device is not None:
        device.user_name, device.enable_date = None, None


@ops.operation
def delete_virtual_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    device = _device(ctx, request["SerialNumber"])
    if device.user_name is not None:
        raise errors.DeleteConflictException("MFA VirtualDevice in use. Must deactivate first.")
    del ctx.state.mfa_devices[device.serial_number]


@ops.operation
def list_virtual_mfa_devices(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    status = request.get("AssignmentStatus") or "Any"
    items = []
    for device in ctx.state.mfa_devices.values():
        assigned = device.user_name is not None
        if status == "Any" or (status == "Assigned") == assigned:
            output: dict[str, Any] = {"SerialNumber": device.serial_number}
            if assigned:
                owner = ctx.state.users[folded(device.user_name or "")]
                output.update({"User": {"Path": owner.path, "UserName": owner.user_name, "UserId": owner.user_id,
                                        "Arn": owner.arn, "CreateDate": owner.create_date},
                               "EnableDate": device.enable_date})
            if device.tags:
                output["Tags"] = [{"Key": k, "Value": v} for k, v in device.tags.items()]
            items.append(output)
    return page(ctx, request, items, lambda item: item["SerialNumber"], "VirtualMFADevices")


@ops.operation
def list_mfa_devices(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = caller_user(ctx, request.get("UserName"))
    owners = [found] if found is not None else []
    items = [{"UserName": owner.user_name, "SerialNumber": serial,
              "EnableDate": ctx.state.mfa_devices[serial].enable_date}
             for owner in owners for serial in owner.mfa_devices if serial in ctx.state.mfa_devices]
    return page(ctx, request, items, lambda item: item["SerialNumber"], "MFADevices")


@ops.operation
def get_mfa_device(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    device = _device(ctx, request["SerialNumber"])
    output: dict[str, Any] = {"SerialNumber": device.serial_number}
    if device.user_name is not None:
        output.update({"UserName": device.user_name, "EnableDate": device.enable_date})
    return output


@ops.operation
def tag_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(_device(ctx, request["SerialNumber"]).tags, request)


@ops.operation
def untag_mfa_device(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(_device(ctx, request["SerialNumber"]).tags, request["TagKeys"])


@ops.operation
def list_mfa_device_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, _device(ctx, request["SerialNumber"]).tags)


# -- SSH public keys ----------------------------------------------------------------------------------
MAX_SSH_KEYS = 5


def _ssh_fingerprint(body: str) -> str:
    """The MD5 fingerprint (``aa:bb:...``) of an OpenSSH public key; InvalidPublicKey otherwise."""
    try:
        serialization.load_ssh_public_key(body.strip().encode("ascii"))
        blob = base64.b64decode(body.split()[1])
    except (ValueError, IndexError, UnicodeEncodeError):
        raise errors.InvalidPublicKeyException("The public key is not valid: it must be an OpenSSH public key "
                                               "(ssh-rsa AAAA...)") from None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _ssh_key(found: User, key_id: str) -> SshPublicKey:
    key = found.ssh_public_keys.get(key_id)
    if key is None:
        raise errors.NoSuchEntityException(f"The Public Key with id {key_id} cannot be found.")
    return key


def _ssh_output(found: User, key: SshPublicKey, *, body: str | None = None) -> dict[str, Any]:
    output: dict[str, Any] = {"UserName": found.user_name, "SSHPublicKeyId": key.ssh_public_key_id,
                              "Status": key.status, "UploadDate": key.upload_date}
    if body is not None:
        output.update({"Fingerprint": key.fingerprint, "SSHPublicKeyBody": body})
    return output


@ops.operation
def upload_ssh_public_key(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = user(ctx, request["UserName"])
    body = request["SSHPublicKeyBody"].strip()
    fingerprint = _ssh_fingerprint(body)
    if any(key.fingerprint == fingerprint for key in found.ssh_public_keys.values()):
        raise errors.DuplicateSSHPublicKeyException("The public key you uploaded is already associated with this "
                                                    "user.")
    if len(found.ssh_public_keys) >= MAX_SSH_KEYS:
        raise quota("KeyPairsPerUser", MAX_SSH_KEYS)
    key = SshPublicKey(ssh_public_key_id=new_id("ssh_public_key"), body=body, fingerprint=fingerprint,
                       upload_date=now(ctx))
    found.ssh_public_keys[key.ssh_public_key_id] = key
    return {"SSHPublicKey": _ssh_output(found, key, body=body)}


@ops.operation
def get_ssh_public_key(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = user(ctx, request["UserName"])
    key = _ssh_key(found, request["SSHPublicKeyId"])
    body = key.body
    if request["Encoding"] == "PEM":
        loaded = serialization.load_ssh_public_key(key.body.encode("ascii"))
        body = loaded.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return {"SSHPublicKey": _ssh_output(found, key, body=body)}


@ops.operation
def list_ssh_public_keys(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = caller_user(ctx, request.get("UserName"))
    items = [_ssh_output(found, key) for key in found.ssh_public_keys.values()] if found is not None else []
    return page(ctx, request, items, lambda item: item["SSHPublicKeyId"], "SSHPublicKeys")


@ops.operation
def update_ssh_public_key(ctx: IamContext, request: dict[str, Any]) -> None:
    found = user(ctx, request["UserName"])
    _ssh_key(found, request["SSHPublicKeyId"]).status = request["Status"]


@ops.operation
def delete_ssh_public_key(ctx: IamContext, request: dict[str, Any]) -> None:
    found = user(ctx, request["UserName"])
    del found.ssh_public_keys[_ssh_key(found, request["SSHPublicKeyId"]).ssh_public_key_id]


# -- signing certificates --------------------------------------------------------------------------------
MAX_SIGNING_CERTIFICATES = 2


def load_certificate(body: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(body.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise errors.MalformedCertificateException("Certificate body is malformed or invalid.") from None


def _certificate(found: User, certificate_id: str) -> SigningCertificate:
    certificate = found.signing_certificates.get(certificate_id)
    if certificate is None:
        raise errors.NoSuchEntityException(f"The Certificate with id {certificate_id} cannot be found.")
    return certificate


def _certificate_output(found: User, certificate: SigningCertificate) -> dict[str, Any]:
    return {"UserName": found.user_name, "CertificateId": certificate.certificate_id,
            "CertificateBody": certificate.body, "Status": certificate.status,
            "UploadDate": certificate.upload_date}


def _signing_owner(ctx: IamContext, request: dict[str, Any]) -> User:
    return request_user(ctx, request)


@ops.operation
def upload_signing_certificate(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _signing_owner(ctx, request)
    body = request["CertificateBody"].strip()
    load_certificate(body)
    if any(certificate.body == body for certificate in found.signing_certificates.values()):
        raise errors.DuplicateCertificateException("The certificate you uploaded is already associated with this "
                                                   "user.")
    if len(found.signing_certificates) >= MAX_SIGNING_CERTIFICATES:
        raise quota("CertificatesPerUser", MAX_SIGNING_CERTIFICATES)
    certificate_id = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(32))
    certificate = SigningCertificate(certificate_id=certificate_id, body=body, upload_date=now(ctx))
    found.signing_certificates[certificate_id] = certificate
    return {"Certificate": _certificate_output(found, certificate)}


@ops.operation
def list_signing_certificates(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _signing_owner(ctx, request)
    items = [_certificate_output(found, c) for c in found.signing_certificates.values()]
    return page(ctx, request, items, lambda item: item["CertificateId"], "Certificates")


@ops.operation
def update_signing_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _signing_owner(ctx, request)
    _certificate(found, request["CertificateId"]).status = request["Status"]


@ops.operation
def delete_signing_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _signing_owner(ctx, request)
    del found.signing_certificates[_certificate(found, request["CertificateId"]).certificate_id]


# -- service-specific credentials ---------------------------------------------------------------------------
_CREDENTIAL_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com")
MAX_SERVICE_CREDENTIALS = 2


def _service_credential(found: User, credential_id: str) -> ServiceSpecificCredential:
    credential = found.service_specific_credentials.get(credential_id)
    if credential is None:
        raise errors.NoSuchEntityException(f"No such credential {credential_id} exists")
    return credential


def _credential_output(found: User, credential: ServiceSpecificCredential, *, password: bool) -> dict[str, Any]:
    output: dict[str, Any] = {
        "UserName": found.user_name, "Status": credential.status, "ServiceUserName": credential.service_user_name,
        "CreateDate": credential.create_date, "ServiceSpecificCredentialId": credential.service_specific_credential_id,
        "ServiceName": credential.service_name,
    }
    if password:
        output["ServicePassword"] = credential.service_password
    return output


def _service_password() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")


@ops.operation
def create_service_specific_credential(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = user(ctx, request["UserName"])
    service = request["ServiceName"]
    if service not in _CREDENTIAL_SERVICES:
        raise errors.ServiceNotSupportedException(f"Service {service} is not supported for service-specific "
                                                  "credentials.")
    if sum(c.service_name == service for c in found.service_specific_credentials.values()) >= MAX_SERVICE_CREDENTIALS:
        raise quota("ServiceSpecificCredentialsPerUserPerService", MAX_SERVICE_CREDENTIALS)
    credential = ServiceSpecificCredential(
        service_specific_credential_id=new_id("service_credential"), service_name=service,
        service_user_name=f"{found.user_name}-at-{ctx.scope.account}"[:200], service_password=_service_password(),
        create_date=now(ctx))
    found.service_specific_credentials[credential.service_specific_credential_id] = credential
    return {"ServiceSpecificCredential": _credential_output(found, credential, password=True)}


@ops.operation
def list_service_specific_credentials(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = caller_user(ctx, request.get("UserName"))
    wanted = request.get("ServiceName")
    items = [_credential_output(found, c, password=False) for c in found.service_specific_credentials.values()
             if wanted is None or c.service_name == wanted] if found is not None else []
    return {"ServiceSpecificCredentials": items}


@ops.operation
def update_service_specific_credential(ctx: IamContext, request: dict[str, Any]) -> None:
    found = request_user(ctx, request)
    _service_credential(found, request["ServiceSpecificCredentialId"]).status = request["Status"]


@ops.operation
def reset_service_specific_credential(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = request_user(ctx, request)
    credential = _service_credential(found, request["ServiceSpecificCredentialId"])
    credential.service_password = _service_password()
    return {"ServiceSpecificCredential": _credential_output(found, credential, password=True)}


@ops.operation
def delete_service_specific_credential(ctx: IamContext, request: dict[str, Any]) -> None:
    found = request_user(ctx, request)
    credential = _service_credential(found, request["ServiceSpecificCredentialId"])
    del found.service_specific_credentials[credential.service_specific_credential_id]



@ops.operation
def change_password(ctx: IamContext, request: dict[str, Any]) -> None:
    """An IAM user changes its own console password (the root has no login profile here)."""
    found = caller_user(ctx, None)
    if found is None:
        raise errors.InvalidUserTypeException("Only an IAM user can change its own password with ChangePassword.")
    profile = _profile(found)
    if request["OldPassword"] != profile.password:
        raise errors.InvalidInputException("The old password is incorrect.")
    check_password(ctx.state.password_policy, request["NewPassword"])
    profile.password, profile.password_reset_required = request["NewPassword"], False
