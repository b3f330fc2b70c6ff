"""A job that reads before it writes takes SQLite's write lock first.

On SQLite a deferred transaction that has read (filling a temporary work
table from the base) and then writes is refused at once with "database is
locked" when another connection committed a write in between, whatever the
busy timeout: it happened to the daily batch while a manager marked tasks
done on a page. The batch's transactions begin IMMEDIATE instead
(``storage.connection.writing_engine``), so the other writer waits. These
tests hold two connections to one SQLite file; the storage layer alone, so
they run on SQLite whichever database the rest of the suite uses.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text, update
from sqlalchemy.exc import OperationalError

from guanxi.storage.connection import connect, writing_engine

metadata = MetaData()
counters = Table("counters", metadata, Column("id", Integer, primary_key=True),
                 Column("n", Integer))


@pytest.fixture
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'ahead.db'}", lock_timeout=0.2)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(counters).values(id=1, n=0))
    yield engine
    engine.dispose()


def _read_into_work_table(conn) -> None:
    # What a job does first: a temporary work table filled from the base.
    conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS work (n INTEGER)"))
    conn.execute(text("INSERT INTO work SELECT n FROM counters"))


def _short_write(engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(counters).values(n=counters.c.n + 10))


def test_a_deferred_job_is_refused_when_a_short_write_came_between(engine):
    # The failure the batch met: read first, another write commits, then write.
    with engine.connect() as job:
        job.begin()
        _read_into_work_table(job)
        _short_write(engine)
        with pytest.raises(OperationalError, match="database is locked"):
            job.execute(update(counters).values(n=counters.c.n + 1))
        job.rollback()


def test_a_job_begun_immediate_makes_the_short_write_wait_and_both_count(engine):
    with writing_engine(engine).connect() as job:
        job.begin()
        _read_into_work_table(job)
        # The job holds the write lock from its first statement: the short
        # write waits (here past its 0.2 s timeout) instead of slipping in.
        with pytest.raises(OperationalError, match="database is locked"):
            _short_write(engine)
        job.execute(update(counters).values(n=counters.c.n + 1))
        job.commit()
    _short_write(engine)   # its turn, once the job committed
    with engine.connect() as conn:
        assert conn.execute(select(counters.c.n)).scalar_one() == 11


def test_reads_and_short_writes_still_begin_deferred(engine):
    # Only the batch's engine asks for IMMEDIATE: a page's read holds no lock.
    with engine.connect() as reader:
        reader.begin()
        assert reader.execute(select(counters.c.n)).scalar_one() == 0
        _short_write(engine)          # not blocked by the open read
        reader.rollback()
    with writing_engine(engine).connect() as job, engine.connect() as reader:
        job.begin()
        _read_into_work_table(job)
        job.execute(update(counters).values(n=counters.c.n + 1))
        # WAL: a reader sees the last committed state while the job writes.
        assert reader.execute(select(counters.c.n)).scalar_one() == 10
        job.commit()



def test_the_batch_and_the_importers_move_begin_immediate_and_reads_do_not(tmp_path):
    # Which transactions ask for the write lock first: every job of the
    # batch, and the import's checks and move (after the file is staged);
    # not the staging itself, nor a read.
    from sqlalchemy import event

    import guanxi
    from guanxi.config import write_config
    from guanxi.storage.connection import WRITES_AHEAD

    config = write_config(tmp_path / "guanxi.toml", database=f"sqlite:///{tmp_path / 'w.db'}",
                          packs=[])
    path = tmp_path / "managers.csv"
    path.write_text("id,name\nM1,Li\nM2,Wang\n", encoding="utf-8")
    with guanxi.open(config) as ws:
        ws.upgrade()
        begun: list[bool] = []
        event.listen(ws.engine, "begin",
                     lambda conn: begun.append(bool(conn.get_execution_options().get(WRITES_AHEAD))))
        ws.import_file("managers", path)
        # Staged; checked and moved; the stage dropped on that connection; the
        # audit entry, a short write of its own.
        assert begun == [False, True, True, False]
        begun.clear()
        ws.tasks()
        assert begun and not any(begun)
        begun.clear()
        ws.run(as_of=dt.date(2026, 11, 23))
        assert True in begun
