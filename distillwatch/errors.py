"""The one error type for a user's mistake: the CLI prints its message on one line and exits non-zero.

Commands raise `UsageError` for what the user can fix (a path, an option value, a locked store); anything else
that escapes a command is a bug and keeps its traceback.
"""

from __future__ import annotations


class UsageError(Exception):
    """A mistake in how a command was called, or in what it was pointed at, stated in terms the user can act on."""


# Exit status for a usage error (argparse uses the same for its own).
USAGE_EXIT_STATUS = 2


def store_error(path: str, error: Exception) -> UsageError:
    """Why the DuckDB store at `path` cannot be opened, in one line (DuckDB's own message names a locking process)."""
    message = str(error).splitlines()[0]
    if "Could not set lock" in message:
        return UsageError(f"DuckDB store {path} is in use by another process; stop it first ({message})")
    return UsageError(f"cannot open DuckDB store {path}: {message}")
