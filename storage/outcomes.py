"""The closed lists a referral is closed with, following the seeds' yearly reports.

Outcomes (DOMAIN.md §6): the Mission Locale's exits (job, of which durable — a contract
of more than six months, the CTAI's "durable job" —, alternance, training, PMSMP, civic
service, CEJ and PACEA signed), CéCler's housing exits (housing found, supported
housing), an aid decided, and the exits that are not a solution. The first nine values
are the ones the API accepted before issue 18; they keep their meaning.

Aid at closing: the fund (FMAJ, FDAJ, FLU, the PACEA and CEJ allowances, the energy
solidarity fund, the ASE pocket money) and the purpose (first necessity, insertion —
CéCler's FAJ split —, mobility, housing, energy), with the amount granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

OUTCOMES: Final = (
    "oriented",
    "housed",
    "cej_signed",
    "aid_granted",
    "training",
    "employment",
    "no_answer",
    "declined",
    "other",
    "employment_durable",
    "alternance",
    "pmsmp",
    "civic_service",
    "pacea_signed",
    "supported_housing",
    "aid_refused",
)
# The CTAI's positive exits: any job, or a (pre-)qualifying training.
POSITIVE_EXITS: Final = frozenset({"employment", "employment_durable", "alternance", "training"})
JOBS: Final = frozenset({"employment", "employment_durable"})
HOUSING: Final = frozenset({"housed", "supported_housing"})

AID_FUNDS: Final = (
    "fmaj",
    "fdaj",
    "flu",
    "pacea_allowance",
    "cej_allowance",
    "energy_fund",
    "ase_pocket_money",
    "other",
)
AID_PURPOSES: Final = ("subsistence", "insertion", "mobility", "housing", "energy", "other")
# The largest single aid accepted, in euros (a typo guard, far above any fund's ceiling).
MAX_AID_EUROS: Final = 100_000


@dataclass(frozen=True)
class Aid:
    """The aid granted at closing: a fund of `AID_FUNDS`, a purpose of `AID_PURPOSES`
    (None: not said) and the amount in euro cents (None: not known)."""

    fund: str
    purpose: str | None = None
    amount_cents: int | None = None
