"""PartiQL: ExecuteStatement (SELECT / INSERT / UPDATE / DELETE with parameters), paging,
BatchExecuteStatement and ExecuteTransaction."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error


def run(ddb: Any, statement: str, *parameters: Any, **kwargs: Any) -> dict[str, Any]:
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **kwargs)


def test_insert_select_update_delete(ddb: Any, table: str) -> None:
    run(ddb, "INSERT INTO t VALUE {'pk': 'a', 'sk': '1', 'n': 1, 'tags': <<'x', 'y'>>, 'm': {'k': [1, true]}}")
    run(ddb, 'INSERT INTO "t" VALUE {\'pk\': ?, \'sk\': ?, \'n\': ?}', {"S": "a"}, {"S": "2"}, {"N": "5"})
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "INSERT INTO t VALUE {'pk': 'a', 'sk': '1'}")
    assert error(excinfo) == ("DuplicateItemException", "Duplicate primary key exists in table")
    items = run(ddb, "SELECT * FROM t WHERE pk = 'a'")["Items"]
    assert [i["sk"]["S"] for i in items] == ["1", "2"]
    assert items[0]["m"] == {"M": {"k": {"L": [{"N": "1"}, {"BOOL": True}]}}}
    assert sorted(items[0]["tags"]["SS"]) == ["x", "y"]
    assert run(ddb, "SELECT n FROM t WHERE pk = ? AND n > ?", {"S": "a"}, {"N": "2"})["Items"] == [{"n": {"N": "5"}}]
    run(ddb, "UPDATE t SET n = n + 10 SET extra = 'e' REMOVE tags WHERE pk = 'a' AND sk = '1'")
    item = run(ddb, "SELECT * FROM t WHERE pk = 'a' AND sk = '1'")["Items"][0]
    assert item["n"] == {"N": "11"} and item["extra"] == {"S": "e"} and "tags" not in item
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "UPDATE t SET n = 0 WHERE pk = 'a' AND sk = 'missing'")
    assert error(excinfo)[0] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "UPDATE t SET n = 0 WHERE pk = 'a'")
    assert error(excinfo)[1] == "Where clause does not contain a mandatory equality on all key attributes"
    run(ddb, "DELETE FROM t WHERE pk = 'a' AND sk = '2'")
    assert len(run(ddb, "SELECT * FROM t")["Items"]) == 1


def test_select_pages_and_scans(ddb: Any, table: str) -> None:
    for i in range(7):
        run(ddb, "INSERT INTO t VALUE {'pk': ?, 'sk': ?, 'even': ?}", {"S": f"p{i % 2}"}, {"S": str(i)},
            {"BOOL": i % 2 == 0})
    seen: list[str] = []
    token = None
    while True:
        page = run(ddb, "SELECT sk FROM t WHERE pk = 'p0'", Limit=2, **({"NextToken": token} if token else {}))
        seen += [i["sk"]["S"] for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ["0", "2", "4", "6"]
    scanned = run(ddb, "SELECT * FROM t WHERE even = false AND begins_with(sk, '1') OR sk IN ['3', '5']")
    assert sorted(i["sk"]["S"] for i in scanned["Items"]) == ["1", "3", "5"]
    assert run(ddb, "SELECT * FROM t WHERE nothing IS MISSING AND sk BETWEEN '5' AND '6'")["Items"] != []


def test_errors(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELEKT * FROM t")
    assert error(excinfo)[0] == "ValidationException"
    assert error(excinfo)[1].startswith("Statement wasn't well formed, can't be processed:")
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT * FROM t WHERE pk = ?")
    assert error(excinfo)[1] == "Number of parameters in request and statement don't match."
    with pytest.raises(ClientError) as excinfo:
        run(ddb, "SELECT * FROM nope")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_batch_and_transaction(ddb: Any, table: str) -> None:
    answer = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO t VALUE {'pk': 'b', 'sk': '1'}"},
        {"Statement": "INSERT INTO t VALUE {'pk': 'b', 'sk': '1'}"},
    ])["Responses"]
    assert answer[0] == {"TableName": "t"} and answer[1]["Error"]["Code"] == "DuplicateItem"
    got = ddb.batch_execute_statement(Statements=[{"Statement": "SELECT * FROM t WHERE pk = 'b' AND sk = '1'"}])
    assert got["Responses"][0]["Item"]["pk"] == {"S": "b"}
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO t VALUE {'pk': 'c', 'sk': '1'}"},
        {"Statement": "UPDATE t SET v = 1 WHERE pk = 'b' AND sk = '1'"},
    ])
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": "INSERT INTO t VALUE {'pk': 'd', 'sk': '1'}"},
            {"Statement": "UPDATE t SET v = 2 WHERE pk = 'b' AND sk = '1' AND v = 5"},
        ])
    assert error(excinfo)[0] == "TransactionCanceledException"
    assert [r["Code"] for r in excinfo.value.response["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert run(ddb, "SELECT * FROM t WHERE pk = 'd'")["Items"] == []
    assert run(ddb, "SELECT v FROM t WHERE pk = 'b'")["Items"] == [{"v": {"N": "1"}}]


def test_transaction_token_is_idempotent(ddb: Any, table: str) -> None:
    statements = [{"Statement": "UPDATE t SET n = n + 1 WHERE pk = 'x' AND sk = '1'"}]
    run(ddb, "INSERT INTO t VALUE {'pk': 'x', 'sk': '1', 'n': 0}")
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="once")
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="once")
    assert run(ddb, "SELECT n FROM t WHERE pk = 'x'")["Items"] == [{"n": {"N": "1"}}]
