"""The dashboard in a real headless Chromium (Debian's ``chromium``, installed by .ci/run):
it renders a seeded state, follows changes live without a reload, resets a scope, and shows
the emulator clock once it was moved. Skipped, saying why, where no chromium is installed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import requests

from tests.harness import ServerHarness
from tests.server.browser import Browser, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium: the dashboard's browser tests need Debian's `apt-get install chromium` "
           "(.ci/run installs it) or HOARFROST_CHROMIUM=/path/to/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    started = Browser(CHROMIUM)
    try:
        yield started
    finally:
        started.close()


def _scope(server: ServerHarness, service: str, region: str | None = None) -> str:
    return json.dumps(f"{service}|{server.account}|{region or server.region}")


def _count(server: ServerHarness, service: str, collection: str, item: str | None = None, count: str | None = None,
           region: str | None = None) -> str:
    """A page expression: the number the card shows for a collection, or for one item's count."""
    selector = f"[data-scope={_scope(server, service, region)}] [data-collection={json.dumps(collection)}]"
    if item is None:
        return f"document.querySelector({json.dumps(selector + ' .count')})?.dataset.value"
    selector += f" [data-item={json.dumps(item)}] [data-count={json.dumps(count)}]"
    return f"document.querySelector({json.dumps(selector)})?.dataset.value"


def _live(browser: Browser, server: ServerHarness) -> None:
    browser.open(server.http_url("/_hoarfrost/"))
    browser.wait_for("document.getElementById('connection').dataset.state === 'live'")


def test_the_page_renders_a_seeded_state(browser: Browser, server: ServerHarness) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="photos")
    for key in ("a.jpg", "b.jpg", "c.jpg"):
        s3.put_object(Bucket="photos", Key=key, Body=b"jpeg")
    s3.delete_object(Bucket="photos", Key="c.jpg")
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="users", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    for n in range(4):
        ddb.put_item(TableName="users", Item={"id": {"S": str(n)}})
    sns = server.client("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{server.region}:{server.account}:jobs")
    server.client("glue").create_database(DatabaseInput={"Name": "<b>bold</b>"})

    _live(browser, server)
    assert browser.wait_for(_count(server, "s3", "buckets", "photos", "objects")) == "2"
    assert browser.evaluate(_count(server, "sqs", "queues", "jobs", "messages")) == "1"
    assert browser.evaluate(_count(server, "dynamodb", "tables", "users", "items")) == "4"
    assert browser.evaluate(_count(server, "sns", "topics", "news", "subscriptions")) == "1"
    # A service the generic engine serves is summarised by resource family; a name is text,
    # never markup: the database's name shows as typed, and made no element.
    assert browser.evaluate(_count(server, "glue", "Database")) == "1"
    names = browser.evaluate("[...document.querySelectorAll('[data-scope] .name')].map(n => n.textContent)")
    assert "<b>bold</b>" in names
    assert browser.evaluate("document.querySelectorAll('[data-scope] b').length") == 0

    # The download link is the scope's snapshot, which restores anywhere.
    link = browser.evaluate(f"document.querySelector('[data-scope={_scope(server, 's3')}] "
                            "[data-action=download]').href")
    snapshot = requests.get(link, timeout=10).json()
    assert [bucket["name"] for bucket in snapshot["buckets"]] == ["photos"]
    assert browser.errors == []


def test_a_change_made_with_boto3_appears_without_a_reload(browser: Browser, server: ServerHarness) -> None:
    _live(browser, server)
    # The first summary may still be on its way when the event stream is already live.
    assert browser.wait_for("document.getElementById('empty').hidden === false") is True
    browser.evaluate("window.sameDocument = true")
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="incoming")["QueueUrl"]
    assert browser.wait_for(_count(server, "sqs", "queues")) == "1"
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    browser.wait_for(_count(server, "sqs", "queues", "incoming", "messages") + " === '3'")
    activity = browser.evaluate("document.getElementById('activity').textContent")
    assert "CreateQueue" in activity and "SendMessage" in activity
    assert browser.evaluate("window.sameDocument") is True  # updated in place, never reloaded
    assert browser.errors == []


def test_a_scope_is_reset_from_the_page(browser: Browser, server: ServerHarness) -> None:
    east = server.client("sqs")
    west = server.client("sqs", region_name="us-west-2")
    east.create_queue(QueueName="keep-me-not")
    west.create_queue(QueueName="keep-me")
    _live(browser, server)
    browser.wait_for(_count(server, "sqs", "queues", region="us-west-2"))
    button = f"document.querySelector('[data-scope={_scope(server, 'sqs')}] button.danger')"
    browser.evaluate(f"{button}.click()")
    assert browser.evaluate(f"{button}.textContent") == "Confirm reset"  # armed, nothing reset yet
    assert east.list_queues().get("QueueUrls")
    browser.evaluate(f"{button}.click()")
    browser.wait_for(f"!document.querySelector('[data-scope={_scope(server, 'sqs')}]')")
    assert "QueueUrls" not in east.list_queues()
    assert [url.rsplit("/", 1)[1] for url in west.list_queues()["QueueUrls"]] == ["keep-me"]
    assert browser.evaluate(_count(server, "sqs", "queues", region="us-west-2")) == "1"
    assert browser.errors == []


def test_the_clock_shows_once_moved(browser: Browser, server: ServerHarness) -> None:
    _live(browser, server)
    assert browser.evaluate("document.getElementById('clock').hidden") is True
    moved = requests.post(server.http_url("/_hoarfrost/clock"), json={"advance": 3 * 3600 + 120}, timeout=10).json()
    browser.wait_for("!document.getElementById('clock').hidden")
    assert float(browser.evaluate("document.getElementById('clock').dataset.offset")) == moved["offset"]
    assert "+3h 2m" in browser.evaluate("document.getElementById('clock').textContent")
    shown = dt.datetime.fromisoformat(browser.evaluate("document.getElementById('clock').dataset.now"))
    assert abs((shown - dt.datetime.fromisoformat(moved["now"])).total_seconds()) < 60  # the emulator's time
    browser.open(server.http_url("/_hoarfrost/dashboard"))  # a fresh page learns it from the summary
    browser.wait_for("!document.getElementById('clock').hidden")
    assert browser.errors == []
