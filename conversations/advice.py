"""What can help: the info cards shown at the end of a journey, from the answers given.

Eligibility is only ever a pre-orientation ("you may be eligible; an adviser will
check"), never a refusal or a promised amount. Rules stated in the seeds are marked
[seed]; rules from general knowledge are marked [GK] (see DOMAIN.md §2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from conversations.formatting import money
from conversations.i18n import N_

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

METROPOLE: Final = "clermont-auvergne-metropole"
REGULAR_STAY: Final = frozenset({"french", "eu", "regular_stay", "bpi", "temporary_protection"})

HOUSING_CARDS: Final = {
    "street": [N_("Call 115 (free, day and night) for a place to sleep tonight.")],
    "emergency_shelter": [
        N_("The 115 (SIAO) also helps you move on from emergency shelter to a stable place."),
    ],
    "hosted_unstable": [
        N_(
            "Housing advice for young people (CLLAJ-type service): someone helps you look for "
            "a place, prepare your file and your budget."
        ),
        N_(
            "ALT temporary housing: a furnished place for a few months, with support, while "
            "you find your own home."
        ),
    ],
    "family_home": [
        N_(
            "Social housing application: you can apply from 18 with an ID and your income "
            "papers; an adviser helps you fill it in."
        ),
    ],
    "care_placement": [
        N_(
            "Leaving child welfare (ASE): ask your ASE referent about a young adult contract "
            "(CJM) and prepare your housing at least 6 months before you turn 18."
        ),
    ],
    "transitional": [
        N_(
            "From temporary housing, an adviser helps you apply for social housing and "
            "prepare the move."
        ),
    ],
    "own_rental": [
        N_(
            "FSL (housing solidarity fund): help with a deposit, the first rent or rent "
            "arrears; an adviser or social worker makes the request."
        ),
    ],
}
PROBLEM_CARDS: Final = {
    "rent_arrears": N_(
        "Rent arrears: do not wait. The FSL can help, and an adviser can talk "
        "to your landlord with you."
    ),
    "eviction_notice": N_(
        "Eviction notice: get help now. The ADIL gives free legal advice on "
        "housing, and an adviser can ask the FSL."
    ),
    "energy_bill": N_("Energy or water bill: the energy solidarity fund can pay part of it."),
    "poor_condition": N_("Unsafe or unhealthy flat: the ADIL tells you your rights for free."),
    "family_conflict": N_(
        "Family conflict: some services offer a room with support for "
        "young people who must leave home. An adviser will look with you."
    ),
}
GUARANTEE_CARD: Final = N_(
    "No guarantor? VISALE is a free rent guarantee from Action Logement, and LOCA-PASS can "
    "advance your deposit."
)  # VISALE/LOCA-PASS details are general knowledge [GK]
DALO_CARD: Final = N_(
    "Waiting too long for social housing? The DALO (right to housing) lets you ask a "
    "commission to make your case a priority."
)


def template_values(turn: TurnBuilder) -> dict[str, str]:
    """Values every sentence may use, e.g. {cej_allowance}, from the directory."""
    service = turn.engine.deployment.services.get("ml-cej")
    amounts = service.raw.get("amounts", []) if service else []
    allowance = next((a for a in amounts if a.get("label", "").endswith("maximum")), None)
    if allowance is None:
        return {}
    year = str(allowance.get("valid_from", ""))[:4]
    return {"cej_allowance": money(float(allowance["value"]), turn.lang), "cej_year": year}


CEJ_TOO_OLD: Final = N_(
    "The CEJ is for people under 26 (under 30 with a disability "
    "recognition, RQTH). An adviser can tell you about other help."
)
CEJ_NOT_NEET: Final = N_(
    "The CEJ is for people who are not in a stable job or in studies. "
    "If this changes, come back: an adviser can also tell you about "
    "other support."
)
CEJ_ELIGIBLE: Final = N_(
    "Good news: you may be eligible for the CEJ. An adviser will check with you."
)
CEJ_MINORS: Final = N_("At 16–17 there is a CEJ group made for minors.")


def housing_help(turn: TurnBuilder) -> list[str]:
    answers = turn.state.answers
    cards = list(HOUSING_CARDS.get(answers.get("housing_situation", ""), []))
    problem = answers.get("housing_problem")
    if problem in PROBLEM_CARDS:
        cards.append(PROBLEM_CARDS[problem])
    cards.append(GUARANTEE_CARD)
    if answers.get("housing_situation") in ("hosted_unstable", "transitional", "emergency_shelter"):
        cards.append(DALO_CARD)
    return [turn.t(N_("What can help you:"))] + ["• " + turn.t(card) for card in cards]


def cej_eligibility(turn: TurnBuilder) -> list[str]:
    profile, answers = turn.state.profile, turn.state.answers
    band = profile.get("age_band")
    work = profile.get("work_situation")
    rqth = answers.get("rqth") == "yes"
    if band == "u16":
        return [
            turn.t(
                N_(
                    "The CEJ starts at 16. The Mission Locale can still help you: "
                    "ask for an appointment when you turn 16."
                )
            )
        ]
    if band == "30_plus" or (band == "26_29" and not rqth):
        return [
turn.t(CEJ_TOO_OLD)
        ]
    if work == "student" or (work or "").startswith("employed"):
        return [
turn.t(CEJ_NOT_NEET)
        ]
    texts = [
turn.t(CEJ_ELIGIBLE)
    ]
    if band == "16_17":
        texts.append(turn.t(CEJ_MINORS))
    if profile.get("status") == "bpi":
        texts.append(
            turn.t(
                N_(
                    "There is a CEJ group for refugees (international protection), "
                    "with French classes."
                )
            )
        )
    return texts


def aid_funds(turn: TurnBuilder) -> list[str]:
    profile, answers = turn.state.profile, turn.state.answers
    need = answers.get("aid_need")
    adult_young = profile.get("age_band") == "18_25"
    regular = profile.get("status", "not_said") in REGULAR_STAY | {"not_said"}
    cards: list[str] = []
    if need in ("subsistence_today", "transport", "general_support"):
        cards.append(
            N_(
                "FLU (local urgent fund of the Mission Locale): quick help for food, "
                "a laundry card, bus tickets, a phone or SIM card. Ask your Mission "
                "Locale adviser; the answer can come the same day."
            )
        )
    if need in ("general_support", "subsistence_today") and adult_young and regular:
        territory = profile.get("territory")
        if territory == METROPOLE:
            cards.append(
                N_(
                    "FMAJ (youth aid fund of the Métropole, 18–25): emergency or "
                    "temporary help, or help for a project. An adviser prepares the "
                    "request; a committee decides."
                )
            )
        elif territory:
            cards.append(
                N_(
                    "FDAJ (youth aid fund of the Puy-de-Dôme, 18–25): emergency or "
                    "temporary help, or help for a project. An adviser prepares the "
                    "request; a committee decides."
                )
            )
        else:
            cards.append(
                N_(
                    "Youth aid fund (FAJ, 18–25): the FMAJ if you live in the "
                    "Métropole, the FDAJ elsewhere in the Puy-de-Dôme. An adviser "
                    "prepares the request; a committee decides."
                )
            )
    if need == "energy_water_bill":
        cards.append(
            N_(
                "Energy solidarity fund: pays part of an electricity, gas or water "
                "bill and keeps your supply on. Ask a social worker or your adviser."
            )
        )
    if need == "transport":
        cards.append(
            N_("Solidarity bus pass: a cheaper bus pass. The Mission Locale helps you ask for it.")
        )
    if not cards:
        cards.append(N_("An adviser will look with you at which help fits your situation."))
    lead = turn.t(N_("Help that may fit (an adviser checks; no amount is promised):"))
    return [lead] + ["• " + turn.t(card) for card in cards]


ADVICE: Final[dict[str, Callable[[TurnBuilder], list[str]]]] = {
    "housing_help": housing_help,
    "cej_eligibility": cej_eligibility,
    "aid_funds": aid_funds,
}
