"""Server certificates (for load balancers and CloudFront): upload with the key checked against
the certificate, get / list / rename / delete, tags. The private key is checked, never kept."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization

from hoarfrost.services.iam.errors import errors
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    now,
    page,
    remove_tags,
    request_tags,
    tags_page,
    under,
    with_tags,
)
from hoarfrost.services.iam.handlers.credentials import load_certificate
from hoarfrost.services.iam.state import ServerCertificate, folded, new_id


def _certificate(ctx: IamContext, name: str) -> ServerCertificate:
    found = ctx.state.server_certificates.get(folded(name))
    if found is None:
        raise errors.NoSuchEntityException(f"The Server Certificate with name {name} cannot be found.")
    return found


def _metadata(item: ServerCertificate) -> dict[str, Any]:
    return {"Path": item.path, "ServerCertificateName": item.server_certificate_name,
            "ServerCertificateId": item.server_certificate_id, "Arn": item.arn, "UploadDate": item.upload_date,
            "Expiration": item.expiration}


def _check_key(certificate_body: str, private_key: str) -> None:
    certificate = load_certificate(certificate_body)
    try:
        key = serialization.load_pem_private_key(private_key.strip().encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise errors.MalformedCertificateException("Private key is malformed or invalid.") from None
    mine = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise errors.KeyPairMismatchException("Certificate and private key do not match.")


@ops.operation
def upload_server_certificate(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["ServerCertificateName"], request.get("Path") or "/"
    backend = ctx.state
    if folded(name) in backend.server_certificates:
        raise errors.EntityAlreadyExistsException(f"The Server Certificate with name {name} already exists.")
    body = request["CertificateBody"].strip()
    _check_key(body, request["PrivateKey"])
    chain = request.get("CertificateChain")
    if chain:
        load_certificate(chain)
    created = ServerCertificate(
        server_certificate_name=name, server_certificate_id=new_id("server_certificate"), path=path,
        arn=backend.arn(f"server-certificate{path}{name}"), certificate_body=body, certificate_chain=chain,
        upload_date=now(ctx), expiration=load_certificate(body).not_valid_after_utc, tags=request_tags(request))
    backend.server_certificates[folded(name)] = created
    return with_tags({"ServerCertificateMetadata": _metadata(created)}, created.tags)


@ops.operation
def get_server_certificate(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _certificate(ctx, request["ServerCertificateName"])
    output: dict[str, Any] = {"ServerCertificateMetadata": _metadata(found), "CertificateBody": found.certificate_body}
    if found.certificate_chain:
        output["CertificateChain"] = found.certificate_chain
    return {"ServerCertificate": with_tags(output, found.tags)}


@ops.operation
def list_server_certificates(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix")
    items = [_metadata(item) for item in ctx.state.server_certificates.values() if under(item.path, prefix)]
    return page(ctx, request, items, lambda item: folded(item["ServerCertificateName"]),
                "ServerCertificateMetadataList")


@ops.operation
def update_server_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    backend = ctx.state
    found = _certificate(ctx, request["ServerCertificateName"])
    new_name = request.get("NewServerCertificateName") or found.server_certificate_name
    new_path = request.get("NewPath") or found.path
    if folded(new_name) != folded(found.server_certificate_name):
        if folded(new_name) in backend.server_certificates:
            raise errors.EntityAlreadyExistsException(f"The Server Certificate with name {new_name} already exists.")
        del backend.server_certificates[folded(found.server_certificate_name)]
        backend.server_certificates[folded(new_name)] = found
    found.server_certificate_name, found.path = new_name, new_path
    found.arn = backend.arn(f"server-certificate{new_path}{new_name}")


@ops.operation
def delete_server_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    found = _certificate(ctx, request["ServerCertificateName"])
    del ctx.state.server_certificates[folded(found.server_certificate_name)]


@ops.operation
def tag_server_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(_certificate(ctx, request["ServerCertificateName"]).tags, request)


@ops.operation
def untag_server_certificate(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(_certificate(ctx, request["ServerCertificateName"]).tags, request["TagKeys"])


@ops.operation
def list_server_certificate_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, _certificate(ctx, request["ServerCertificateName"]).tags)
