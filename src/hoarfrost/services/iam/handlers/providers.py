"""Identity providers: OpenID Connect (URL, audiences, thumbprints) and SAML (metadata)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree

from hoarfrost.services.iam.errors import errors
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    now,
    remove_tags,
    request_tags,
    tags_page,
    with_tags,
)
from hoarfrost.services.iam.state import OpenIdConnectProvider, SamlProvider

MAX_THUMBPRINTS = 5
MAX_CLIENT_IDS = 100


# -- OpenID Connect ---------------------------------------------------------------------------------
def _oidc(ctx: IamContext, arn: str) -> OpenIdConnectProvider:
    found = ctx.state.oidc_providers.get(arn)
    if found is None:
        raise errors.NoSuchEntityException(f"OpenIDConnect Provider not found for arn {arn}")
    return found


def _thumbprints(values: list[str]) -> list[str]:
    if len(values) > MAX_THUMBPRINTS:
        raise errors.InvalidInputException(f"Thumbprint list must contain fewer than {MAX_THUMBPRINTS + 1} entries.")
    for value in values:
        if len(value) != 40 or any(c not in "0123456789abcdefABCDEF" for c in value):
            raise errors.InvalidInputException(f"Invalid thumbprint {value}: a thumbprint is 40 hexadecimal digits")
    return list(values)


@ops.operation
def create_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    url = request["Url"]
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise errors.InvalidInputException("Invalid Open ID Connect Provider URL")
    host = url[len("https://"):].rstrip("/")
    backend = ctx.state
    arn = backend.arn(f"oidc-provider/{host}")
    if arn in backend.oidc_providers:
        raise errors.EntityAlreadyExistsException(f"Provider with url {url} already exists.")
    client_ids = list(dict.fromkeys(request.get("ClientIDList") or ()))
    if len(client_ids) > MAX_CLIENT_IDS:
        raise errors.LimitExceededException(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                                            f"{MAX_CLIENT_IDS}")
    created = OpenIdConnectProvider(url=host, arn=arn, client_ids=client_ids,
                                    thumbprints=_thumbprints(request.get("ThumbprintList") or []),
                                    create_date=now(ctx), tags=request_tags(request))
    backend.oidc_providers[arn] = created
    return with_tags({"OpenIDConnectProviderArn": arn}, created.tags)


@ops.operation
def get_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _oidc(ctx, request["OpenIDConnectProviderArn"])
    return with_tags({"Url": found.url, "ClientIDList": found.client_ids, "ThumbprintList": found.thumbprints,
                      "CreateDate": found.create_date}, found.tags)


@ops.operation
def list_open_id_connect_providers(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in sorted(ctx.state.oidc_providers)]}


@ops.operation
def add_client_id_to_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _oidc(ctx, request["OpenIDConnectProviderArn"])
    if request["ClientID"] not in found.client_ids:
        if len(found.client_ids) >= MAX_CLIENT_IDS:
            raise errors.LimitExceededException(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                                                f"{MAX_CLIENT_IDS}")
        found.client_ids.append(request["ClientID"])


@ops.operation
def remove_client_id_from_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _oidc(ctx, request["OpenIDConnectProviderArn"])
    if request["ClientID"] in found.client_ids:
        found.client_ids.remove(request["ClientID"])


@ops.operation
def update_open_id_connect_provider_thumbprint(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _oidc(ctx, request["OpenIDConnectProviderArn"])
    found.thumbprints = _thumbprints(request["ThumbprintList"])


@ops.operation
def delete_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    ctx.state.oidc_providers.pop(request["OpenIDConnectProviderArn"], None)  # AWS: deleting a missing one succeeds


@ops.operation
def tag_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(_oidc(ctx, request["OpenIDConnectProviderArn"]).tags, request)


@ops.operation
def untag_open_id_connect_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(_oidc(ctx, request["OpenIDConnectProviderArn"]).tags, request["TagKeys"])


@ops.operation
def list_open_id_connect_provider_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, _oidc(ctx, request["OpenIDConnectProviderArn"]).tags)


# -- SAML ----------------------------------------------------------------------------------------------
_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
_FOREVER = dt.timedelta(days=365 * 100)


def _metadata(document: str, created: dt.datetime) -> dt.datetime:
    """The document's ``validUntil`` (or a hundred years on when it has none); InvalidInput
    for anything that is not SAML metadata."""
    try:
        root = ElementTree.fromstring(document)
    except (ParseError, ValueError):
        raise errors.InvalidInputException("Could not parse metadata") from None
    if root.tag not in (f"{{{_METADATA_NS}}}EntityDescriptor", f"{{{_METADATA_NS}}}EntitiesDescriptor"):
        raise errors.InvalidInputException("Could not parse metadata: the root element must be a SAML 2.0 "
                                           "EntityDescriptor")
    until = root.get("validUntil")
    if until:
        try:
            return dt.datetime.fromisoformat(until.replace("Z", "+00:00")).replace(microsecond=0)
        except ValueError:
            raise errors.InvalidInputException(f"Could not parse metadata: validUntil {until!r}") from None
    return created + _FOREVER


def _saml(ctx: IamContext, arn: str) -> SamlProvider:
    found = ctx.state.saml_providers.get(arn)
    if found is None:
        raise errors.NoSuchEntityException(f"Manifest not found for arn {arn}")
    return found


@ops.operation
def create_saml_provider(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    backend = ctx.state
    arn = backend.arn(f"saml-provider/{name}")
    if arn in backend.saml_providers:
        raise errors.EntityAlreadyExistsException(f"SAMLProvider {name} already exists")
    created_at = now(ctx)
    document = request["SAMLMetadataDocument"]
    created = SamlProvider(name=name, arn=arn, saml_metadata_document=document, create_date=created_at,
                           valid_until=_metadata(document, created_at), tags=request_tags(request))
    backend.saml_providers[arn] = created
    return with_tags({"SAMLProviderArn": arn}, created.tags)


@ops.operation
def get_saml_provider(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _saml(ctx, request["SAMLProviderArn"])
    return with_tags({"SAMLMetadataDocument": found.saml_metadata_document, "CreateDate": found.create_date,
                      "ValidUntil": found.valid_until}, found.tags)


@ops.operation
def list_saml_providers(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"SAMLProviderList": [{"Arn": item.arn, "ValidUntil": item.valid_until, "CreateDate": item.create_date}
                                 for item in sorted(ctx.state.saml_providers.values(), key=lambda p: p.arn)]}


@ops.operation
def update_saml_provider(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _saml(ctx, request["SAMLProviderArn"])
    document = request.get("SAMLMetadataDocument")
    if document is not None:
        found.valid_until = _metadata(document, found.create_date)
        found.saml_metadata_document = document
    return {"SAMLProviderArn": found.arn}


@ops.operation
def delete_saml_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _saml(ctx, request["SAMLProviderArn"])
    del ctx.state.saml_providers[found.arn]


@ops.operation
def tag_saml_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(_saml(ctx, request["SAMLProviderArn"]).tags, request)


@ops.operation
def untag_saml_provider(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(_saml(ctx, request["SAMLProviderArn"]).tags, request["TagKeys"])


@ops.operation
def list_saml_provider_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, _saml(ctx, request["SAMLProviderArn"]).tags)
