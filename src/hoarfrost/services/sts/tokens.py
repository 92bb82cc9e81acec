"""Tokens STS reads and writes: OIDC JWTs, SAML assertions, authorization messages, trade-in tokens.

hoarfrost does not verify signatures: a web identity token's payload and a SAML assertion's
statements are read as they are, so a test can mint its own tokens without an identity
provider. Expiry (``exp``, ``NotOnOrAfter``) *is* checked, as AWS checks it. Tokens hoarfrost
signs itself (``GetWebIdentityToken``) are real RS256 / ES384 JWTs over a key pair made once
per emulator, so external verifiers can check them against ``StsService.jwks()``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree

from hoarfrost.services.sts.errors import errors

UTC = dt.UTC


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# -- OIDC (AssumeRoleWithWebIdentity) ------------------------------------------------------------
def jwt_claims(token: str, now: dt.datetime) -> dict[str, Any]:
    """The payload of a compact JWT, unverified; a token that is not one is ``InvalidIdentityToken``."""
    parts = token.split(".")
    claims: Any = None
    if len(parts) == 3:
        try:
            claims = json.loads(b64url_decode(parts[1]))
        except (ValueError, binascii.Error):
            claims = None
    if not isinstance(claims, dict):
        raise errors.InvalidIdentityTokenException(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and exp <= now.timestamp():
        current = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        expired = dt.datetime.fromtimestamp(exp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise errors.ExpiredTokenException(
            f"Token expired: current date/time {current} must be before the expiration date/time {expired}"
        )
    if not claims.get("sub") or not claims.get("iss"):
        raise errors.InvalidIdentityTokenException("The ID Token provided is missing the 'sub' or 'iss' claim")
    return claims


def issuer_host(issuer: str) -> str:
    """``Provider`` as STS answers it: the issuer without its scheme."""
    return issuer.split("://", 1)[-1].rstrip("/")


def first_audience(claims: dict[str, Any]) -> str | None:
    audience = claims.get("aud")
    if isinstance(audience, list):
        audience = audience[0] if audience else None
    return claims.get("azp") or audience


# -- SAML (AssumeRoleWithSAML) -----------------------------------------------------------------------
_NS = {
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
}
_ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
_SHORT_FORMATS = {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
}


@dataclass(slots=True)
class SamlAssertion:
    """What STS reads from a SAML response: subject, issuer, recipient and AWS's attributes."""

    issuer: str | None = None
    subject: str | None = None
    subject_type: str | None = None
    audience: str | None = None
    not_on_or_after: dt.datetime | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def attribute(self, name: str) -> str | None:
        values = self.attributes.get(_ATTRIBUTES + name)
        return values[0] if values else None

    def principal_tags(self) -> dict[str, str]:
        prefix = _ATTRIBUTES + "PrincipalTag:"
        return {name[len(prefix):]: values[0] for name, values in self.attributes.items()
                if name.startswith(prefix) and values}

    def transitive_tag_keys(self) -> list[str]:
        return self.attributes.get(_ATTRIBUTES + "TransitiveTagKeys", [])

    def name_qualifier(self, account: str, provider_name: str) -> str:
        """AWS's documented NameQualifier: base64(sha1(issuer + account + "/" + provider name))."""
        digest = hashlib.sha1(f"{self.issuer or ''}{account}/{provider_name}".encode()).digest()
        return base64.b64encode(digest).decode("ascii")


def _text(element: Any) -> str | None:
    return element.text.strip() if element is not None and element.text else None


