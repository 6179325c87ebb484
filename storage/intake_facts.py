"""The yearly report's answers an intake keeps, read from the conversation's profile.

Only what the person answered: an answer they did not give, or "I'd rather not say", is
None (counted as "not said", never guessed). Living in a QPV is yes when the answer
raised the directory's `qpv_resident` flag, no when they chose "other", None otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

GENDERS: Final = frozenset({"woman", "man", "other"})
KNOWN_TO_ML: Final = frozenset({"yes", "no"})
QPV_FLAG: Final = "qpv_resident"
NOT_IN_A_QPV: Final = "other"


def intake_facts(profile: Mapping[str, str]) -> dict[str, Any]:
    """The `Intake` columns gender, known_to_ml, qpv_resident and flags."""
    flags = [flag for flag in profile.get("flags", "").split(",") if flag]
    gender, known = profile.get("gender"), profile.get("known_to_ml")
    qpv: bool | None = None
    if QPV_FLAG in flags:
        qpv = True
    elif profile.get("neighbourhood") == NOT_IN_A_QPV:
        qpv = False
    return {
        "gender": gender if gender in GENDERS else None,
        "known_to_ml": known if known in KNOWN_TO_ML else None,
        "qpv_resident": qpv,
        "flags": flags,
    }
