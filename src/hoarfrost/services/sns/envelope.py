"""The JSON envelope SNS wraps a message in, and its signature.

Every Emulator signs with its own RSA key (made on first use) and a self-signed certificate
for it, so a subscriber that verifies SNS signatures can check hoarfrost's messages the same
way it checks AWS's: fetch the PEM at ``SigningCertURL``, build the string to sign from the
envelope's fields (``string_to_sign``), verify with PKCS#1 v1.5 and SHA1
(``SignatureVersion`` 1) or SHA256 (``SignatureVersion`` 2).

``SigningCertURL`` points at ``<base>/_hoarfrost/sns/SimpleNotificationService-hoarfrost.pem``
where ``<base>`` is the emulator's base URL (``Settings.base_url``, else the address the
request came in on). The PEM itself is ``SnsService.signing_certificate_pem()``.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
from typing import Any

CERT_PATH = "/_hoarfrost/sns/SimpleNotificationService-hoarfrost.pem"

# The fields signed, in order, per message type (AWS's documented lists).
_SIGNED_NOTIFICATION = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SIGNED_CONFIRMATION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")

_CERT_NOT_BEFORE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_CERT_NOT_AFTER = datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC)


def timestamp(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def string_to_sign(envelope: dict[str, Any]) -> bytes:
    """``Name\\nValue\\n`` for each signed field present, in AWS's order."""
    names = _SIGNED_NOTIFICATION if envelope.get("Type") == "Notification" else _SIGNED_CONFIRMATION
    parts = []
    for name in names:
        value = envelope.get(name)
        if value is not None:
            parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


class Signer:
    """A per-emulator RSA key and self-signed certificate, created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Any = None
        self._cert_pem: bytes | None = None

    def _ensure(self) -> None:
        if self._key is not None:
            return
        with self._lock:
            made: Any = self._key  # re-read: another thread may have made it while this one waited
            if made is not None:
                return
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import rsa
            from cryptography.x509.oid import NameOID

            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = x509.Name([
                x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hoarfrost"),
            ])
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                # A fixed, wide window: validity is checked by verifiers against real time,
                # whatever the emulator's clock says.
                .not_valid_before(_CERT_NOT_BEFORE)
                .not_valid_after(_CERT_NOT_AFTER)
                .sign(key, hashes.SHA256())
            )
            self._cert_pem = cert.public_bytes(serialization.Encoding.PEM)
            self._key = key

    @property
    def certificate_pem(self) -> bytes:
        self._ensure()
        assert self._cert_pem is not None
        return self._cert_pem

    def sign(self, envelope: dict[str, Any]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        self._ensure()
        digest = hashes.SHA256() if envelope.get("SignatureVersion") == "2" else hashes.SHA1()
        signature = self._key.sign(string_to_sign(envelope), padding.PKCS1v15(), digest)
        return base64.b64encode(signature).decode("ascii")


def verify(envelope: dict[str, Any], certificate_pem: bytes) -> bool:
    """Check an envelope's signature the way an SNS subscriber does."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    public_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):  # SNS signs with RSA only
        return False
    digest = hashes.SHA256() if envelope.get("SignatureVersion") == "2" else hashes.SHA1()
    try:
        public_key.verify(
            base64.b64decode(envelope["Signature"]), string_to_sign(envelope), padding.PKCS1v15(), digest,
        )
    except (InvalidSignature, KeyError, ValueError):
        return False
    return True


def envelope_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Message attributes as the envelope shows them: ``{name: {Type, Value}}``, binary in base64."""
    shown: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType", "String")
        if data_type.startswith("Binary"):
            raw = attribute.get("BinaryValue") or b""
            value = base64.b64encode(raw if isinstance(raw, bytes) else str(raw).encode()).decode("ascii")
        else:
            value = attribute.get("StringValue", "")
        shown[name] = {"Type": data_type, "Value": value}
    return shown


# The links are AWS's, ARNs written as they are (``?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:...``):
# hoarfrost's router knows them for SNS's by the ARN they carry, as AWS does by its host name.
def unsubscribe_url(base_url: str, subscription_arn: str) -> str:
    return f"{base_url}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"


def subscribe_url(base_url: str, topic_arn: str, token: str) -> str:
    return f"{base_url}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"


def notification(
    signer: Signer, *, message_id: str, topic_arn: str, message: str, subject: str | None, sent_at: float,
    base_url: str, subscription_arn: str, attributes: dict[str, dict[str, Any]], signature_version: str = "1",
    sequence_number: str | None = None,
) -> dict[str, Any]:
    """The ``Notification`` envelope, signed, with AWS's member order."""
    envelope: dict[str, Any] = {"Type": "Notification", "MessageId": message_id}
    if sequence_number is not None:
        envelope["SequenceNumber"] = sequence_number
    envelope["TopicArn"] = topic_arn
    if subject is not None:
        envelope["Subject"] = subject
    envelope["Message"] = message
    envelope["Timestamp"] = timestamp(sent_at)
    envelope["SignatureVersion"] = signature_version
    envelope["Signature"] = signer.sign(envelope)
    envelope["SigningCertURL"] = base_url + CERT_PATH
    envelope["UnsubscribeURL"] = unsubscribe_url(base_url, subscription_arn)
    if attributes:
        envelope["MessageAttributes"] = envelope_attributes(attributes)
    return envelope


def confirmation(
    signer: Signer, *, kind: str, message_id: str, topic_arn: str, token: str, sent_at: float, base_url: str,
    signature_version: str = "1",
) -> dict[str, Any]:
    """A ``SubscriptionConfirmation`` or ``UnsubscribeConfirmation`` envelope, signed."""
    if kind == "SubscriptionConfirmation":
        text = (f"You have chosen to subscribe to the topic {topic_arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message.")
    else:
        text = (f"You have chosen to deactivate subscription to the topic {topic_arn}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL included in "
                "this message.")
    envelope: dict[str, Any] = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": topic_arn,
        "Message": text,
        "SubscribeURL": subscribe_url(base_url, topic_arn, token),
        "Timestamp": timestamp(sent_at),
        "SignatureVersion": signature_version,
    }
    envelope["Signature"] = signer.sign(envelope)
    envelope["SigningCertURL"] = base_url + CERT_PATH
    return envelope


def dumps(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, ensure_ascii=False)
