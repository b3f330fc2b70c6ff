"""The example files of docs/examples import cleanly, in order, and round-trip."""

import csv

import pytest

ORDER = ["teams", "managers", "customers", "contacts", "accounts", "interactions",
         "measurements", "customer_team", "lists", "targets"]

EXPECTED_ROWS = {"teams": 2, "managers": 5, "customers": 6, "contacts": 3, "accounts": 4,
                 "interactions": 5, "measurements": 5, "customer_team": 2, "lists": 2,
                 "targets": 3}


def _import_all(ws, examples):
    return {e: ws.import_file(e, examples / f"{e}.csv") for e in ORDER}


def test_every_example_file_imports_without_rejects(workspace, examples):
    results = _import_all(workspace, examples)
    for entity, result in results.items():
        assert (result.read, result.inserted, result.rejected) == (EXPECTED_ROWS[entity],) * 2 + (0,), entity
        assert result.rejects_file is None


def test_reimporting_the_same_files_changes_nothing(workspace, examples):
    _import_all(workspace, examples)
    again = _import_all(workspace, examples)
    for entity, result in again.items():
        assert result.as_json() == {
            "entity": entity, "read": EXPECTED_ROWS[entity], "inserted": 0, "updated": 0,
            "unchanged": EXPECTED_ROWS[entity], "rejected": 0, "rejects_file": None,
            "encoding": "utf-8", "dry_run": False,
        }


@pytest.mark.parametrize("entity", ORDER)
def test_export_then_import_changes_nothing(workspace, examples, tmp_path, entity):
    _import_all(workspace, examples)
    out = tmp_path / f"{entity}-out.csv"
    exported = workspace.export(entity, out)
    assert exported.rows == EXPECTED_ROWS[entity]
    with open(out, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(examples / f"{entity}.csv", newline="", encoding="utf-8") as handle:
        assert header == next(csv.reader(handle))
    result = workspace.import_file(entity, out)
    assert (result.unchanged, result.updated, result.inserted) == (EXPECTED_ROWS[entity], 0, 0)


def test_jsonl_example_imports(workspace, examples):
    _import_all(workspace, examples)
    result = workspace.import_file("customers", examples / "customers.jsonl")
    assert (result.read, result.inserted, result.rejected) == (2, 2, 0)
    assert workspace.customer("C0102").status == "prospect"
    assert workspace.customer("C0102").created_at is None


def test_unowned_customers_are_counted(workspace, examples):
    _import_all(workspace, examples)
    # C0006 has no manager; C0005's manager M005 has left (active = false).
    assert [c.id for c in workspace.customers(unowned=True)] == ["C0005", "C0006"]
    assert workspace.count_unowned() == 2
