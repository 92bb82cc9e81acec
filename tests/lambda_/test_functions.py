"""Function management: create (inline zip and S3), read, list, update, delete, states,
versions, aliases, permissions, concurrency and tags."""

from __future__ import annotations

import json
import urllib.request
import zipfile
import io
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import ROLE, code, create, message, python_zip

SOURCE = "def handler(event, context):\n    return event\n"


def test_create_answers_pending_then_active(lam: Any, aws: Harness) -> None:
    created = lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                  Code={"ZipFile": python_zip(SOURCE)}, Description="d", Timeout=7,
                                  Tags={"team": "a"})
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{aws.account}:function:f"
    assert created["Version"] == "$LATEST" and created["Timeout"] == 7 and created["MemorySize"] == 128
    assert created["CodeSize"] == len(python_zip(SOURCE)) and created["PackageType"] == "Zip"
    got = lam.get_function(FunctionName="f")
    assert got["Configuration"]["State"] == "Active" and got["Tags"] == {"team": "a"}
    assert got["Code"]["RepositoryType"] == "S3"
    lam.get_waiter("function_active_v2").wait(FunctionName="f")
    with pytest.raises(ClientError) as exc:
        create(lam, "f", SOURCE)
    assert code(exc) == "ResourceConflictException" and message(exc) == "Function already exist: f"


def test_code_location_downloads_the_zip(server: Harness) -> None:
    lam = server.client("lambda")
    create(lam, "dl", SOURCE)
    location = lam.get_function(FunctionName="dl")["Code"]["Location"]
    with urllib.request.urlopen(location) as response:
        data = response.read()
    assert zipfile.ZipFile(io.BytesIO(data)).read("app.py").decode() == SOURCE


def test_create_validation(lam: Any) -> None:
    cases = [
        (dict(Runtime="python3.12", Code={"ZipFile": b"not a zip"}), "InvalidParameterValueException",
         "Could not unzip uploaded file. Please check your file, then try to upload again."),
        (dict(Runtime="python2.7", Code={"ZipFile": python_zip(SOURCE)}), "InvalidParameterValueException", None),
        (dict(Runtime="python3.12", Code={"ZipFile": python_zip(SOURCE)},
              Environment={"Variables": {"AWS_REGION": "x"}}), "InvalidParameterValueException", None),
        (dict(Runtime="python3.12", Code={"ZipFile": python_zip(SOURCE)},
              Environment={"Variables": {"BIG": "x" * 5000}}), "InvalidParameterValueException", None),
        (dict(Runtime="python3.12", Code={"ZipFile": python_zip(SOURCE)}, Timeout=901), "ValidationException", None),
        (dict(PackageType="Image", Code={"ImageUri": "123.dkr.ecr.us-east-1.amazonaws.com/x:latest"}),
         "InvalidParameterValueException", None),
    ]
    for kwargs, wanted, text in cases:
        with pytest.raises(ClientError) as exc:
            lam.create_function(FunctionName="bad", Role=ROLE, Handler="app.handler", **kwargs)
        assert code(exc) == wanted, kwargs
        if text is not None:
            assert message(exc) == text
    assert lam.list_functions()["Functions"] == []


def test_create_from_an_s3_object(lam: Any, aws: Harness) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="fn.zip", Body=python_zip("def handler(e, c):\n    return 's3'\n"))
    lam.create_function(FunctionName="froms3", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"S3Bucket": "code", "S3Key": "fn.zip"})
    assert json.loads(lam.invoke(FunctionName="froms3")["Payload"].read()) == "s3"
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="froms3", S3Bucket="code", S3Key="missing.zip")
    assert code(exc) == "InvalidParameterValueException"


def test_list_functions_pages_and_lists_versions(lam: Any) -> None:
    for name in ("c", "a", "b"):
        create(lam, name, SOURCE)
    lam.publish_version(FunctionName="a")
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["a", "b"]
    second = lam.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == ["c"] and "NextMarker" not in second
    every = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [(f["FunctionName"], f["Version"]) for f in every] == [("a", "$LATEST"), ("a", "1"), ("b", "$LATEST"),
                                                                  ("c", "$LATEST")]
    assert [f["FunctionName"] for f in lam.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 1}).build_full_result()["Functions"]] == ["a", "b", "c"]


