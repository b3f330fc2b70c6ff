"""The errors guanxi raises for people.

Every error carries one sentence that names what is wrong (the file, line,
column, value) and what is allowed. The command line prints that sentence
alone and exits with ``exit_code``; ``--debug`` adds the traceback.
"""

from __future__ import annotations


class GuanxiError(Exception):
    """An error that stops a job; nothing was written."""

    exit_code = 1


class ConfigError(GuanxiError):
    """``guanxi.toml`` is missing, unreadable or invalid."""


class PackError(GuanxiError):
    """A pack is unknown, broken, or failed inside one of its hooks."""


class ImportFileError(GuanxiError):
    """A file to import cannot be read as a whole (header, encoding, format)."""


class NotFoundError(GuanxiError):
    """A record named on the command line or in a call does not exist."""


class RowsRefused(GuanxiError):
    """Rows given to :meth:`guanxi.Workspace.save` failed the importer's checks.

    ``problems`` holds the first ones as ``{"line", "column", "value",
    "reason"}`` dicts (what the web API answers with 422).
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class UsageError(GuanxiError):
    """The call itself is wrong (an option, an entity name)."""

    exit_code = 2


def did_you_mean(value: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, else ``''``.

    One suggestion, for every "unknown name" error (columns, entities,
    config keys, packs, KPIs, rules): ``manger_id`` -> ``manager_id``.
    """
    import difflib

    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
