"""One file to import, as a user names it: what it is, how it is read, what it means.

:func:`import_file` finds what the file does not say (its encoding and
delimiter, from one sample: :mod:`.sniffing`; its header row below any
title rows), reads its columns and values under the names the
organization's systems use (:mod:`.mapping`), and hands the rows to the
one importer (:mod:`.loader`). ``-`` is standard input.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import attrs

from guanxi.errors import UsageError

__all__ = ["SNAPSHOT_ENTITIES", "FileOptions", "import_file", "parse_scope"]

#: entities a ``--snapshot`` may replace, and what gone means for each (docs/import-formats.md)
SNAPSHOT_ENTITIES = ("customers", "accounts", "contacts")
SCOPE_KEYS = ("territory", "team", "manager")


@attrs.frozen(kw_only=True)
class FileOptions:
    """How one import reads and stores its file, past its rows."""

    #: other column name -> column (None: the header is read as written)
    names: Mapping[str, str] | None = None
    #: column -> source text -> value read
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    encoding: str | None = None
    dry_run: bool = False
    snapshot: bool = False
    #: (key, value) limiting a snapshot: ("territory", "北区")
    scope: tuple[str, str] | None = None
    force: bool = False
    as_of: dt.date | None = None
    #: what rejects call a row's place: "line" (text) or "row" (a sheet's)
    row_word: str = "line"


def parse_scope(text: str | None) -> tuple[str, str] | None:
    """``territory=北区`` -> ("territory", "北区"); None for None."""
    if text is None:
        return None
    key, sep, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not value or key not in SCOPE_KEYS:
        raise UsageError(f"--scope {text!r} is not KEY=VALUE with KEY one of "
                         f"{', '.join(SCOPE_KEYS)}, e.g. territory=北区")
    return key, value


def import_file(rt, entity, path, *, encoding=None, format=None, delimiter=None, sheet=None,
                header_row=None, batch_size=None, progress=None, rejects=None, dry_run=False,
                snapshot=False, scope=None, force=False, as_of=None):
    """Import a file into ``entity``; see :mod:`guanxi.importing.loader`.

    :param path: the file, or ``-`` for standard input (read as ``format``,
        CSV when not given).
    :param encoding: forces the encoding; default: found from a sample.
    :param delimiter: forces CSV's delimiter; default: sniffed.
    :param sheet: an xlsx sheet's name or 1-based number (default: the first).
    :param header_row: the 1-based line (sheet row) of the header; default:
        found below title rows (docs/import-formats.md, "The header row").
    :param progress: called as ``progress(bytes_read, bytes_total)`` after
        each chunk.
    :param rejects: where rejected rows go; default ``<stem>.rejects.csv``
        in the workspace's folder (the config file's).
    :param dry_run: check and count everything, write the rejects file,
        store nothing.
    :param snapshot: the file is the whole set (customers, accounts,
        contacts): rows missing from it are marked gone on ``as_of``
        (default today); ``scope`` (``territory=北区``, ``team=``,
        ``manager=``) limits which rows the file stands for; more than 10%
        gone stops unless ``force``.
    """
    from guanxi.importing.loader import _run, rejects_path
    from guanxi.importing.mapping import (
        check_import_config,
        column_names,
        header_test,
        value_maps,
    )
    from guanxi.importing.readers import open_rows

    if snapshot and entity.name not in SNAPSHOT_ENTITIES:
        raise UsageError(f"--snapshot replaces {', '.join(SNAPSHOT_ENTITIES)}, not {entity.name}")
    if (scope or force) and not snapshot:
        raise UsageError("--scope and --force go with --snapshot")
    scope = parse_scope(scope) if isinstance(scope, str) else scope
    check_import_config(rt.config, rt.plugins.entities(), rt.plugins.fields_of)
    fields = rt.plugins.fields_of(entity.name)
    names = column_names(rt.config, entity, fields)
    known = [*entity.columns, *(f.name for f in fields)]
    with _stdin_if_dash(path, format) as (path, format):
        rejects = Path(rejects) if rejects is not None else rejects_path(path, rt.config.directory)
        with open_rows(path, encoding=encoding, format=format, delimiter=delimiter, sheet=sheet,
                       header_row=header_row, is_header=header_test(known, names)) as source:
            _check_applies(source.format, delimiter=delimiter, sheet=sheet,
                           header_row=header_row)
            tick = (lambda: progress(source.bytes_read, source.bytes_total)) if progress else None
            options = FileOptions(row_word="row" if source.format == "xlsx" else "line",
                names=names, values=value_maps(rt.config, entity.name),
                encoding=getattr(source, "encoding", None), dry_run=dry_run,
                snapshot=snapshot, scope=scope, force=force, as_of=as_of)
            return _run(
                rt, entity, source.header, source.chunks, source_name=path.name,
                rejects=rejects, encoding=options.encoding or "utf-8", batch_size=batch_size,
                progress=tick, options=options,
            )


def _check_applies(format: str, **given) -> None:
    """An option of another format is a usage error, not silently ignored."""
    applies = {"delimiter": ("csv",), "sheet": ("xlsx",), "header_row": ("csv", "xlsx")}
    for name, value in given.items():
        if value is not None and format not in applies[name]:
            option = "--" + name.replace("_", "-")
            raise UsageError(f"{option} applies to {' and '.join(applies[name])} files, "
                             f"not {format}")


class _stdin_if_dash:
    """``-``: standard input copied to a temporary ``stdin.<format>``.

    Copied, not streamed, because the readers take a sample and start again
    (and a progress bar needs a size); the copy streams in blocks, so memory
    stays flat, and it is removed afterwards.
    """

    def __init__(self, path, format) -> None:
        self.path, self.format, self.folder = Path(path), format, None

    def __enter__(self):
        if str(self.path) != "-":
            return self.path, self.format
        format = self.format or "csv"
        self.folder = tempfile.mkdtemp(prefix="guanxi-stdin-")
        path = Path(self.folder) / f"stdin.{format}"
        with open(path, "wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
        return path, format

    def __exit__(self, *exc_info) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
