"""The housing journey every benchmark plays: the same inputs for Relais and the baseline.

One person: open the chat, pick English, agree, open Housing, say they rent and cannot
pay, answer age, town (free text), resources, work, justice follow-up, who already helps
them, then skip the three questions for the yearly figures (gender, neighbourhood, known
to the Mission Locale; the flows added these five questions in December 2026, the
journey was 11 turns before), and ask to be contacted. Every
step but the first is a separate inbound message (a turn); the town is typed, the rest
are button taps. The last tap writes an intake and a referral.
"""

from __future__ import annotations

from typing import Final

# (kind, value): "start" opens the conversation, "payload" is a tapped button, "text" typed.
HOUSING_JOURNEY: Final[tuple[tuple[str, str], ...]] = (
    ("start", "en"),
    ("payload", "entry.language.en"),
    ("payload", "entry.consent.agree"),
    ("payload", "menu.main.housing"),
    ("payload", "housing.where_sleep.own_rental"),
    ("payload", "housing.own_problem.rent_arrears"),
    ("payload", "housing.age.18_25"),
    ("text", "Clermont-Ferrand"),
    ("payload", "housing.resources.low"),
    ("payload", "housing.work.job_seeker"),
    ("payload", "housing.justice.no"),
    ("payload", "housing.followed.none"),
    ("payload", "housing.gender.not_said"),
    ("payload", "housing.neighbourhood.not_said"),
    ("payload", "housing.known_to_ml.not_said"),
    ("payload", "housing.summary.contact"),
)

TURNS_PER_JOURNEY: Final = len(HOUSING_JOURNEY)

# The typed town. Short answers repeat across people, and understanding remembers the
# embeddings of short texts (conversations/understanding/encoder.py); so that the
# benchmarks do not measure the memo alone, people type the town in the spellings of
# TOWNS, and one person in four types something of their own (a miss: the model runs).
TOWNS: Final = (
    "Clermont-Ferrand",
    "clermont",
    "Clermont Ferrand",
    "clermont-fd",
    "Riom",
    "Cournon",
    "Issoire",
    "63000",
)
OWN_WAY_EVERY: Final = 4


def typed_town(person_number: int) -> str:
    """What person `person_number` types for the town question."""
    if person_number % OWN_WAY_EVERY == 0:
        return f"Clermont-Ferrand, quartier {person_number}"
    return TOWNS[person_number % len(TOWNS)]
