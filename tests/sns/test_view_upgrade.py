"""A view written by the release before record views (schema_version 1: topics keyed by name,
platform applications by ARN, sandbox numbers by phone number, origination numbers in AWS's
member names) still restores, with everything in it intact."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.harness import Harness
from tests.sns.conftest import make_queue

ACCOUNT, REGION = "123456789012", "us-east-1"
ORDERS = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"
JOBS = f"arn:aws:sns:{REGION}:{ACCOUNT}:jobs.fifo"
APP = f"arn:aws:sns:{REGION}:{ACCOUNT}:app/APNS/app"
DROID = f"arn:aws:sns:{REGION}:{ACCOUNT}:app/GCM/droid"

# Captured from the release's own snapshot (topics, a FIFO topic, subscriptions with a filter
# policy and one pending confirmation, platform applications and endpoints, SMS settings, the
# sandbox, an origination number with a member the shape lacks, sent messages with a binary
# attribute), not written by hand.
V1_VIEW = r'''
{
 "schema_version": 1,
 "account": "123456789012",
 "region": "us-east-1",
 "topics": {
  "orders": {
   "attributes": {
    "Policy": "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\",\"SNS:AddPermission\",\"SNS:RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],\"Resource\":\"arn:aws:sns:us-east-1:123456789012:orders\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"123456789012\"}}}]}",
    "DisplayName": "Orders"
   },
   "tags": {
    "team": "shop"
   },
   "data_protection_policy": "{\"Name\": \"p\", \"Version\": \"2021-06-01\", \"Statement\": []}",
   "subscriptions_deleted": 1,
   "subscriptions": [
    {
     "subscription_arn": "arn:aws:sns:us-east-1:123456789012:orders:5725b64c-7200-4004-b55e-01d774610598",
     "protocol": "sqs",
     "endpoint": "arn:aws:sqs:us-east-1:123456789012:inbox",
     "owner": "123456789012",
     "attributes": {
      "FilterPolicy": "{\"kind\": [\"big\"]}",
      "RawMessageDelivery": "true"
     },
     "pending_confirmation": false,
     "token": null,
     "confirmation_was_authenticated": false
    },
    {
     "subscription_arn": "arn:aws:sns:us-east-1:123456789012:orders:a6c55a96-f00a-429f-9714-9d5f210c3bc6",
     "protocol": "email",
     "endpoint": "a@example.com",
     "owner": "123456789012",
     "attributes": {},
     "pending_confirmation": true,
     "token": "89fb2eff3633657b4d58a40e1230bccaa45e808057dad175a667d519753b15fd40aa4b06da886666e636fddb4ea2b9321c3b21a23568bc6f8ac080c4e67b559a",
     "confirmation_was_authenticated": false
    }
   ]
  },
  "jobs.fifo": {
   "attributes": {
    "Policy": "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\",\"SNS:AddPermission\",\"SNS:RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],\"Resource\":\"arn:aws:sns:us-east-1:123456789012:jobs.fifo\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"123456789012\"}}}]}",
    "DisplayName": "",
    "FifoTopic": "true",
    "ContentBasedDeduplication": "true"
   },
   "tags": {},
   "data_protection_policy": null,
   "subscriptions_deleted": 0,
   "subscriptions": [
    {
     "subscription_arn": "arn:aws:sns:us-east-1:123456789012:jobs.fifo:36e3d3c5-2bc6-46f5-a8e8-6c9ad7e2ef1a",
     "protocol": "sqs",
     "endpoint": "arn:aws:sqs:us-east-1:123456789012:jobs.fifo",
     "owner": "123456789012",
     "attributes": {},
     "pending_confirmation": false,
     "token": null,
     "confirmation_was_authenticated": false
    }
   ]
  }
 },
 "platform_applications": {
  "arn:aws:sns:us-east-1:123456789012:app/APNS/app": {
   "name": "app",
   "platform": "APNS",
   "attributes": {
    "Enabled": "true",
    "PlatformCredential": "c"
   },
   "endpoints": [
    {
     "endpoint_arn": "arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/965b91e0-6865-4ffd-bbaa-de60d1a75ceb",
     "attributes": {
      "Enabled": "true",
      "Token": "t1",
      "CustomUserData": "u1"
     }
    },
    {
     "endpoint_arn": "arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/a2a2dbc5-77fd-4cec-92ef-e41fd258e4df",
     "attributes": {
      "Enabled": "true",
      "Token": "t2"
     }
    }
   ]
  },
  "arn:aws:sns:us-east-1:123456789012:app/GCM/droid": {
   "name": "droid",
   "platform": "GCM",
   "attributes": {
    "Enabled": "true",
    "PlatformCredential": "k"
   },
   "endpoints": []
  }
 },
 "sms_attributes": {
  "DefaultSMSType": "Promotional",
  "DefaultSenderID": "Shop"
 },
 "opted_out_phone_numbers": [
  "+15555550199"
 ],
 "sms_sandbox_phone_numbers": {
  "+15555550123": {
   "status": "Pending",
   "language_code": "en-GB",
   "one_time_password": "354317"
  }
 },
 "in_sms_sandbox": false,
 "origination_numbers": [
  {
   "PhoneNumber": "+15555550000",
   "Status": "ACTIVE",
   "Iso2CountryCode": "US",
   "Capabilities": [
    "SMS"
   ],
   "RouteType": "Transactional",
   "NumberCapabilities": [
    "SMS"
   ],
   "CreatedAt": "2024-01-02T03:04:05Z"
  }
 ],
 "sent_messages": [
  {
   "message_id": "3b4810be-3f58-4c87-b225-14c7bb380799",
   "kind": "SubscriptionConfirmation",
   "protocol": "email",
   "endpoint": "a@example.com",
   "body": "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:orders.\nTo confirm the subscription, visit the SubscribeURL included in this message.\n\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aorders&Token=89fb2eff3633657b4d58a40e1230bccaa45e808057dad175a667d519753b15fd40aa4b06da886666e636fddb4ea2b9321c3b21a23568bc6f8ac080c4e67b559a&Version=2010-03-31",
   "timestamp": "2026-12-04T14:16:41.518952Z",
   "topic_arn": "arn:aws:sns:us-east-1:123456789012:orders",
   "subscription_arn": "arn:aws:sns:us-east-1:123456789012:orders:a6c55a96-f00a-429f-9714-9d5f210c3bc6",
   "subject": null,
   "message_attributes": {},
   "headers": {},
   "status": "recorded",
   "status_code": null,
   "error": null
  },
  {
   "message_id": "1ada581e-cc45-434d-8b3b-9c67d2b9cf3c",
   "kind": "OneTimePassword",
   "protocol": "sms",
   "endpoint": "+15555550123",
   "body": "Your Amazon SNS verification code is: 354317",
   "timestamp": "2026-12-04T14:16:41.626137Z",
   "topic_arn": null,
   "subscription_arn": null,
   "subject": null,
   "message_attributes": {},
   "headers": {},
   "status": "recorded",
   "status_code": null,
   "error": null
  },
  {
   "message_id": "c3613cf8-a0dd-4a1a-b5e5-b6a72503512d",
   "kind": "Notification",
   "protocol": "sms",
   "endpoint": "+15555550100",
   "body": "hi",
   "timestamp": "2026-12-04T14:16:41.627072Z",
   "topic_arn": null,
   "subscription_arn": null,
   "subject": null,
   "message_attributes": {
    "bin": {
     "DataType": "Binary",
     "BinaryValue": "AP8="
    }
   },
   "headers": {},
   "status": "recorded",
   "status_code": null,
   "error": null
  }
 ]
}'''


def _restored(harness: Harness) -> tuple[Any, Any]:
    harness.emulator.service("sns").restore(ACCOUNT, REGION, V1_VIEW)
    return harness.client("sns"), harness.client("sqs")


def test_topics_and_subscriptions_are_intact(inprocess: Harness) -> None:
    sns, sqs = _restored(inprocess)
    url, _ = make_queue(sqs, "inbox")
    orders = sns.get_topic_attributes(TopicArn=ORDERS)["Attributes"]
    assert (orders["DisplayName"], orders["SubscriptionsConfirmed"], orders["SubscriptionsPending"],
            orders["SubscriptionsDeleted"]) == ("Orders", "1", "1", "1")
    assert sns.list_tags_for_resource(ResourceArn=ORDERS)["Tags"] == [{"Key": "team", "Value": "shop"}]
    assert json.loads(sns.get_data_protection_policy(ResourceArn=ORDERS)["DataProtectionPolicy"])["Name"] == "p"
    jobs = sns.get_topic_attributes(TopicArn=JOBS)["Attributes"]
    assert (jobs["FifoTopic"], jobs["ContentBasedDeduplication"]) == ("true", "true")

    listed = {s["Protocol"]: s for s in sns.list_subscriptions()["Subscriptions"]}
    assert sorted(listed) == ["email", "sqs"]
    assert listed["email"]["SubscriptionArn"] == "PendingConfirmation"
    raw = sns.get_subscription_attributes(SubscriptionArn=listed["sqs"]["SubscriptionArn"])["Attributes"]
    assert (raw["RawMessageDelivery"], json.loads(raw["FilterPolicy"])) == ("true", {"kind": ["big"]})
    for kind in ("small", "big"):
        sns.publish(TopicArn=ORDERS, Message=kind, MessageAttributes={"kind": {"DataType": "String",
                                                                                "StringValue": kind}})
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["big"]
    token = json.loads(V1_VIEW)["topics"]["orders"]["subscriptions"][1]["token"]
    confirmed = sns.confirm_subscription(TopicArn=ORDERS, Token=token)["SubscriptionArn"]
    assert confirmed == f"{ORDERS}:a6c55a96-f00a-429f-9714-9d5f210c3bc6"


def test_platform_applications_and_endpoints_are_intact(inprocess: Harness) -> None:
    sns, _ = _restored(inprocess)
    applications = sns.list_platform_applications()["PlatformApplications"]
    assert [(a["PlatformApplicationArn"], a["Attributes"]) for a in applications] == [
        (APP, {"Enabled": "true"}), (DROID, {"Enabled": "true"})]
    endpoints = sns.list_endpoints_by_platform_application(PlatformApplicationArn=APP)["Endpoints"]
    assert sorted((e["Attributes"]["Token"], e["Attributes"].get("CustomUserData")) for e in endpoints) == [
        ("t1", "u1"), ("t2", None)]
    assert sns.list_endpoints_by_platform_application(PlatformApplicationArn=DROID)["Endpoints"] == []


def test_sms_settings_are_intact(inprocess: Harness) -> None:
    sns, _ = _restored(inprocess)
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Promotional", "DefaultSenderID": "Shop"}
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15555550199"]
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": "+15555550123",
                                                                     "Status": "Pending"}]
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550123", OneTimePassword="354317")
    [number] = sns.list_origination_numbers()["PhoneNumbers"]
    assert number.pop("CreatedAt").timestamp() == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC).timestamp()
    # "Capabilities" is no member of PhoneNumberInformation: ListOriginationNumbers never answered it.
    assert number == {"PhoneNumber": "+15555550000", "Status": "ACTIVE", "Iso2CountryCode": "US",
                      "RouteType": "Transactional", "NumberCapabilities": ["SMS"]}


def test_sent_messages_are_intact(inprocess: Harness) -> None:
    _restored(inprocess)
    view = inprocess.emulator.service("sns").snapshot(ACCOUNT, REGION)
    written = json.loads(V1_VIEW)["sent_messages"]
    assert json.loads(view.model_dump_json())["sent_messages"] == written


def test_the_upgrade_lists_each_collection_with_its_key(inprocess: Harness) -> None:
    service = inprocess.emulator.service("sns")
    service.restore(ACCOUNT, REGION, V1_VIEW)
    written, now = json.loads(V1_VIEW), json.loads(service.snapshot_json(ACCOUNT, REGION))
    assert now["schema_version"] == 2
    # Fields added since version 2 was written read as their defaults.
    added = {"subscription_principal": None}
    assert now["topics"] == [
        {"name": name, **topic, "sequence": 0,
         "subscriptions": [{**subscription, **added} for subscription in topic["subscriptions"]]}
        for name, topic in written["topics"].items()]
    assert now["platform_applications"] == [{"platform_application_arn": arn, **application}
                                            for arn, application in written["platform_applications"].items()]
    assert now["sms_sandbox_phone_numbers"] == [{"phone_number": number, **entry}
                                                for number, entry in written["sms_sandbox_phone_numbers"].items()]
    assert now["origination_numbers"] == [{
        "phone_number": "+15555550000", "status": "ACTIVE", "iso2_country_code": "US", "route_type": "Transactional",
        "number_capabilities": ["SMS"], "created_at": "2024-01-02T03:04:05Z"}]
    for unchanged in ("sms_attributes", "opted_out_phone_numbers", "in_sms_sandbox", "sent_messages"):
        assert now[unchanged] == written[unchanged]


def test_a_version_1_view_merges(inprocess: Harness) -> None:
    sns = inprocess.client("sns")
    kept = sns.create_topic(Name="kept")["TopicArn"]
    inprocess.emulator.service("sns").merge(ACCOUNT, REGION, V1_VIEW)
    assert sorted(t["TopicArn"] for t in sns.list_topics()["Topics"]) == [JOBS, kept, ORDERS]
    assert len(sns.list_subscriptions()["Subscriptions"]) == 3
