"""Builders for what STS tests hand the service: unsigned JWTs, SAML responses, clients."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from botocore.config import Config

ROLE_ACCOUNT = "111111111111"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:role/team/deployer"
SAML_PROVIDER_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:saml-provider/Corp"

# Server-side validation is what these tests exercise, so botocore must not stop the call first.
RAW = Config(parameter_validation=False)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned-looking compact JWT: hoarfrost reads the payload, never the signature."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}.c2lnbmF0dXJl"


def oidc_token(**overrides: Any) -> str:
    claims = {"iss": "https://oidc.example.com/id/ABC", "sub": "system:serviceaccount:ns:app",
              "aud": "sts.amazonaws.com", "exp": int(time.time()) + 600}
    claims.update(overrides)
    return jwt(claims)


def saml_response(session_name: str | None = "alice", *, not_on_or_after: str = "2999-01-01T00:00:00Z",
                  extra_attributes: str = "") -> str:
    name_attr = (
        f'<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">'
        f"<saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>"
        if session_name else ""
    )
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
        xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
      <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
      <saml:Assertion>
        <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
        <saml:Subject>
          <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID>
          <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
            <saml:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}"
                Recipient="https://signin.aws.amazon.com/saml"/>
          </saml:SubjectConfirmation>
        </saml:Subject>
        <saml:AttributeStatement>
          {name_attr}
          <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
            <saml:AttributeValue>{ROLE_ARN},{SAML_PROVIDER_ARN}</saml:AttributeValue>
          </saml:Attribute>
          {extra_attributes}
        </saml:AttributeStatement>
      </saml:Assertion>
    </samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def client_for(aws: Any, credentials: dict[str, Any], service: str = "sts", **kwargs: Any) -> Any:
    """A client signing with issued credentials."""
    return aws.client(service, aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"], **kwargs)


def error_of(excinfo: Any) -> tuple[str, str, int]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
