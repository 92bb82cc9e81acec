"""Corrections to botocore's service models, applied once as each model is loaded.

Where a model is wrong or silent about what the real service sends, the fact is written here,
as data, and merged into the model's JSON description before botocore builds its
``ServiceModel`` (``catalog.service_model``) or the router indexes its metadata
(``route_index``). Protocols and router then read it like any other model field, so they hold
no service names, and nothing is decided per request.

A patch sets botocore's own fields where they exist (an output shape's ``locationName`` names
its root element; an error shape's ``error`` carries its code and status) and otherwise these
metadata keys of hoarfrost's own, each read in one place:

==========================  ======================================================================
``ERROR_STYLE``             ``"bare"``: rest-xml errors are ``<Error>`` at the root with RequestId
                            and HostId inside, no namespace (S3); else the ``<ErrorResponse>`` envelope.
``REQUEST_ID_HEADERS``      response headers that carry the request id (default ``x-amzn-requestid``).
``VALIDATION_ERROR_CODE``   the code of a request that does not parse or validate, where it
                            differs from the protocol's usual one.
``LEGACY_PROTOCOLS``        protocols the service still answers though its model no longer lists them.
``VIRTUAL_HOST_LABEL``      the URI label a virtual-hosted-style host name carries
                            (``bucket.s3.amazonaws.com`` -> ``Bucket``).
``ANONYMOUS_FALLBACK``      an unsigned request that names no service is tried as this one.
``ERROR_TYPE_NAMESPACE``    the Smithy namespace the json family prefixes to an error's type
                            (``com.amazonaws.sqs#QueueDoesNotExist``), for services that send it.
==========================  ======================================================================
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypedDict

ERROR_STYLE = "errorStyle"
REQUEST_ID_HEADERS = "requestIdHeaders"
VALIDATION_ERROR_CODE = "validationErrorCode"
LEGACY_PROTOCOLS = "legacyProtocols"
VIRTUAL_HOST_LABEL = "virtualHostLabel"
ANONYMOUS_FALLBACK = "anonymousFallback"
ERROR_TYPE_NAMESPACE = "errorTypeNamespace"


class ModelPatch(TypedDict, total=False):
    metadata: dict[str, Any]  # keys set on the model's metadata
    shapes: dict[str, dict[str, Any]]  # shape name -> keys set on that shape (if the model has it)
    # Operations the service has that botocore does not model (S3's browser-form POST Object),
    # with the shapes they name: added only where the model has none of that name.
    operations: dict[str, dict[str, Any]]
    new_shapes: dict[str, dict[str, Any]]


_S3_REQUEST_IDS = ["x-amz-request-id", "x-amz-id-2"]
_IVS_ARN = "arn:aws:{service}:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+"


def _root(element: str) -> dict[str, Any]:
    return {"locationName": element}


def _query_error(code: str, status: int = 400) -> dict[str, Any]:
    return {"error": {"code": code, "httpStatusCode": status, "senderFault": True}}


PATCHES: dict[str, ModelPatch] = {
    "s3": {
        "metadata": {
            ERROR_STYLE: "bare",
            REQUEST_ID_HEADERS: _S3_REQUEST_IDS,
            VALIDATION_ERROR_CODE: "InvalidArgument",
            VIRTUAL_HOST_LABEL: "Bucket",
            # Public objects and browser upload forms reach S3 unsigned, often at localhost.
            ANONYMOUS_FALLBACK: True,
        },
        # POST Object: the HTML form upload (presigned POST) no SDK sends, so botocore has no
        # operation for it; the body is the multipart/form-data the S3 handler reads itself.
        "operations": {
            "PostObject": {"name": "PostObject", "http": {"method": "POST", "requestUri": "/{Bucket}"},
                           "input": {"shape": "PostObjectRequest"}, "output": {"shape": "PostObjectOutput"}},
        },
        "new_shapes": {
            "PostObjectRequest": {
                "type": "structure", "required": ["Bucket"], "payload": "Body",
                "members": {"Bucket": {"shape": "BucketName", "location": "uri", "locationName": "Bucket"},
                            "Body": {"shape": "Body", "streaming": True}},
            },
            # The document a success_action_status of 201 answers (the others answer no body).
            "PostObjectOutput": {
                "type": "structure", "payload": "PostResponse",
                "members": {"PostResponse": {"shape": "PostResponse"}},
            },
            "PostResponse": {
                "type": "structure",
                "members": {"Location": {"shape": "Location"}, "Bucket": {"shape": "BucketName"},
                            "Key": {"shape": "ObjectKey"}, "ETag": {"shape": "ETag"}},
            },
        },
        # Output documents whose root element the model does not name (S3 API reference).
        "shapes": {
            "CompleteMultipartUploadOutput": _root("CompleteMultipartUploadResult"),
            "CreateMultipartUploadOutput": _root("InitiateMultipartUploadResult"),
            "CreateSessionOutput": _root("CreateSessionResult"),
            "DeleteObjectsOutput": _root("DeleteResult"),
            "GetBucketAccelerateConfigurationOutput": _root("AccelerateConfiguration"),
            "GetBucketAclOutput": _root("AccessControlPolicy"),
            "GetBucketCorsOutput": _root("CORSConfiguration"),
            "GetBucketLifecycleOutput": _root("LifecycleConfiguration"),
            "GetBucketLifecycleConfigurationOutput": _root("LifecycleConfiguration"),
            "GetBucketLocationOutput": _root("LocationConstraint"),
            "GetBucketLoggingOutput": _root("BucketLoggingStatus"),
            "NotificationConfigurationDeprecated": _root("NotificationConfiguration"),
            "GetBucketRequestPaymentOutput": _root("RequestPaymentConfiguration"),
            "GetBucketTaggingOutput": _root("Tagging"),
            "GetBucketVersioningOutput": _root("VersioningConfiguration"),
            "GetBucketWebsiteOutput": _root("WebsiteConfiguration"),
            "GetObjectAclOutput": _root("AccessControlPolicy"),
            "GetObjectAttributesOutput": _root("GetObjectAttributesResponse"),
            "GetObjectTaggingOutput": _root("Tagging"),
            "ListBucketAnalyticsConfigurationsOutput": _root("ListBucketAnalyticsConfigurationResult"),
            "ListBucketInventoryConfigurationsOutput": _root("ListInventoryConfigurationsResult"),
            "ListBucketMetricsConfigurationsOutput": _root("ListMetricsConfigurationsResult"),
            "ListBucketsOutput": _root("ListAllMyBucketsResult"),
            "ListDirectoryBucketsOutput": _root("ListAllMyDirectoryBucketsResult"),
            "ListMultipartUploadsOutput": _root("ListMultipartUploadsResult"),
            "ListObjectVersionsOutput": _root("ListVersionsResult"),
            "ListObjectsOutput": _root("ListBucketResult"),
            "ListObjectsV2Output": _root("ListBucketResult"),
            "ListPartsOutput": _root("ListPartsResult"),
        },
    },
    "s3control": {
        "metadata": {REQUEST_ID_HEADERS: _S3_REQUEST_IDS, VALIDATION_ERROR_CODE: "InvalidArgument"},
    },
    "sqs": {
        # SQS moved to json in 2023 and still answers the query protocol older SDKs speak.
        # Its json errors name their types in full (``com.amazonaws.sqs#QueueDoesNotExist``), and
        # its query answers keep the namespace of the service's first host name.
        "metadata": {LEGACY_PROTOCOLS: ["query"], ERROR_TYPE_NAMESPACE: "com.amazonaws.sqs",
                     "xmlNamespace": "http://queue.amazonaws.com/doc/2012-11-05/"},
        # The query-era codes and statuses, which the json model dropped (botocore matches SQS
        # errors by shape name); the query wire and x-amzn-query-error still carry them.
        "shapes": {
            "QueueDoesNotExist": _query_error("AWS.SimpleQueueService.NonExistentQueue"),
            "QueueDeletedRecently": _query_error("AWS.SimpleQueueService.QueueDeletedRecently"),
            "QueueNameExists": _query_error("QueueAlreadyExists"),
            "PurgeQueueInProgress": _query_error("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
            "BatchEntryIdsNotDistinct": _query_error("AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
            "BatchRequestTooLong": _query_error("AWS.SimpleQueueService.BatchRequestTooLong"),
            "EmptyBatchRequest": _query_error("AWS.SimpleQueueService.EmptyBatchRequest"),
            "InvalidBatchEntryId": _query_error("AWS.SimpleQueueService.InvalidBatchEntryId"),
            "TooManyEntriesInBatchRequest": _query_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
            "MessageNotInflight": _query_error("AWS.SimpleQueueService.MessageNotInflight"),
            "UnsupportedOperation": _query_error("AWS.SimpleQueueService.UnsupportedOperation"),
            "ReceiptHandleIsInvalid": _query_error("ReceiptHandleIsInvalid"),
            "InvalidAttributeName": _query_error("InvalidAttributeName"),
            "InvalidAttributeValue": _query_error("InvalidAttributeValue"),
            "InvalidMessageContents": _query_error("InvalidMessageContents"),
            "OverLimit": _query_error("OverLimit", 403),
            "ResourceNotFoundException": _query_error("ResourceNotFoundException", 404),
            "InvalidAddress": _query_error("InvalidAddress", 404),
        },
    },
    # Members AWS requires (its API references say so, and it answers "Value null at ...") that
    # botocore's model marks optional; without them a handler has nothing to work on.
    "dynamodb": {"shapes": {"CreateTableInput": {"required": ["TableName", "KeySchema"]}}},
    "kms": {"shapes": {"DecryptRequest": {"required": ["CiphertextBlob"]},
                       "ReEncryptRequest": {"required": ["CiphertextBlob", "DestinationKeyId"]}}},
    # The tag operations' ARN pattern allows a one-letter resource type ('[a-z-]/'), which
    # refuses every real IVS ARN (channel/..., stage/...); the service takes its own ARNs.
    "ivs": {"shapes": {"ResourceArn": {"pattern": _IVS_ARN.format(service="ivs")}}},
    "ivs-realtime": {"shapes": {"ResourceArn": {"pattern": _IVS_ARN.format(service="ivs")}}},
    "ivschat": {"shapes": {"ResourceArn": {"pattern": _IVS_ARN.format(service="ivschat")}}},
}


def apply(service: str, description: dict[str, Any]) -> dict[str, Any]:
    """``description`` with the service's patch merged in; the input is left untouched.

    Copy on write, one level deep: botocore's loader caches the description it hands out, and
    a client built from the same loader must keep seeing the model as published. A patched
    shape the installed botocore lacks is skipped, never created; an added operation (and its
    ``new_shapes``) never replaces one botocore has."""
    patch = PATCHES.get(service)
    if patch is None:
        return description
    patched = dict(description)
    if "metadata" in patch:
        patched["metadata"] = {**description.get("metadata", {}), **patch["metadata"]}
    if "shapes" in patch:
        shapes = dict(description.get("shapes", {}))
        for name, changes in patch["shapes"].items():
            shape = shapes.get(name)
            if shape is not None:
                shapes[name] = {**shape, **changes}
        patched["shapes"] = shapes
    if "operations" in patch:
        operations = dict(description.get("operations", {}))
        shapes = dict(patched.get("shapes", {}))
        for name, operation in patch["operations"].items():
            operations.setdefault(name, operation)
        for name, shape in patch.get("new_shapes", {}).items():
            shapes.setdefault(name, shape)
        patched["operations"], patched["shapes"] = operations, shapes
    return patched


def digest() -> str:
    """A short fingerprint of every patch, so caches of patched metadata notice a change."""
    return hashlib.sha1(json.dumps(PATCHES, sort_keys=True).encode()).hexdigest()[:12]
