"""Moved: appointment reminders are turns of the runtime (bot/reminders.py), and the bus
stop announcement lives in `api.notify.bus_stops`.

Kept only because `api/casework/openings.py` (being rewritten by the casework
refactoring) still imports `announce_bus_stop` from here; delete this file once it
imports `api.notify.bus_stops`.
"""

from api.notify.bus_stops import announce_bus_stop

__all__ = ["announce_bus_stop"]