def parse_saml(encoded: str, now: dt.datetime) -> SamlAssertion:
    """A base64 SAML response (or bare assertion), read defensively; garbage is ``InvalidIdentityToken``."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except Exception as exc:  # base64, XML or a forbidden DTD/entity: all the same to the caller
        raise errors.InvalidIdentityTokenException(
            "Invalid base64 SAMLResponse (or it is not a SAML response)") from exc
    assertion = root if root.tag == f"{{{_NS['saml']}}}Assertion" else root.find("saml:Assertion", _NS)
    if assertion is None:
        raise errors.InvalidIdentityTokenException("Response does not contain a SAML Assertion")
    parsed = SamlAssertion(issuer=_text(assertion.find("saml:Issuer", _NS)) or _text(root.find("saml:Issuer", _NS)))
    name_id = assertion.find("saml:Subject/saml:NameID", _NS)
    if name_id is not None:
        parsed.subject = _text(name_id)
        name_format = name_id.get("Format")
        parsed.subject_type = _SHORT_FORMATS.get(name_format or "", name_format)
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", _NS)
    if confirmation is not None:
        parsed.audience = confirmation.get("Recipient")
        parsed.not_on_or_after = _saml_time(confirmation.get("NotOnOrAfter"))
    if parsed.audience is None:
        parsed.audience = _text(assertion.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", _NS))
    conditions = assertion.find("saml:Conditions", _NS)
    if parsed.not_on_or_after is None and conditions is not None:
        parsed.not_on_or_after = _saml_time(conditions.get("NotOnOrAfter"))
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", _NS):
        values = [_text(value) or "" for value in attribute.iterfind("saml:AttributeValue", _NS)]
        parsed.attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    if parsed.not_on_or_after is not None and parsed.not_on_or_after <= now:
        raise errors.ExpiredTokenException("Response is expired: NotOnOrAfter has passed")
    return parsed


def _saml_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# -- JSON documents hoarfrost mints (authorization messages, trade-in tokens) ---------------------------
def encode_document(document: dict[str, Any]) -> str:
    """A base64url JSON document: the form of hoarfrost's authorization messages and trade-in tokens."""
    return b64url_encode(json.dumps(document, separators=(",", ":")).encode("utf-8"))


def decode_document(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(b64url_decode(text.strip()))
    except (ValueError, binascii.Error):
        return None
    return document if isinstance(document, dict) else None


# -- signing (GetWebIdentityToken) --------------------------------------------------------------------
class JwtSigner:
    """One RS256 and one ES384 key pair, made on first use (RSA key generation takes a moment)."""

    def __init__(self, key_id_seed: str) -> None:
        self._seed = key_id_seed
        self._keys: dict[str, Any] = {}

    def _key(self, algorithm: str) -> Any:
        key = self._keys.get(algorithm)
        if key is None:
            from cryptography.hazmat.primitives.asymmetric import ec, rsa

            if algorithm == "RS256":
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            else:
                key = ec.generate_private_key(ec.SECP384R1())
            self._keys[algorithm] = key
        return key

    def key_id(self, algorithm: str) -> str:
        return hashlib.sha256(f"{self._seed}/{algorithm}".encode()).hexdigest()[:32]

    def sign(self, claims: dict[str, Any], algorithm: str) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        header = {"alg": algorithm, "typ": "JWT", "kid": self.key_id(algorithm)}
        signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(json.dumps(claims).encode())}"
        key = self._key(algorithm)
        if algorithm == "RS256":
            signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        else:  # ES384: JWS wants r || s, 48 bytes each
            r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA384())))
            signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
        return f"{signing_input}.{b64url_encode(signature)}"

    def jwks(self) -> dict[str, Any]:
        """The public keys of every algorithm used so far, as a JWK set."""
        keys = []
        for algorithm, key in self._keys.items():
            public = key.public_key().public_numbers()
            if algorithm == "RS256":
                keys.append({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.key_id(algorithm),
                             "n": b64url_encode(public.n.to_bytes((public.n.bit_length() + 7) // 8, "big")),
                             "e": b64url_encode(public.e.to_bytes(3, "big"))})
            else:
                keys.append({"kty": "EC", "alg": "ES384", "use": "sig", "crv": "P-384", "kid": self.key_id(algorithm),
                             "x": b64url_encode(public.x.to_bytes(48, "big")),
                             "y": b64url_encode(public.y.to_bytes(48, "big"))})
        return {"keys": keys}


def trade_in_token(principal_arn: str, expires_at: float) -> str:
    """A trade-in token GetDelegatedAccessToken accepts until ``expires_at`` (epoch seconds on
    the emulator's clock): hoarfrost's stand-in for the one a delegating service hands out (AWS
    has no public API that mints them)."""
    return encode_document({"principal": principal_arn, "exp": int(expires_at)})
