"""SNS's state view: snapshot -> restore onto a fresh Emulator, merge, invalid views, and
notifications after mutating operations only."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.sns.views import SnsStateView
from tests.harness import Harness
from tests.sns.conftest import bodies, make_queue

ACCOUNT, REGION = "123456789012", "us-east-1"
ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}"


def _populate(sns: Any, sqs: Any) -> dict[str, str]:
    topic = sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"},
                             Tags=[{"Key": "team", "Value": "shop"}])["TopicArn"]
    fifo = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    _, queue_arn = make_queue(sqs, "inbox")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "FilterPolicy": json.dumps({"kind": ["big"]}), "RawMessageDelivery": "true"})["SubscriptionArn"]
    pending = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    app = sns.create_platform_application(Name="app", Platform="APNS",
                                          Attributes={"PlatformCredential": "c"})["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t1")["EndpointArn"]
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Promotional"})
    sns.publish(PhoneNumber="+15555550100", Message="hi")
    return {"topic": topic, "fifo": fifo, "sub": sub, "pending": pending, "app": app, "endpoint": endpoint}


def test_snapshot_restores_onto_a_fresh_emulator(aws: Harness) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    names = _populate(sns, sqs)
    view = aws.emulator.service("sns").snapshot(aws.account, aws.region)
    assert isinstance(view, SnsStateView)
    text = view.model_dump_json()
    data = json.loads(text)
    topics = {t["name"]: t for t in data["topics"]}
    assert set(topics) == {"orders", "jobs.fifo"}
    assert topics["orders"]["tags"] == {"team": "shop"}
    subscriptions = {s["subscription_arn"]: s for s in topics["orders"]["subscriptions"]}
    assert subscriptions[names["pending"]]["pending_confirmation"] is True
    assert subscriptions[names["pending"]]["token"]
    assert subscriptions[names["sub"]]["attributes"]["RawMessageDelivery"] == "true"
    assert data["sent_messages"][-1]["body"] == "hi"

    with hoarfrost.mock_aws() as fresh:
        fresh.service("sns").restore(ACCOUNT, REGION, text)
        sqs2 = boto3.client("sqs", region_name=REGION)
        sns2 = boto3.client("sns", region_name=REGION)
        url, _ = make_queue(sqs2, "inbox")
        assert sns2.get_topic_attributes(TopicArn=names["topic"])["Attributes"]["DisplayName"] == "Orders"
        assert sns2.get_topic_attributes(TopicArn=names["topic"])["Attributes"]["SubscriptionsPending"] == "1"
        assert sns2.get_topic_attributes(TopicArn=names["fifo"])["Attributes"]["FifoTopic"] == "true"
        sns2.publish(TopicArn=names["topic"], Message="kept filter",
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "big"}})
        sns2.publish(TopicArn=names["topic"], Message="filtered out",
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "small"}})
        assert [m["Body"] for m in sqs2.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == \
            ["kept filter"]
        token = subscriptions[names["pending"]]["token"]
        assert sns2.confirm_subscription(TopicArn=names["topic"], Token=token)["SubscriptionArn"] == names["pending"]
        assert sns2.get_endpoint_attributes(EndpointArn=names["endpoint"])["Attributes"]["Token"] == "t1"
        assert sns2.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Promotional"}
        again = fresh.service("sns").snapshot(ACCOUNT, REGION)
        assert len(again.sent_messages) == len(view.sent_messages)


def test_merge_adds_and_keeps_existing(aws: Harness) -> None:
    sns = aws.client("sns")
    kept = sns.create_topic(Name="kept", Attributes={"DisplayName": "Kept"})["TopicArn"]
    changed = sns.create_topic(Name="changed")["TopicArn"]
    sub = sns.subscribe(TopicArn=changed, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    service = aws.emulator.service("sns")
    service.merge(aws.account, aws.region, {
        "topics": [
            {"name": "changed", "attributes": {"DisplayName": "Changed"}},
            {"name": "added", "attributes": {}, "subscriptions": [{
                "subscription_arn": f"arn:aws:sns:us-east-1:{aws.account}:added:1111",
                "protocol": "sms", "endpoint": "+15555550111"}]},
        ],
        "sms_attributes": {"DefaultSenderID": "Shop"},
    })
    arns = sorted(t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"])
    assert arns == ["added", "changed", "kept"]
    assert sns.get_topic_attributes(TopicArn=kept)["Attributes"]["DisplayName"] == "Kept"
    assert sns.get_topic_attributes(TopicArn=changed)["Attributes"]["DisplayName"] == "Changed"
    # the existing topic's subscriptions survive a merge that does not mention them
    assert [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=changed)["Subscriptions"]] == [sub]
    added = sns.list_subscriptions_by_topic(TopicArn=f"arn:aws:sns:us-east-1:{aws.account}:added")["Subscriptions"]
    assert [s["Endpoint"] for s in added] == ["+15555550111"]
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSenderID": "Shop"}


@pytest.mark.parametrize(
    "view",
    [
        {"topics": [{"name": "bad name!"}]},
        {"topics": [{"name": "plain.fifo", "attributes": {}}]},
        {"topics": [{"name": "t", "subscriptions": [{
            "subscription_arn": "arn:aws:sns:us-east-1:123456789012:other:1", "protocol": "sqs", "endpoint": "x"}]}]},
        {"topics": [{"name": "t", "subscriptions": [{
            "subscription_arn": "arn:aws:sns:us-east-1:123456789012:t:1", "protocol": "sqs", "endpoint": "x",
            "attributes": {"FilterPolicy": "{\"a\": \"b\"}"}}]}]},
        {"topics": [{"name": "t", "subscriptions": [{
            "subscription_arn": "arn:aws:sns:us-east-1:123456789012:t:1", "protocol": "http",
            "endpoint": "http://x", "pending_confirmation": True}]}]},
        {"platform_applications": [{"platform_application_arn": "arn:aws:sns:us-east-1:123456789012:app/GCM/wrong",
                                    "name": "a", "platform": "GCM"}]},
        {"topics": [{"name": "t", "unknown_field": 1}]},
        {"topics": [{"name": "t", "attributes": {"Policy": "{\"Statement\": [{\"Effect\": \"Maybe\"}]}"}}]},
        {"schema_version": 99},
        # a key named twice would collapse into one resource
        {"topics": [{"name": "t"}, {"name": "t"}]},
        {"topics": [{"name": "t", "subscriptions": [
            {"subscription_arn": f"{ARN}:t:1", "protocol": "sms", "endpoint": "+15555550100"},
            {"subscription_arn": f"{ARN}:t:1", "protocol": "sms", "endpoint": "+15555550101"}]}]},
        {"topics": [{"name": "t", "subscriptions": [  # one subscription once moved into this scope
            {"subscription_arn": f"{ARN}:t:1", "protocol": "sms", "endpoint": "+15555550100"},
            {"subscription_arn": "arn:aws:sns:eu-west-1:210987654321:t:1", "protocol": "sms",
             "endpoint": "+15555550101"}]}]},
        {"platform_applications": [{"platform_application_arn": f"{ARN}:app/GCM/a", "name": "a", "platform": "GCM",
                                    "endpoints": [{"endpoint_arn": f"{ARN}:endpoint/GCM/a/1"},
                                                  {"endpoint_arn": f"{ARN}:endpoint/GCM/a/1"}]}]},
        {"platform_applications": [{"platform_application_arn": f"{ARN}:app/GCM/a", "name": "a", "platform": "GCM",
                                    "endpoints": [{"endpoint_arn": f"{ARN}:endpoint/GCM/b/1"}]}]},
        {"sms_sandbox_phone_numbers": [{"phone_number": "+15555550100"}, {"phone_number": "+15555550100"}]},
        {"origination_numbers": [{"phone_number": "+15555550100"}, {"phone_number": "+15555550100"}]},
        {"origination_numbers": [{"status": "ACTIVE"}]},  # no key
        {"origination_numbers": [{"phone_number": "+15555550100", "PhoneNumber": "+15555550100"}]},
        # a version 1 document that is not one
        {"schema_version": 1, "topics": [{"name": "t"}]},
        {"schema_version": 1, "topics": {"t": []}},
    ],
)
def test_invalid_view_changes_nothing(inprocess: Harness, view: dict[str, Any]) -> None:
    sns = inprocess.client("sns")
    sns.create_topic(Name="existing")
    service = inprocess.emulator.service("sns")
    before = service.snapshot(ACCOUNT, REGION).model_dump()
    for operation in (service.restore, service.merge):
        with pytest.raises(StateViewError) as exc_info:
            operation(ACCOUNT, REGION, view)
        assert exc_info.value.kind == "invalid"
        assert exc_info.value.message.startswith("sns")
    assert service.snapshot(ACCOUNT, REGION).model_dump() == before


def test_notifications_follow_mutations_only(aws: Harness) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    url, queue_arn = make_queue(sqs, "q")
    changes: list[StateChange] = []
    with aws.emulator.service("sns").notifier.subscribe(changes.append):
        topic = sns.create_topic(Name="t")["TopicArn"]
        sns.get_topic_attributes(TopicArn=topic)
        sns.list_topics()
        sns.list_subscriptions()
        sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        sns.publish(TopicArn=topic, Message="m")
        operations = [change.operation for change in changes]
        assert operations == ["CreateTopic", "Subscribe", "Publish"]
        view = changes[0].view()
        assert isinstance(view, SnsStateView) and view.account == aws.account
    assert bodies(sqs, url) == ["m"]
    sns.delete_topic(TopicArn=topic)
    assert len(changes) == 3  # unsubscribed listeners hear nothing


def test_recorded_binary_attributes_survive_a_json_round_trip(inprocess: Harness) -> None:
    sns = inprocess.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
    sns.publish(TopicArn=topic, Message="m", MessageAttributes={
        "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
        "s": {"DataType": "String", "StringValue": "v"}})
    service = inprocess.emulator.service("sns")
    text = service.snapshot(ACCOUNT, REGION).model_dump_json()
    service.restore(ACCOUNT, REGION, text)
    [record] = service.snapshot(ACCOUNT, REGION).sent_messages
    assert record.body == "m" and record.message_attributes["s"] == {"DataType": "String", "StringValue": "v"}
    assert record.message_attributes["bin"]["DataType"] == "Binary"
    assert json.loads(service.snapshot(ACCOUNT, REGION).model_dump_json()) == json.loads(text)


def test_a_view_restores_into_another_account_and_region(inprocess: Harness) -> None:
    sns = inprocess.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    app = sns.create_platform_application(Name="a", Platform="GCM", Attributes={"PlatformCredential": "c"})[
        "PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok")["EndpointArn"]
    service = inprocess.emulator.service("sns")
    service.restore("210987654321", "eu-west-1", service.snapshot(ACCOUNT, REGION))
    other = inprocess.client("sns", region_name="eu-west-1", aws_access_key_id="210987654321",
                             aws_secret_access_key="x")
    moved = topic.replace("us-east-1:123456789012", "eu-west-1:210987654321")
    [listed] = other.list_subscriptions_by_topic(TopicArn=moved)["Subscriptions"]
    assert listed["SubscriptionArn"] == sub.replace("us-east-1:123456789012", "eu-west-1:210987654321")
    moved_endpoint = endpoint.replace("us-east-1:123456789012", "eu-west-1:210987654321")
    assert other.get_endpoint_attributes(EndpointArn=moved_endpoint)["Attributes"]["Token"] == "tok"


def test_a_change_to_another_accounts_topic_notifies_the_owners_scope(aws: Harness) -> None:
    owner = aws.client("sns")
    topic = owner.create_topic(Name="shared")["TopicArn"]
    owner.add_permission(TopicArn=topic, Label="let-other", AWSAccountId=["111122223333"],
                         ActionName=["SetTopicAttributes"])
    other = aws.client("sns", aws_access_key_id="111122223333", aws_secret_access_key="x")
    changes: list[StateChange] = []
    with aws.emulator.service("sns").notifier.subscribe(changes.append):
        other.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Shared")
    assert [(c.account, c.operation) for c in changes] == [(ACCOUNT, "SetTopicAttributes")]
    assert owner.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Shared"


def _json(view: SnsStateView) -> dict[str, Any]:
    return json.loads(view.model_dump_json())  # type: ignore[no-any-return]


def test_a_restored_snapshot_snapshots_the_same(aws: Harness) -> None:
    _populate(aws.client("sns"), aws.client("sqs"))
    original = aws.emulator.service("sns").snapshot(ACCOUNT, REGION)
    fresh = Emulator().service("sns")
    fresh.restore(ACCOUNT, REGION, original.model_dump_json())
    assert _json(fresh.snapshot(ACCOUNT, REGION)) == _json(original)
    fresh.restore(ACCOUNT, REGION, original)  # the view object itself, not its JSON
    assert _json(fresh.snapshot(ACCOUNT, REGION)) == _json(original)


def test_every_collection_is_a_list_of_resources_carrying_their_keys(inprocess: Harness) -> None:
    names = _populate(inprocess.client("sns"), inprocess.client("sqs"))
    inprocess.client("sns").create_sms_sandbox_phone_number(PhoneNumber="+15555550123")
    data = _json(inprocess.emulator.service("sns").snapshot(ACCOUNT, REGION))
    assert [topic["name"] for topic in data["topics"]] == ["orders", "jobs.fifo"]
    [application] = data["platform_applications"]
    assert application["platform_application_arn"] == names["app"]
    assert [endpoint["endpoint_arn"] for endpoint in application["endpoints"]] == [names["endpoint"]]
    assert [entry["phone_number"] for entry in data["sms_sandbox_phone_numbers"]] == ["+15555550123"]


def test_the_json_schema_types_every_resource() -> None:
    schema = SnsStateView.model_json_schema()
    defs = schema["$defs"]
    for field, resource in [("topics", "TopicView"), ("platform_applications", "PlatformApplicationView"),
                            ("sms_sandbox_phone_numbers", "SandboxPhoneNumberView"),
                            ("origination_numbers", "OriginationNumberView"), ("sent_messages", "SentMessageView")]:
        assert schema["properties"][field]["items"] == {"$ref": f"#/$defs/{resource}"}
        assert defs[resource]["properties"] and defs[resource]["additionalProperties"] is False
    assert defs["TopicView"]["properties"]["subscriptions"]["items"] == {"$ref": "#/$defs/SubscriptionView"}
    assert defs["OriginationNumberView"]["properties"]["created_at"]["anyOf"][0]["format"] == "date-time"
    assert defs["SentMessageView"]["properties"]["timestamp"]["format"] == "date-time"

    def untyped(node: Any, path: str) -> list[str]:
        if isinstance(node, list):
            return [p for i, item in enumerate(node) for p in untyped(item, f"{path}[{i}]")]
        if not isinstance(node, dict):
            return []
        found = [path] if node == {} or node.get("additionalProperties") is True or (
            node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node) else []
        return found + [p for key, value in node.items() for p in untyped(value, f"{path}.{key}")]

    assert untyped(schema, "$") == []
    assert SnsStateView().schema_version == SnsStateView.SCHEMA_VERSION == 2  # a view built in code is current


def test_merge_merges_children_by_key_and_keeps_the_indexes(inprocess: Harness) -> None:
    sns = inprocess.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    kept = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    pending = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    service = inprocess.emulator.service("sns")
    [old_token] = [s.token for t in service.snapshot(ACCOUNT, REGION).topics for s in t.subscriptions if s.token]
    app = sns.create_platform_application(Name="a", Platform="GCM", Attributes={"PlatformCredential": "c"})[
        "PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t1")["EndpointArn"]
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550123")
    service.merge(ACCOUNT, REGION, {
        "topics": [{"name": "t", "subscriptions": [
            {"subscription_arn": pending, "protocol": "email", "endpoint": "a@example.com",
             "pending_confirmation": True, "token": "new-token"},
            {"subscription_arn": f"{topic}:added", "protocol": "sms", "endpoint": "+15555550111"}]}],
        "platform_applications": [{"platform_application_arn": app, "name": "a", "platform": "GCM",
                                   "attributes": {"Enabled": "true", "SuccessFeedbackSampleRate": "50"},
                                   "endpoints": [{"endpoint_arn": f"{ARN}:endpoint/GCM/a/added",
                                                  "attributes": {"Token": "t2"}}]}],
        "sms_sandbox_phone_numbers": [{"phone_number": "+15555550124", "status": "Verified"}],
        "origination_numbers": [{"phone_number": "+15555550000", "status": "PENDING"}],
        "opted_out_phone_numbers": ["+15555550199"],
    })
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Endpoint"] for s in listed) == ["+15555550100", "+15555550111", "a@example.com"]
    assert sns.get_subscription_attributes(SubscriptionArn=kept)["Attributes"]["Protocol"] == "sms"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.confirm_subscription(TopicArn=topic, Token=old_token)  # the merged subscription's token replaced it
    assert sns.confirm_subscription(TopicArn=topic, Token="new-token")["SubscriptionArn"] == pending
    endpoints = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert sorted(e["Attributes"]["Token"] for e in endpoints) == ["t1", "t2"]
    assert sns.get_platform_application_attributes(PlatformApplicationArn=app)["Attributes"] == {
        "Enabled": "true", "SuccessFeedbackSampleRate": "50"}  # the view's attributes, PlatformCredential gone
    assert sns.get_endpoint_attributes(EndpointArn=f"{ARN}:endpoint/GCM/a/added")["Attributes"] == {"Token": "t2"}
    sns.publish(TargetArn=endpoint, Message="still reachable")
    assert [n["PhoneNumber"] for n in sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"]] == [
        "+15555550123", "+15555550124"]
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15555550199"]
    service.merge(ACCOUNT, REGION, {"origination_numbers": [{"phone_number": "+15555550000", "status": "ACTIVE"}]})
    assert sns.list_origination_numbers()["PhoneNumbers"] == [{"PhoneNumber": "+15555550000", "Status": "ACTIVE"}]


def test_a_fifo_topics_sequence_survives_a_restore_and_never_goes_back(inprocess: Harness) -> None:
    sns = inprocess.client("sns")
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]

    def publish() -> int:
        return int(sns.publish(TopicArn=topic, Message="m", MessageGroupId="g",
                               MessageDeduplicationId=str(uuid.uuid4()))["SequenceNumber"])

    first = publish()
    service = inprocess.emulator.service("sns")
    service.restore(ACCOUNT, REGION, service.snapshot_json(ACCOUNT, REGION))
    second = publish()
    service.merge(ACCOUNT, REGION, {"topics": [{"name": "jobs.fifo", "attributes": {"FifoTopic": "true"}}]})
    assert first < second < publish()
