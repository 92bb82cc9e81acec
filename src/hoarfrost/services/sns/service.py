"""Amazon SNS: topics, subscriptions with filter policies, fan-out into hoarfrost's SQS and
real HTTP endpoints, mobile push and SMS (recorded), and SNS's typed state view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.emulator import InternalCallError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import DeliveryError, Message
from hoarfrost.core.views import StatefulService
from hoarfrost.services.sns import views
from hoarfrost.services.sns.delivery import Deliverer
from hoarfrost.services.sns.envelope import CERT_PATH
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.state import SnsBackend
from hoarfrost.services.sns.views import SnsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


# Request members that name the resource an operation works on, most specific first.
_ARN_MEMBERS = ("TopicArn", "TargetArn", "SubscriptionArn", "EndpointArn", "PlatformApplicationArn", "ResourceArn")


class SnsService(StatefulService[SnsBackend, SnsStateView]):
    name: ClassVar[str] = "sns"
    view_type: ClassVar[type[SnsStateView]] = SnsStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        # The signing key and the HTTP delivery worker belong to this Emulator alone.
        self.deliverer = Deliverer(emulator)
        emulator.ports.register_policy_source("sns", self.topic_policy)
        # Other services (S3 event notifications) publish to topics through the delivery port.
        emulator.ports.register("sns", self.receive, self.has_topic)

    def has_topic(self, target_arn: str) -> bool:
        """The port's probe: a lock-free look for the topic."""
        arn = try_parse_arn(target_arn)
        scope = self.backends.existing(arn.account, arn.region) if arn is not None else None
        return scope is not None and target_arn in scope.backend.topics

    def receive(self, target_arn: str, message: Message) -> str:
        """The delivery port's sink: Publish ``message`` to the topic as its owner would (the
        whole Publish path: fan-out, filter policies, FIFO keys); returns the message id.
        Called holding no lock, as every sink is."""
        arn = try_parse_arn(target_arn)
        if arn is None or not self.has_topic(target_arn):
            raise DeliveryError(f"no SNS topic {target_arn!r}")
        params: dict[str, Any] = {"TopicArn": target_arn, "Message": message.body}
        if message.subject:
            params["Subject"] = message.subject
        if message.attributes:
            params["MessageAttributes"] = dict(message.attributes)
        if message.group_id is not None:
            params["MessageGroupId"] = message.group_id
        if message.deduplication_id is not None:
            params["MessageDeduplicationId"] = message.deduplication_id
        try:
            answer = self.emulator.call("sns", "Publish", params, account=arn.account, region=arn.region)
        except InternalCallError as error:
            raise DeliveryError(f"SNS did not take the message for {target_arn!r}: {error}") from error
        return str(answer.get("MessageId") or "")

    def topic_policy(self, arn: str) -> str | None:
        """The topic's Policy attribute as set (IAM enforcement reads it without a lock)."""
        parsed = try_parse_arn(arn)
        scope = self.backends.existing(parsed.account, parsed.region) if parsed is not None else None
        topic = scope.backend.topics.get(arn) if scope is not None else None
        return topic.attributes.get("Policy") if topic is not None else None

    def new_backend(self, account: str, region: str) -> SnsBackend:
        return SnsBackend(account=account, region=region)

    def to_view(self, backend: SnsBackend, account: str, region: str) -> SnsStateView:
        return views.to_view(backend)

    def from_view(self, view: SnsStateView, account: str, region: str) -> SnsBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: SnsBackend, source: SnsBackend) -> None:
        views.merge(target, source)

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """The scope of the topic, subscription or endpoint the request names by ARN (a topic
        of another account or region lives there); the caller's when it names none, or one in
        an account or region that never had SNS state (the handler then answers NotFound)."""
        for member in _ARN_MEMBERS:
            text = request.get(member)
            if isinstance(text, str):
                arn = try_parse_arn(text)
                if arn is not None and arn.service == "sns" and self.backends.existing(arn.account, arn.region):
                    return arn.account, arn.region
                break
        return account, region

    def admin_routes(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """The certificate envelopes' ``SigningCertURL`` points at."""
        return {CERT_PATH.rsplit("/", 1)[1]: self._certificate}

    def _certificate(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, {"content-type": "application/x-pem-file"}, self.signing_certificate_pem())

    # -- for tests and the server ---------------------------------------------------------
    def signing_certificate_pem(self) -> bytes:
        """The PEM certificate whose key signs this Emulator's SNS messages (``SigningCertURL``)."""
        return self.deliverer.signer.certificate_pem

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until every queued HTTP delivery was attempted; False if ``timeout`` passed."""
        return self.deliverer.http.wait_idle(timeout)


