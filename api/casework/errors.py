"""The casework's domain errors. They say what went wrong in the conseillers' terms and
know nothing of HTTP: `api.errors.install_error_mapping` maps them to status codes, in
one place. `detail` is shown to the caller as it is.
"""

from __future__ import annotations


class CaseworkError(Exception):
    """A request the casework cannot carry out."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(CaseworkError):
    """Absent, or not visible to this caller (another structure's case is "not found")."""


class Conflict(CaseworkError):
    """The resource is not in a state that allows this."""


class Forbidden(CaseworkError):
    """The caller's role may not do this."""