def test_update_configuration_and_revisions(lam: Any) -> None:
    create(lam, "f", SOURCE)
    revision = lam.get_function_configuration(FunctionName="f")["RevisionId"]
    updated = lam.update_function_configuration(FunctionName="f", Timeout=10, MemorySize=512, Description="new",
                                                Environment={"Variables": {"A": "1"}}, RevisionId=revision)
    assert updated["LastUpdateStatus"] == "InProgress" and updated["RevisionId"] != revision
    config = lam.get_function_configuration(FunctionName="f")
    assert config["LastUpdateStatus"] == "Successful"
    assert (config["Timeout"], config["MemorySize"], config["Description"]) == (10, 512, "new")
    assert config["Environment"] == {"Variables": {"A": "1"}}
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="f", Timeout=11, RevisionId=revision)
    assert code(exc) == "PreconditionFailedException"
    sha = lam.update_function_code(FunctionName="f", ZipFile=python_zip("def handler(e, c):\n    return 2\n"))[
        "CodeSha256"]
    assert lam.get_function_configuration(FunctionName="f")["CodeSha256"] == sha != config["CodeSha256"]


def test_versions_and_aliases(lam: Any, aws: Harness) -> None:
    create(lam, "f", "def handler(e, c):\n    return 1\n")
    v1 = lam.publish_version(FunctionName="f", Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":function:f:1")
    assert lam.publish_version(FunctionName="f")["Version"] == "1"  # nothing changed since
    lam.update_function_code(FunctionName="f", ZipFile=python_zip("def handler(e, c):\n    return 2\n"))
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="f", CodeSha256="wrong")
    assert code(exc) == "InvalidParameterValueException"
    assert lam.publish_version(FunctionName="f")["Version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="f")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    invoke = lambda **kw: json.loads(lam.invoke(FunctionName="f", **kw)["Payload"].read())
    assert invoke(Qualifier="1") == 1 and invoke(Qualifier="2") == 2 and invoke() == 2

    alias = lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    assert alias["AliasArn"] == f"arn:aws:lambda:us-east-1:{aws.account}:function:f:live"
    assert invoke(Qualifier="live") == 1
    assert lam.invoke(FunctionName="f:live")["ExecutedVersion"] == "1"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    assert code(exc) == "ResourceConflictException"
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="f", Name="nope", FunctionVersion="9")
    assert code(exc) == "ResourceNotFoundException"
    # All traffic routed to version 2 by weight.
    lam.update_alias(FunctionName="f", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert invoke(Qualifier="live") == 2
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="f", Name="live", RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}})
    assert code(exc) == "InvalidParameterValueException"
    assert [a["Name"] for a in lam.list_aliases(FunctionName="f")["Aliases"]] == ["live"]
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="f", Qualifier="2")
    assert code(exc) == "ResourceConflictException"
    lam.delete_alias(FunctionName="f", Name="live")
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName="f", Name="live")
    assert code(exc) == "ResourceNotFoundException"
    lam.delete_function(FunctionName="f", Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="f")["Versions"]] == ["$LATEST", "2"]
    lam.delete_function(FunctionName="f")
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="f")
    assert code(exc) == "ResourceNotFoundException"


def test_permissions_policy(lam: Any, aws: Harness) -> None:
    arn = create(lam, "f", SOURCE)
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName="f")
    assert code(exc) == "ResourceNotFoundException"
    statement = json.loads(lam.add_permission(
        FunctionName="f", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::bucket", SourceAccount=aws.account)["Statement"])
    assert statement == {"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                         "Action": "lambda:InvokeFunction", "Resource": arn,
                         "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
                                       "StringEquals": {"AWS:SourceAccount": aws.account}}}
    lam.add_permission(FunctionName="f", StatementId="acct", Action="lambda:GetFunction", Principal="111122223333")
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName="f", StatementId="s3", Action="lambda:InvokeFunction", Principal="*")
    assert code(exc) == "ResourceConflictException"
    policy = json.loads(lam.get_policy(FunctionName="f")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s3", "acct"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    lam.remove_permission(FunctionName="f", StatementId="s3")
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName="f", StatementId="s3")
    assert code(exc) == "ResourceNotFoundException"
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="f")["Policy"])["Statement"]] == ["acct"]


