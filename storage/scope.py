"""Whose case-related rows a caller may see: one rule, applied by every repository.

An admin sees every structure's rows (`EVERY_STRUCTURE`); a conseiller, their structure's:

- a referral (and its intake, notes and messages) by the structure it is routed to;
- an appointment, and a dated opening (bus stop, one-off slot), by the structure that runs
  its service — the directory's `services[].organisation`, or the organisation of the role
  that takes the service's bookings. The casework layer resolves the structure's service
  ids from the directory (`api/casework/scoping.py`) into `services`;
- a closure by its place: the deployment-wide closures (no place), those of the places the
  structure serves (`places`), and those of its dated openings' places.

A scope without services or places (what a caller's bare `Scope(structure)` is) sees no
appointment, opening or closure of a place: the rule fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from storage.models import Appointment, Closure, Opening, Referral


@dataclass(frozen=True)
class Scope:
    """Every structure's rows, or those of one structure (`Scope(None)`, a conseiller
    without a structure, sees the referrals routed nowhere)."""

    structure: str | None
    everything: bool = False
    # The services this structure runs, and the places it serves (from the directory).
    services: frozenset[str] = field(default_factory=frozenset)
    places: frozenset[str] = field(default_factory=frozenset)

    def allows(self, referral: Referral) -> bool:
        return self.everything or referral.structure == self.structure

    def where(self) -> tuple[ColumnElement[bool], ...]:
        """The referrals in scope."""
        return () if self.everything else (Referral.structure == self.structure,)

    def appointments(self) -> tuple[ColumnElement[bool], ...]:
        return () if self.everything else (Appointment.service.in_(sorted(self.services)),)

    def allows_appointment(self, appointment: Appointment) -> bool:
        return self.everything or appointment.service in self.services

    def openings(self) -> tuple[ColumnElement[bool], ...]:
        return () if self.everything else (Opening.service.in_(sorted(self.services)),)

    def allows_opening(self, opening: Opening) -> bool:
        return self.everything or opening.service in self.services

    def closures(self) -> tuple[ColumnElement[bool], ...]:
        if self.everything:
            return ()
        return (
            or_(
                Closure.place_id.is_(None),
                Closure.place_id.in_(sorted(self.places)),
                Closure.place_id.in_(self.opening_places()),
            ),
        )

    def opening_places(self) -> Any:
        """The places of this structure's dated openings (a subquery)."""
        return select(Opening.place_id).where(*self.openings())


EVERY_STRUCTURE = Scope(None, everything=True)
