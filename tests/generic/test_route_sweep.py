"""Every operation of every service botocore ships, once, with a minimal input botocore accepts,
in-process: each answers gracefully — a result, a 4xx the service would send, or 501 for what
hoarfrost has not written — never another 5xx, never a body botocore cannot parse. A regression
guard for the rule that bad or unexpected input gets an AWS error, not a traceback."""

from __future__ import annotations

import collections

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from botocore.parsers import ResponseParserError

from hoarfrost.core import catalog as models
from hoarfrost.generic.engine.sample import CannotSample, sample_input
from tests.generic.roundtrip import client_for
from tests.harness import InProcessHarness


def test_every_operation_answers_gracefully() -> None:
    counts: collections.Counter[str] = collections.Counter()
    not_graceful: list[str] = []
    with InProcessHarness(direct=False) as harness:  # the wire: answers botocore must parse
        for service in models.available_services():
            client = client_for(harness, service)
            model = models.service_model(service)
            for name in model.operation_names:
                operation = model.operation_model(name)
                if operation.has_event_stream_input:
                    counts["event-stream input"] += 1
                    continue
                try:
                    params = sample_input(operation.input_shape)
                except CannotSample:
                    counts["unsampled"] += 1
                    continue
                method = getattr(client, xform_name(name), None)
                if method is None:  # an operation hoarfrost's patches add (S3's PostObject)
                    counts["not in botocore"] += 1
                    continue
                try:
                    method(**params)
                    counts["2xx"] += 1
                except ClientError as error:
                    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                    counts["501" if status == 501 else f"{status // 100}xx"] += 1
                    if status >= 500 and status != 501:
                        not_graceful.append(f"{service}.{name}: {status} {error.response.get('Error')}")
                except (ParamValidationError, BotoCoreError) as error:
                    if isinstance(error, ResponseParserError):
                        not_graceful.append(f"{service}.{name}: unparsable answer: {error}")
                    counts["refused by botocore"] += 1
    print(f"route sweep: {dict(counts)}")
    assert counts["2xx"] > 1000 and counts["4xx"] > 1000
    assert not_graceful == []
