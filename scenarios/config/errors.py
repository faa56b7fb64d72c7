"""Errors a user can cause and fix; the CLI prints them in one line and exits with 2."""

from __future__ import annotations


class UserError(Exception):
    """A problem in the user's input; the message names the file, line or key, and the fix."""
