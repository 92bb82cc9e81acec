"""Every IAM operation answers odd input (missing optional members, empty lists, bad ARNs,
documents that are not policies, out-of-range numbers) with an AWS error, never a 500."""

from __future__ import annotations

from typing import Any

from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from hoarfrost.core import catalog
from hoarfrost.services.iam import SERVICE

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
ARNS = ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::123456789012:policy/p", "arn:aws:iam::123456789012:role/r", "nonsense"]
DOCUMENTS = [POLICY, "{}", "[1]", "", "null"]
TEXTS = ["alice", "xxxxxxxxxxxxxxxxxxxx", "v1", "r", "AKIAXXXXXXXXXXXXXXXX"]


def _value(shape: Any, name: str, variant: int) -> Any:
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return shape.enum[variant % len(shape.enum)]
        if "Arn" in name or "arn" in shape.name.lower():
            return ARNS[variant]
        if "Document" in name or ("Policy" in name and "Name" not in name):
            return DOCUMENTS[variant]
        return TEXTS[variant]
    if kind in ("integer", "long"):
        return [shape.metadata.get("min", 1), 0, -1, 10**9, 5][variant]
    if kind == "boolean":
        return bool(variant % 2)
    if kind == "list":
        return [] if variant == 3 else [_value(shape.member, name, variant)]
    if kind == "structure":
        return {k: _value(v, k, variant) for k, v in shape.members.items() if k in shape.required_members or variant == 4}
    if kind == "map":
        return {"k": "v"}
    if kind == "blob":
        return b"x"
    return "2024-01-01T00:00:00Z"


def test_no_operation_answers_odd_input_with_a_server_error(inprocess):
    model = catalog.service_model("iam")
    iam = inprocess.client("iam", config=Config(parameter_validation=False))
    iam.create_user(UserName="alice")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                                          '"Principal":{"Service":"x.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
    iam.create_policy(PolicyName="p", PolicyDocument=POLICY)
    failures = []
    for variant in range(5):
        for operation in sorted(SERVICE.operations.resolve()):
            shape = model.operation_model(operation).input_shape
            params = ({k: _value(v, k, variant) for k, v in shape.members.items()
                       if k in shape.required_members or variant >= 3} if shape else {})
            try:
                getattr(iam, xform_name(operation))(**params)
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                    failures.append((operation, params, error.response["Error"]))
    assert failures == []
