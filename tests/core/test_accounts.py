from __future__ import annotations

from hoarfrost.core.accounts import AccountMap, Identity


def test_account_resolution_order() -> None:
    accounts = AccountMap("123456789012", {"AKIASTATIC": "222222222222"})
    issued = {"ASIAISSUED": Identity("333333333333", "arn:aws:sts::333333333333:assumed-role/r/s", "AROA:s")}
    accounts.register_issuer(issued.get)
    assert accounts.account_for("AKIASTATIC") == "222222222222"
    assert accounts.account_for("ASIAISSUED") == "333333333333"
    assert accounts.account_for("444444444444") == "444444444444"
    assert accounts.account_for("testing") == "123456789012"
    assert accounts.account_for(None) == "123456789012"


def test_identity_defaults_to_account_root() -> None:
    accounts = AccountMap()
    assert accounts.identity_for("555555555555") == Identity(
        "555555555555", "arn:aws:iam::555555555555:root", "555555555555"
    )


def test_root_identity_is_in_the_regions_partition() -> None:
    accounts = AccountMap()
    assert accounts.identity_for("555555555555", "cn-north-1").arn == "arn:aws-cn:iam::555555555555:root"
    assert accounts.identity_for("555555555555", "us-gov-west-1").arn == "arn:aws-us-gov:iam::555555555555:root"
    assert accounts.identity_for("555555555555", "eu-west-1").arn == "arn:aws:iam::555555555555:root"


def test_an_issuer_may_refuse_its_keys_and_hears_of_use() -> None:
    accounts = AccountMap("123456789012")
    issued = {
        "AKIAACTIVE": Identity("333333333333", "arn:aws:iam::333333333333:user/a", "AIDA1"),
        "AKIAREFUSED": Identity("333333333333", "arn:aws:iam::333333333333:user/a", "AIDA1", active=False),
    }
    used: list[tuple[str, str, str]] = []
    accounts.register_issuer(issued.get, lambda key, service, region: used.append((key, service, region)))
    assert accounts.authenticate("AKIAACTIVE", "sqs", "eu-west-1") == "333333333333"
    assert used == [("AKIAACTIVE", "sqs", "eu-west-1")]
    assert accounts.authenticate("AKIAREFUSED", "sqs", "eu-west-1") is None
    assert accounts.authenticate("testing", "sqs", "eu-west-1") == "123456789012"
    assert accounts.authenticate(None, "sqs", "eu-west-1") == "123456789012"
    # account_for (GetAccessKeyInfo's question) still answers a refused key's account.
    assert accounts.account_for("AKIAREFUSED") == "333333333333"
    assert len(used) == 1
