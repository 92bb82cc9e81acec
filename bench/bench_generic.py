"""A service the generic engine serves (Glue): GetDatabase and GetTables ops/s, against the
botocore floor and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_generic.py``. GetDatabase is one look-up by name; GetTables
pages 100 of a database's 1,000 tables, so it shows whether listing by parent is a look-up or a
scan of every resource. No target is set by an issue; the figures go in closing notes.
"""

from __future__ import annotations

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

TABLES = 1000


def _seed(glue):
    """Two databases of TABLES tables each (once: targets of a group share an interpreter, and a
    floor's capture may run inside another target's active mock)."""
    try:
        glue.create_database(DatabaseInput={"Name": "bench"})
    except glue.exceptions.AlreadyExistsException:
        return glue
    glue.create_database(DatabaseInput={"Name": "other"})
    for index in range(TABLES):
        glue.create_table(DatabaseName="bench", TableInput={"Name": f"t{index:05d}"})
        glue.create_table(DatabaseName="other", TableInput={"Name": f"t{index:05d}"})
    return glue


def _get(glue):
    return lambda: glue.get_database(Name="bench")


def _page(glue):
    return lambda: glue.get_tables(DatabaseName="bench", MaxResults=100)


@target("floor (botocore, canned answer)", group="in-process", scenario="get")
def floor_get():
    glue = floor_client("glue", lambda c: _seed(c).get_database(Name="bench"))
    yield _get(glue)


@target("hoarfrost in-process", group="in-process", scenario="get")
def hoarfrost_get():
    import hoarfrost

    with hoarfrost.mock_aws():
        yield _get(_seed(client("glue")))


@target("moto in-process", group="in-process", scenario="get")
def moto_get():
    import moto

    with moto.mock_aws():
        yield _get(_seed(client("glue")))


@target("hoarfrost server", group="server", scenario="get")
def hoarfrost_server_get():
    with hoarfrost_server() as url:
        yield _get(_seed(client("glue", endpoint_url=server_url(url))))


@target("moto server", group="server", scenario="get")
def moto_server_get():
    with moto_server() as url:
        yield _get(_seed(client("glue", endpoint_url=server_url(url))))


@target("floor (botocore, canned answer)", group="in-process", scenario="page")
def floor_page():
    glue = floor_client("glue", lambda c: _seed(c).get_tables(DatabaseName="bench", MaxResults=100))
    yield _page(glue)


@target("hoarfrost in-process", group="in-process", scenario="page")
def hoarfrost_page():
    import hoarfrost

    with hoarfrost.mock_aws():
        yield _page(_seed(client("glue")))


@target("moto in-process", group="in-process", scenario="page")
def moto_page():
    import moto

    with moto.mock_aws():
        yield _page(_seed(client("glue")))


if __name__ == "__main__":
    for scenario, title in (("get", "Glue GetDatabase (generic engine)"),
                            ("page", f"Glue GetTables, 100 of {TABLES} in one database of two (generic engine)")):
        main(title, reference="floor (botocore, canned answer)", scenario=scenario, ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answer)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ])
