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


class UsageError(GuanxiError):
    """The call itself is wrong (an option, an entity name)."""

    exit_code = 2
