"""Schedule groups: the default group, create / get / list / delete, and tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.scheduler.conftest import error_of, make_queue, target

ARN = "arn:aws:scheduler:us-east-1:123456789012"


def test_the_default_group_exists(scheduler: Any) -> None:
    group = scheduler.get_schedule_group(Name="default")
    assert group["Arn"] == f"{ARN}:schedule-group/default"
    assert group["State"] == "ACTIVE"
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]


def test_create_get_and_list_groups(scheduler: Any) -> None:
    arn = scheduler.create_schedule_group(Name="billing", Tags=[{"Key": "team", "Value": "money"}])["ScheduleGroupArn"]
    assert arn == f"{ARN}:schedule-group/billing"
    scheduler.create_schedule_group(Name="batch")
    group = scheduler.get_schedule_group(Name="billing")
    assert (group["Name"], group["State"], group["Arn"]) == ("billing", "ACTIVE", arn)
    assert group["CreationDate"] == group["LastModificationDate"]
    names = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert names == ["batch", "billing", "default"]
    assert [g["Name"] for g in scheduler.list_schedule_groups(NamePrefix="b")["ScheduleGroups"]] == ["batch", "billing"]


def test_listing_groups_pages(scheduler: Any) -> None:
    for index in range(5):
        scheduler.create_schedule_group(Name=f"group-{index}")
    seen, token = [], None
    while True:
        page = scheduler.list_schedule_groups(MaxResults=2, **({"NextToken": token} if token else {}))
        assert len(page["ScheduleGroups"]) <= 2
        seen += [g["Name"] for g in page["ScheduleGroups"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ["default"] + [f"group-{i}" for i in range(5)]
    with pytest.raises(ClientError) as bad:
        scheduler.list_schedule_groups(NextToken="made-up")
    assert error_of(bad)[0] == "ValidationException"


def test_duplicate_and_missing_groups(scheduler: Any) -> None:
    scheduler.create_schedule_group(Name="jobs")
    with pytest.raises(ClientError) as duplicate:
        scheduler.create_schedule_group(Name="jobs")
    assert error_of(duplicate) == ("ConflictException", "Schedule group jobs already exists.")
    with pytest.raises(ClientError) as missing:
        scheduler.get_schedule_group(Name="nope")
    assert error_of(missing) == ("ResourceNotFoundException", "Schedule group nope does not exist.")
    with pytest.raises(ClientError) as bad_name:
        scheduler.create_schedule_group(Name="has space")
    assert error_of(bad_name)[0] == "ValidationException"


def test_deleting_a_group_deletes_its_schedules(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "q")
    scheduler.create_schedule_group(Name="nightly")
    scheduler.create_schedule(Name="a", GroupName="nightly", ScheduleExpression="cron(0 2 * * ? *)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target(queue))
    scheduler.create_schedule(Name="a", ScheduleExpression="cron(0 2 * * ? *)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target(queue))
    scheduler.delete_schedule_group(Name="nightly")
    with pytest.raises(ClientError) as gone:
        scheduler.get_schedule(Name="a", GroupName="nightly")
    assert error_of(gone) == ("ResourceNotFoundException", "Schedule a does not exist.")
    with pytest.raises(ClientError) as group_gone:
        scheduler.list_schedules(GroupName="nightly")
    assert error_of(group_gone)[0] == "ResourceNotFoundException"
    # The schedule of the same name in the default group is untouched.
    assert scheduler.get_schedule(Name="a")["GroupName"] == "default"
    with pytest.raises(ClientError) as missing:
        scheduler.delete_schedule_group(Name="nightly")
    assert error_of(missing)[0] == "ResourceNotFoundException"


def test_the_default_group_cannot_be_deleted(scheduler: Any) -> None:
    with pytest.raises(ClientError) as refused:
        scheduler.delete_schedule_group(Name="default")
    assert error_of(refused)[0] == "ValidationException"
    assert scheduler.get_schedule_group(Name="default")["State"] == "ACTIVE"


def test_group_tags(scheduler: Any, aws: Harness) -> None:
    arn = scheduler.create_schedule_group(Name="tagged", Tags=[{"Key": "a", "Value": "1"}])["ScheduleGroupArn"]
    scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = {t["Key"]: t["Value"] for t in scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"a": "3", "b": "2"}
    scheduler.untag_resource(ResourceArn=arn, TagKeys=["a", "absent"])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as reserved:
        scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}])
    assert error_of(reserved)[0] == "ValidationException"
    with pytest.raises(ClientError) as too_many:
        scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(too_many)[0] == "ValidationException"
    assert len(scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 1
    with pytest.raises(ClientError) as missing:
        scheduler.list_tags_for_resource(ResourceArn=f"{ARN}:schedule-group/nope")
    assert error_of(missing)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as other_account:
        scheduler.list_tags_for_resource(ResourceArn="arn:aws:scheduler:us-east-1:999999999999:schedule-group/tagged")
    assert error_of(other_account)[0] == "ResourceNotFoundException"


def test_each_region_has_its_own_groups(aws: Harness, scheduler: Any) -> None:
    scheduler.create_schedule_group(Name="east-only")
    west = aws.client("scheduler", region_name="eu-west-1")
    assert [g["Name"] for g in west.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    assert west.get_schedule_group(Name="default")["Arn"] == \
        "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default"
    with pytest.raises(ClientError) as missing:
        west.get_schedule_group(Name="east-only")
    assert error_of(missing)[0] == "ResourceNotFoundException"
