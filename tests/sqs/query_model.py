"""A botocore SQS client that speaks the query protocol, as SDKs did before SQS moved to json.

botocore's current SQS model is json and has dropped the query-era wire names, so this builds
the query model SQS published until 2023 from it: protocol ``query``, ``<Op>Result`` wrappers,
the flattened element names (``Attribute.1.Name``, ``SendMessageBatchRequestEntry.1.Id``,
``<Message>``, ``<QueueUrl>``, ``Tag.1.Key``) and the query error codes. The names below are
those of that published model, written out here rather than derived, so the test does not
share the server's own rule for them.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import boto3
import botocore.session

from tests.harness import ACCESS_KEY, NO_RETRIES, REGION, SECRET_KEY, Harness

LIST_MEMBER_NAMES = {
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "AttributeNameList": "AttributeName",
    "BatchResultErrorEntryList": "BatchResultErrorEntry",
    "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
    "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry",
    "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
    "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry",
    "ListMessageMoveTasksResultEntryList": "ListMessageMoveTasksResultEntry",
    "MessageAttributeNameList": "MessageAttributeName",
    "MessageList": "Message",
    "MessageSystemAttributeList": "MessageSystemAttributeName",
    "QueueUrlList": "QueueUrl",
    "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
    "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry",
    "StringList": "StringListValue",
    "BinaryList": "BinaryListValue",
    "TagKeyList": "TagKey",
}
# map shape -> (element name, key name, value name)
MAP_NAMES = {
    "QueueAttributeMap": ("Attribute", "Name", "Value"),
    "MessageBodyAttributeMap": ("MessageAttribute", "Name", "Value"),
    "MessageSystemAttributeMap": ("Attribute", "Name", "Value"),
    "MessageBodySystemAttributeMap": ("MessageSystemAttribute", "Name", "Value"),
    "TagMap": ("Tag", "Key", "Value"),
}
QUERY_ERROR_CODES = {
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
}


def query_model(json_model: dict[str, Any]) -> dict[str, Any]:
    model = copy.deepcopy(json_model)
    model["metadata"]["protocol"] = "query"
    model["metadata"]["protocols"] = ["query"]
    model["metadata"]["xmlNamespace"] = "http://queue.amazonaws.com/doc/2012-11-05/"
    model["metadata"].pop("awsQueryCompatible", None)
    model["metadata"].pop("jsonVersion", None)
    model["metadata"].pop("targetPrefix", None)
    shapes = model["shapes"]
    for name, operation in model["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{name}Result"
    for name, shape in shapes.items():
        if name in LIST_MEMBER_NAMES:
            shape["member"]["locationName"] = LIST_MEMBER_NAMES[name]
            shape["flattened"] = True
        elif name in MAP_NAMES:
            _element, key, value = MAP_NAMES[name]
            shape["key"]["locationName"] = key
            shape["value"]["locationName"] = value
            shape["flattened"] = True
        elif name in QUERY_ERROR_CODES:
            code, status = QUERY_ERROR_CODES[name]
            shape["error"] = {"code": code, "httpStatusCode": status, "senderFault": True}
    for shape in shapes.values():
        for member in shape.get("members", {}).values():
            target = member["shape"]
            if target in MAP_NAMES:
                member["locationName"] = MAP_NAMES[target][0]
            elif target in LIST_MEMBER_NAMES:
                member["flattened"] = True
    return model


_lock = threading.Lock()
_session: boto3.session.Session | None = None


def _query_session(tmp_dir: Path) -> boto3.session.Session:
    global _session
    with _lock:
        if _session is None:
            reader = botocore.session.get_session().get_component("data_loader")
            json_model = reader.load_service_model("sqs", "service-2")
            core = botocore.session.get_session()
            loader = core.get_component("data_loader")
            target = tmp_dir / "sqs" / "2012-11-05"
            target.mkdir(parents=True, exist_ok=True)
            (target / "service-2.json").write_text(json.dumps(query_model(json_model)))
            loader.search_paths.insert(0, str(tmp_dir))
            _session = boto3.session.Session(botocore_session=core, region_name=REGION,
                                             aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        return _session


def query_client(aws: Harness, tmp_dir: Path) -> Any:
    """An SQS client on the query protocol reaching the harness's emulator."""
    session = _query_session(tmp_dir)
    kwargs: dict[str, Any] = {"region_name": REGION, "config": NO_RETRIES}
    if aws.endpoint_url is not None:
        kwargs["endpoint_url"] = aws.endpoint_url
    with _lock:
        client = session.client("sqs", **kwargs)
    assert client.meta.service_model.protocol == "query"
    return client
