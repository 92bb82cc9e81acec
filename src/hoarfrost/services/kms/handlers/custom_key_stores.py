"""Custom key stores (CloudHSM clusters and external key store proxies). hoarfrost has no
CloudHSM cluster and reaches no external proxy, so these operations answer what KMS answers
when the cluster or proxy cannot be found, and no custom key store ever exists."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.kms.errors import errors, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import KmsContext


def _no_store(request: dict[str, Any]) -> Exception:
    return errors.CustomKeyStoreNotFoundException(f"Custom key store {request.get('CustomKeyStoreId')} does not exist.")


@ops.operation
def create_custom_key_store(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    kind = request.get("CustomKeyStoreType") or "AWS_CLOUDHSM"
    if kind == "EXTERNAL_KEY_STORE":
        if not request.get("XksProxyUriEndpoint"):
            raise validation("XksProxyUriEndpoint is required for an EXTERNAL_KEY_STORE custom key store.")
        raise errors.XksProxyUriUnreachableException(
            f"KMS cannot communicate with the external key store proxy at {request['XksProxyUriEndpoint']}.")
    cluster = request.get("CloudHsmClusterId")
    if not cluster:
        raise validation("CloudHsmClusterId is required for an AWS_CLOUDHSM custom key store.")
    raise errors.CloudHsmClusterNotFoundException(f"AWS CloudHSM cluster {cluster} was not found.")


@ops.operation
def describe_custom_key_stores(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("CustomKeyStoreId"):
        raise _no_store(request)
    if request.get("CustomKeyStoreName"):
        raise errors.CustomKeyStoreNotFoundException(
            f"Custom key store {request['CustomKeyStoreName']} does not exist.")
    return {"CustomKeyStores": [], "Truncated": False}


@ops.operation
def connect_custom_key_store(ctx: KmsContext, request: dict[str, Any]) -> None:
    raise _no_store(request)


@ops.operation
def disconnect_custom_key_store(ctx: KmsContext, request: dict[str, Any]) -> None:
    raise _no_store(request)


@ops.operation
def delete_custom_key_store(ctx: KmsContext, request: dict[str, Any]) -> None:
    raise _no_store(request)


@ops.operation
def update_custom_key_store(ctx: KmsContext, request: dict[str, Any]) -> None:
    raise _no_store(request)
