"""``--dry-run`` and ``--snapshot`` (issue 20): what an import would do, and a
file that is the whole set marking what it leaves out gone, never deleted."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core_helpers import count, counts, write
from guanxi.cli import cli
from guanxi.errors import GuanxiError, UsageError
from guanxi.storage import tables as t

DAY = dt.date(2026, 11, 30)

MANAGERS = "id,name,team_id\nM1,Wang,T1\nM2,Li,T2\n"
TEAMS = "id,name\nT1,North\nT2,South\n"
# Twenty customers: C01-C10 north (M1), C11-C20 south (M2).
CUSTOMERS = "id,name,manager_id,territory\n" + "".join(
    f"C{i:02d},Customer {i},{'M1' if i <= 10 else 'M2'},{'北区' if i <= 10 else '南区'}\n"
    for i in range(1, 21))


def run_cli(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def base(workspace, tmp_path):
    workspace.import_file("teams", write(tmp_path / "teams.csv", TEAMS))
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    workspace.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    return workspace


def without(*ids: str) -> str:
    return "".join(line + "\n" for line in CUSTOMERS.splitlines()
                   if not any(line.startswith(i + ",") for i in ids))


def statuses(ws) -> dict[str, str]:
    return {c.id: c.status for c in ws.customers() if c.status != "active"}


# -- dry run ------------------------------------------------------------------------

def test_a_dry_run_stores_nothing_and_says_what_would_happen(base, tmp_path):
    path = write(tmp_path / "more.csv", "id,name,kind\nC01,Renamed,person\nC21,New,person\n"
                                        "C22,Bad,robot\n")
    before = counts(base)
    code, out, err = run_cli(base, "import", "customers", str(path), "--dry-run",
                             "--format", "json")
    assert (code, err) == (3, "")
    assert json.loads(out) == {
        "entity": "customers", "read": 3, "inserted": 1, "updated": 1, "unchanged": 0,
        "rejected": 1, "rejects_file": str(base.config.directory / "more.rejects.csv"),
        "encoding": "utf-8", "dry_run": True}
    assert counts(base) == before
    assert base.customer("C01").name == "Customer 1"
    assert (base.config.directory / "more.rejects.csv").read_text(encoding="utf-8").splitlines()[1] \
        == 'C22,Bad,robot,4,kind,robot,"not allowed; use one of: person, organization"'
    code, out, _ = run_cli(base, "import", "customers", str(path), "--dry-run")
    assert out.splitlines()[:2] == [
        "Dry run, nothing stored: customers: read 3, inserted 1, updated 1, unchanged 0, "
        "rejected 1",
        "  line 4 kind: not allowed; use one of: person, organization"]
    clean = write(tmp_path / "clean.csv", "id,name\nC23,Fine\n")
    assert run_cli(base, "import", "customers", str(clean), "--dry-run")[0] == 0
    assert count(base, t.customers) == 20


# -- snapshot -------------------------------------------------------------------------

def test_customers_missing_from_a_snapshot_are_lost_never_deleted(base, tmp_path):
    path = write(tmp_path / "all.csv", without("C03", "C15"))
    code, out, err = run_cli(base, "import", "customers", str(path), "--snapshot",
                             "--as-of", "2026-11-30", "--format", "json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert (summary["gone"], summary["unchanged"]) == (2, 18)
    assert statuses(base) == {"C03": "lost", "C15": "lost"}
    assert count(base, t.customers) == 20
    # Again: nothing more goes (lost is not live), and a row coming back is kept.
    result = base.import_file("customers", path, snapshot=True, as_of=DAY)
    assert result.gone == 0


def test_exactly_ten_percent_goes_more_stops_without_force(base, tmp_path):
    # 2 of 20 is 10%: allowed; 3 of 20 is 15%: stopped, nothing written.
    three = write(tmp_path / "three.csv", without("C01", "C02", "C03"))
    code, out, err = run_cli(base, "import", "customers", str(three), "--snapshot")
    assert (code, out) == (1, "")
    assert err == ("Error: three.csv: as a snapshot it would mark 3 of 20 live customers gone "
                   "(15%, more than 10%); nothing was written: check the file is the whole set, "
                   "limit it with --scope, or pass --force\n")
    assert statuses(base) == {}
    two = write(tmp_path / "two.csv", without("C01", "C02"))
    assert base.import_file("customers", two, snapshot=True, as_of=DAY).gone == 2
    code, out, _ = run_cli(base, "import", "customers", str(three), "--snapshot", "--force")
    assert (code, out) == (0, "customers: read 17, inserted 0, updated 0, unchanged 17, "
                              "rejected 0, gone 1\n")
    assert statuses(base) == {"C01": "lost", "C02": "lost", "C03": "lost"}


@pytest.mark.parametrize("scope", ["territory=北区", "team=T1", "manager=M1"])
def test_a_branch_export_with_scope(base, tmp_path, scope):
    north = "id,name,manager_id,territory\n" + "".join(
        f"C{i:02d},Customer {i},M1,北区\n" for i in range(1, 10))  # C10 left out
    path = write(tmp_path / "north.csv", north)
    with pytest.raises(GuanxiError):  # unscoped: the south's ten would go
        base.import_file("customers", path, snapshot=True, as_of=DAY)
    result = base.import_file("customers", path, snapshot=True, scope=scope, as_of=DAY,
                              force=True)
    assert result.gone == 1
    assert statuses(base) == {"C10": "lost"}


def test_a_rejected_row_still_names_its_customer(base, tmp_path):
    path = write(tmp_path / "all.csv", CUSTOMERS.replace("C05,Customer 5,", "C05,,"))
    result = base.import_file("customers", path, snapshot=True, as_of=DAY)
    assert (result.rejected, result.gone) == (1, 0)


def test_a_dry_run_snapshot_counts_and_stores_nothing(base, tmp_path):
    path = write(tmp_path / "all.csv", without("C07"))
    result = base.import_file("customers", path, snapshot=True, dry_run=True, as_of=DAY)
    assert (result.gone, result.dry_run) == (1, True)
    assert statuses(base) == {}


def test_accounts_close_and_contacts_end(base, tmp_path):
    accounts = "id,customer_id,type,status,opened_at,closed_at\n" + "".join(
        f"A{i:02d},C{i:02d},deposit,open,2025-01-01,\n" for i in range(1, 21))
    base.import_file("accounts", write(tmp_path / "accounts.csv", accounts))
    kept = "".join(line + "\n" for line in accounts.splitlines() if not line.startswith("A04,"))
    result = base.import_file("accounts", write(tmp_path / "a2.csv", kept), snapshot=True,
                              as_of=DAY)
    assert result.gone == 1
    with base.engine.connect() as conn:
        a = t.accounts
        assert conn.execute(select(a.c.status, a.c.closed_at).where(a.c.id == "A04")).one() \
            == ("closed", DAY)
        h = t.account_status_history
        assert conn.execute(select(h.c.started_on, h.c.status, h.c.source)
                            .where(h.c.account_id == "A04").order_by(h.c.started_on)).all() == [
            (dt.date(2025, 1, 1), "open", "import"), (DAY, "closed", "snapshot")]
    contacts = "id,customer_id,name\n" + "".join(f"P{i:02d},C{i:02d},P {i}\n" for i in range(1, 21))
    base.import_file("contacts", write(tmp_path / "contacts.csv", contacts))
    kept = "".join(line + "\n" for line in contacts.splitlines() if not line.startswith("P09,"))
    assert base.import_file("contacts", write(tmp_path / "p2.csv", kept), snapshot=True,
                            as_of=DAY).gone == 1
    with base.engine.connect() as conn:
        c = t.contacts
        assert conn.execute(select(c.c.active, c.c.ended_at).where(c.c.id == "P09")).one() == (
            False, DAY)
        assert count(base, t.contacts) == 20


def test_snapshot_options_are_checked(base, tmp_path):
    path = write(tmp_path / "m.csv", MANAGERS)
    with pytest.raises(UsageError, match="--snapshot replaces customers, accounts, contacts"):
        base.import_file("managers", path, snapshot=True)
    with pytest.raises(UsageError, match="go with --snapshot"):
        base.import_file("customers", path, scope="territory=北区")
    with pytest.raises(UsageError, match="is not KEY=VALUE"):
        base.import_file("customers", write(tmp_path / "c.csv", CUSTOMERS), snapshot=True,
                         scope="branch=北区")
