"""What a referral is closed with: an outcome of the seeds' closed list and, optionally,
the aid granted (fund, purpose, amount in euros). See `storage/outcomes.py`.

An unknown outcome, fund or purpose, or an amount that is negative, above
`MAX_AID_EUROS` or with more than two decimals, is refused with a 422 naming the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from storage.outcomes import AID_FUNDS, AID_PURPOSES, MAX_AID_EUROS, OUTCOMES, Aid

# Literal of a tuple is the Literal of its values: the closed lists stay in one place.
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
AidFund = Literal[AID_FUNDS]  # type: ignore[valid-type]
AidPurpose = Literal[AID_PURPOSES]  # type: ignore[valid-type]


class AidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fund: AidFund
    purpose: AidPurpose | None = None
    amount_eur: Decimal | None = Field(default=None, ge=0, le=MAX_AID_EUROS, decimal_places=2)

    def aid(self) -> Aid:
        cents = None if self.amount_eur is None else int(self.amount_eur * 100)
        return Aid(self.fund, self.purpose, cents)
