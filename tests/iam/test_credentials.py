"""A user's other credentials: login profiles against the password policy, virtual MFA
devices checked with real TOTP codes, SSH keys, signing and server certificates, and
service-specific credentials."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import struct

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.iam.conftest import ACCOUNT, error_of


def _totp(seed: bytes, counter: int) -> str:
    """RFC 6238, written here independently of hoarfrost's."""
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset:offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def _certificate(key=None, days: int = 365) -> tuple[str, str]:
    """A self-signed PEM certificate and its PEM private key."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hoarfrost.test")])
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), pem_key


def test_login_profiles_follow_the_password_policy(iam):
    iam.create_user(UserName="alice")
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="alice", Password="short")
    assert error_of(excinfo) == ("PasswordPolicyViolation", "Password does not conform to the account password "
                                                            "policy.")
    profile = iam.create_login_profile(UserName="alice", Password="Passw0rd!x", PasswordResetRequired=True)[
        "LoginProfile"]
    assert profile["UserName"] == "alice" and profile["PasswordResetRequired"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="alice", Password="Passw0rd!x")
    assert error_of(excinfo) == ("EntityAlreadyExists", "Login Profile for user alice already exists.")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True)
    with pytest.raises(ClientError) as excinfo:
        iam.update_login_profile(UserName="alice", Password="LongEnough123")
    assert error_of(excinfo)[0] == "PasswordPolicyViolation"
    iam.update_login_profile(UserName="alice", Password="LongEnough123!", PasswordResetRequired=False)
    assert not iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"]
    iam.delete_login_profile(UserName="alice")
    with pytest.raises(ClientError) as excinfo:
        iam.get_login_profile(UserName="alice")
    assert error_of(excinfo) == ("NoSuchEntity", "Login Profile for User alice cannot be found.")


def test_virtual_mfa_device_needs_two_consecutive_codes(aws, iam):
    iam.create_user(UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Tags=[{"Key": "k", "Value": "v"}])[
        "VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/phone"
    step = int(aws.emulator.clock.time()) // 30
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="000000",
                              AuthenticationCode2="111111")
    assert error_of(excinfo) == ("InvalidAuthenticationCode", "Authentication code for device is not valid.")
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=_totp(seed, step - 1),
                          AuthenticationCode2=_totp(seed, step))
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "alice"
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(excinfo)[0] == "DeleteConflict"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="alice")
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete MFA devices first.")
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_ssh_public_keys(iam):
    iam.create_user(UserName="alice")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    uploaded = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=body)["SSHPublicKey"]
    assert uploaded["SSHPublicKeyId"].startswith("APKA") and uploaded["Status"] == "Active"
    expected = hashlib.md5(base64.b64decode(body.split()[1])).hexdigest()
    assert uploaded["Fingerprint"].replace(":", "") == expected
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=body)
    assert error_of(excinfo)[0] == "DuplicateSSHPublicKey"
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody="ssh-rsa not-a-key")
    assert error_of(excinfo)[0] == "InvalidPublicKey"
    key_id = uploaded["SSHPublicKeyId"]
    pem = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert pem["SSHPublicKeyBody"].startswith("-----BEGIN PUBLIC KEY-----")
    iam.update_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Status="Inactive")
    assert iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"][0]["Status"] == "Inactive"
    iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"] == []


def test_signing_certificates(iam):
    iam.create_user(UserName="alice")
    body, _ = _certificate()
    certificate = iam.upload_signing_certificate(UserName="alice", CertificateBody=body)["Certificate"]
    assert certificate["Status"] == "Active" and certificate["UserName"] == "alice"
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName="alice", CertificateBody="-----BEGIN CERTIFICATE-----\nxx")
    assert error_of(excinfo)[0] == "MalformedCertificate"
    iam.upload_signing_certificate(UserName="alice", CertificateBody=_certificate()[0])
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName="alice", CertificateBody=_certificate()[0])
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")
    iam.update_signing_certificate(UserName="alice", CertificateId=certificate["CertificateId"], Status="Inactive")
    statuses = sorted(c["Status"] for c in iam.list_signing_certificates(UserName="alice")["Certificates"])
    assert statuses == ["Active", "Inactive"]
    iam.delete_signing_certificate(UserName="alice", CertificateId=certificate["CertificateId"])
    assert len(iam.list_signing_certificates(UserName="alice")["Certificates"]) == 1


def test_server_certificates(iam):
    body, key = _certificate(days=90)
    uploaded = iam.upload_server_certificate(ServerCertificateName="web", Path="/cloudfront/", CertificateBody=body,
                                             PrivateKey=key, Tags=[{"Key": "k", "Value": "v"}])
    metadata = uploaded["ServerCertificateMetadata"]
    assert metadata["ServerCertificateId"].startswith("ASCA")
    assert metadata["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web"
    assert dt.timedelta(days=89) < metadata["Expiration"] - metadata["UploadDate"] < dt.timedelta(days=91)
    _, other_key = _certificate()
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="bad", CertificateBody=body, PrivateKey=other_key)
    assert error_of(excinfo) == ("KeyPairMismatch", "Certificate and private key do not match.")
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=key)
    assert error_of(excinfo)[0] == "EntityAlreadyExists"
    got = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]
    assert got["CertificateBody"] == body.strip() and got["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="www", NewPath="/")
    listed = iam.list_server_certificates()["ServerCertificateMetadataList"]
    assert [(c["ServerCertificateName"], c["Path"]) for c in listed] == [("www", "/")]
    iam.delete_server_certificate(ServerCertificateName="www")
    with pytest.raises(ClientError) as excinfo:
        iam.get_server_certificate(ServerCertificateName="www")
    assert error_of(excinfo) == ("NoSuchEntity", "The Server Certificate with name www cannot be found.")


def test_service_specific_credentials(iam):
    iam.create_user(UserName="alice")
    created = iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]
    assert created["ServiceUserName"] == f"alice-at-{ACCOUNT}" and created["ServicePassword"]
    reset = iam.reset_service_specific_credential(
        UserName="alice", ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"])[
        "ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"]
    listed = iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [created["ServiceSpecificCredentialId"]]
    assert "ServicePassword" not in listed[0]
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(UserName="alice", ServiceName="s3.amazonaws.com")
    assert error_of(excinfo)[0] == "NotSupportedService"
    iam.delete_service_specific_credential(UserName="alice",
                                           ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"])
    assert iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"] == []




def test_a_user_changes_its_own_password(aws, iam):
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!x", PasswordResetRequired=True)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    own = aws.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        own.change_password(OldPassword="wrong-one", NewPassword="N3wPassw0rd!")
    assert error_of(excinfo)[0] == "InvalidInput"
    own.change_password(OldPassword="Passw0rd!x", NewPassword="N3wPassw0rd!")
    assert not iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"]
    with pytest.raises(ClientError) as excinfo:
        iam.change_password(OldPassword="x", NewPassword="y")  # the root
    assert error_of(excinfo)[0] == "InvalidUserType"