def test_concurrency_and_tags(lam: Any) -> None:
    arn = create(lam, "f", SOURCE)
    assert lam.get_function_concurrency(FunctionName="f").get("ReservedConcurrentExecutions") is None
    assert lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=5)[
        "ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName="f")["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=950)
    assert code(exc) == "InvalidParameterValueException"
    lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=arn + "x")
    assert code(exc) == "ResourceNotFoundException"


def test_function_arns_and_partial_arns_name_the_function(lam: Any, aws: Harness) -> None:
    arn = create(lam, "f", SOURCE)
    assert lam.get_function(FunctionName=arn)["Configuration"]["FunctionName"] == "f"
    assert lam.get_function(FunctionName=f"{aws.account}:function:f")["Configuration"]["FunctionName"] == "f"
    lam.publish_version(FunctionName="f")
    assert lam.get_function_configuration(FunctionName=f"{arn}:1")["Version"] == "1"
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="f:1", Qualifier="2")
    assert code(exc) == "InvalidParameterValueException"


def test_provisioned_concurrency_is_stored(lam: Any) -> None:
    create(lam, "f", SOURCE)
    lam.publish_version(FunctionName="f")
    with pytest.raises(ClientError) as exc:
        lam.put_provisioned_concurrency_config(FunctionName="f", Qualifier="$LATEST",
                                               ProvisionedConcurrentExecutions=2)
    assert code(exc) == "InvalidParameterValueException"
    put = lam.put_provisioned_concurrency_config(FunctionName="f", Qualifier="1", ProvisionedConcurrentExecutions=2)
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 2
    got = lam.get_provisioned_concurrency_config(FunctionName="f", Qualifier="1")
    assert got["Status"] == "READY" and got["AllocatedProvisionedConcurrentExecutions"] == 2
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in lam.list_provisioned_concurrency_configs(
        FunctionName="f")["ProvisionedConcurrencyConfigs"]] == ["1"]
    lam.delete_provisioned_concurrency_config(FunctionName="f", Qualifier="1")
    with pytest.raises(ClientError) as exc:
        lam.get_provisioned_concurrency_config(FunctionName="f", Qualifier="1")
    assert code(exc) == "ProvisionedConcurrencyConfigNotFoundException"


def test_code_signing_configs(lam: Any) -> None:
    profile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/p/abc"
    warn = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [profile]})[
        "CodeSigningConfig"]
    assert warn["CodeSigningConfigId"].startswith("csc-")
    assert warn["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    create(lam, "f", SOURCE, CodeSigningConfigArn=warn["CodeSigningConfigArn"])
    assert lam.get_function_code_signing_config(FunctionName="f")["CodeSigningConfigArn"] == warn[
        "CodeSigningConfigArn"]
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=warn["CodeSigningConfigArn"])[
        "FunctionArns"][0].endswith(":function:f")
    with pytest.raises(ClientError) as exc:
        lam.delete_code_signing_config(CodeSigningConfigArn=warn["CodeSigningConfigArn"])
    assert code(exc) == "ResourceConflictException"
    # Enforce: hoarfrost signs nothing, so new code is refused.
    lam.update_code_signing_config(CodeSigningConfigArn=warn["CodeSigningConfigArn"],
                                   CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="f", ZipFile=python_zip(SOURCE + "\n"))
    assert code(exc) == "CodeVerificationFailedException"
    lam.delete_function_code_signing_config(FunctionName="f")
    lam.update_function_code(FunctionName="f", ZipFile=python_zip(SOURCE + "\n"))
    lam.delete_code_signing_config(CodeSigningConfigArn=warn["CodeSigningConfigArn"])
    assert lam.list_code_signing_configs()["CodeSigningConfigs"] == []
