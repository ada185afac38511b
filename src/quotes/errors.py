"""The one exception type for a user's mistake, so the CLI can tell it from a bug in quotes.

A :class:`UserInputError` (and its subclasses :class:`quotes.config.ConfigError` and
:class:`quotes.schema.DataValidationError`) says what the user gave wrong (a file, a document, a field, a config key,
an argument) and what to do; ``quotes`` prints its message and exits 2. Any other exception is a bug: the CLI shows
its traceback and exits 1. It subclasses ``ValueError`` so that callers catching ``ValueError`` keep working.
"""

from __future__ import annotations


class UserInputError(ValueError):
    """Bad input from the user: the message names the file / document / field / key and the problem."""
