"""Where Lambda sends what it gives up on: an asynchronous invocation's dead-letter queue or
topic and its destinations, a stream mapping's on-failure destination. An SQS queue (or any
target with a delivery sink) is reached through the delivery port; an SNS topic, which has no
sink, through SNS's own Publish, as Lambda publishes to it in AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


def send(emulator: Emulator, target: str, message: Message) -> None:
    """Hand ``message`` to ``target``; hold no lock. Raises what the target answers."""
    arn = try_parse_arn(target)
    if arn is not None and arn.service == "sns":
        request: dict[str, Any] = {"TopicArn": target, "Message": message.body}
        if message.attributes:
            request["MessageAttributes"] = dict(message.attributes)
        emulator.call("sns", "Publish", request, account=arn.account, region=arn.region)
        return
    emulator.deliver(target, message)
