"""``Emulator.subscribe``: one listener for every service's changes, those started later too."""

from __future__ import annotations

from hoarfrost import mock_aws
from hoarfrost.core.views import StateChange
from tests.harness import InProcessHarness


def test_a_listener_hears_every_service_until_it_unsubscribes() -> None:
    with InProcessHarness() as aws:
        heard: list[StateChange] = []
        aws.client("sqs").create_queue(QueueName="before")  # sqs starts before the subscription
        stop = aws.emulator.subscribe(heard.append)
        created = aws.client("sqs").create_queue(QueueName="after")
        aws.client("sns").create_topic(Name="started-later")  # sns starts after it
        aws.emulator.service("sqs").reset(aws.account, aws.region)
        stop()
        aws.client("sns").create_topic(Name="unheard")
    assert [(change.service, change.operation) for change in heard] == \
        [("sqs", "CreateQueue"), ("sns", "CreateTopic"), ("sqs", "reset")]
    assert heard[0].request_id == created["ResponseMetadata"]["RequestId"]
    assert heard[2].request_id == ""  # no request made it
    assert not aws.emulator.service("sqs").notifier and not aws.emulator.service("sns").notifier


def test_mock_aws_emulators_do_not_share_listeners() -> None:
    with mock_aws() as first:
        first.subscribe(lambda change: None)
    with mock_aws() as second:
        assert not second.service("sqs").notifier
