"""What can help: the info cards shown at the end of a journey, from the answers given.

Eligibility is only ever a pre-orientation ("you may be eligible; an adviser will
check"), never a refusal or a promised amount. Rules stated in the seeds are marked
[seed]; rules from general knowledge are marked [GK] (see DOMAIN.md §2).

Every local structure or fund shown comes from the deployment's directory, as a service
card: the routed rule's `suggest` and the directory's `advice_cards` whose conditions
hold. The sentences here are national facts naming no local structure (115, ASE/CJM,
social housing, ALT, VISALE, DALO, the FAJ), so a deployment lacking a fund simply
does not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from conversations.formatting import money
from conversations.i18n import N_
from conversations.profile import facts_of
from conversations.routing import RouteDecision, matches, route
from conversations.service_cards import emergency_lines, service_cards

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

REGULAR_STAY: Final = frozenset({"french", "eu", "regular_stay", "bpi", "temporary_protection"})

HOUSING_CARDS: Final = {
    "street": [N_("Call 115 (free, day and night) for a place to sleep tonight.")],
    "emergency_shelter": [
        N_("The 115 (SIAO) also helps you move on from emergency shelter to a stable place."),
    ],
    "hosted_unstable": [
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
}
PROBLEM_CARDS: Final = {
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
# Every département has a youth aid fund; which one is the directory's (by territory).
FAJ_CARD: Final = N_(
    "Youth aid fund (FAJ, 18–25): emergency or temporary help, or help for a project. "
    "An adviser prepares the request; a committee decides."
)
NO_CARD: Final = N_("An adviser will look with you at which help fits your situation.")


def template_values(turn: TurnBuilder) -> dict[str, str]:
    """Values every sentence may use, e.g. {cej_allowance}, from the directory (the
    directory refuses to load when a flow sentence's value is missing)."""
    values = {}
    for name, value in turn.engine.deployment.template_values.items():
        if isinstance(value, dict):
            values[name] = money(float(value["money"]), turn.lang)
        else:
            values[name] = str(value)
    return values


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
CEJ_TOO_YOUNG: Final = N_(
    "The CEJ starts at 16. The Mission Locale can still help you: "
    "ask for an appointment when you turn 16."
)


def _facts(turn: TurnBuilder) -> dict[str, Any]:
    flows = turn.engine.flows
    theme = flows.flows[turn.state.flow].theme if turn.state.flow in flows.flows else "general"
    return facts_of(turn.state, theme)


def _directory_cards(
    turn: TurnBuilder, facts: dict[str, Any], decision: RouteDecision
) -> list[str]:
    """Cards of the routed rule's `suggest` and of the directory's matching advice cards."""
    shown = list(decision.suggest)
    for card in turn.engine.deployment.advice_cards:
        if matches(card.when, facts):
            shown += card.show
    return service_cards(turn, shown)


def housing_help(turn: TurnBuilder) -> list[str]:
    answers = turn.state.answers
    facts = _facts(turn)
    lines = list(HOUSING_CARDS.get(answers.get("housing_situation", ""), []))
    problem = answers.get("housing_problem")
    if problem in PROBLEM_CARDS:
        lines.append(PROBLEM_CARDS[problem])
    lines.append(GUARANTEE_CARD)
    if answers.get("housing_situation") in ("hosted_unstable", "transitional", "emergency_shelter"):
        lines.append(DALO_CARD)
    cards = _directory_cards(turn, facts, route(turn.engine.deployment, facts))
    return [turn.t(N_("What can help you:"))] + ["• " + turn.t(line) for line in lines] + cards


def _variant_summaries(turn: TurnBuilder, facts: dict[str, Any]) -> list[str]:
    """Summaries of the programme variants (a CEJ group for minors…) that the
    directory's rules picking a variant say fit the person."""
    deployment = turn.engine.deployment
    found = []
    for rule in deployment.rules:
        if not rule.variant or not matches(rule.when, facts):
            continue
        for service_id in rule.suggest:
            service = deployment.services.get(service_id)
            variants = service.raw.get("variants") or [] if service else []
            found += [
                v["summary"] for v in variants if v.get("id") == rule.variant and v.get("summary")
            ]
    return [turn.t(summary) for summary in dict.fromkeys(found)]


def cej_eligibility(turn: TurnBuilder) -> list[str]:
    profile, answers = turn.state.profile, turn.state.answers
    band = profile.get("age_band")
    work = profile.get("work_situation")
    rqth = answers.get("rqth") == "yes"
    if band == "u16":
        return [turn.t(CEJ_TOO_YOUNG)]
    if band == "30_plus" or (band == "26_29" and not rqth):
        return [turn.t(CEJ_TOO_OLD)]
    if work == "student" or (work or "").startswith("employed"):
        return [turn.t(CEJ_NOT_NEET)]
    facts = _facts(turn)
    decision = route(turn.engine.deployment, facts)
    return [
        turn.t(CEJ_ELIGIBLE),
        *_variant_summaries(turn, facts),
        *service_cards(turn, decision.suggest),
    ]


def _faj_may_fit(turn: TurnBuilder) -> bool:
    """18–25, regular stay, asking for money, in a commune the directory does not know
    (the directory's cards name the fund of a known territory)."""
    profile, need = turn.state.profile, turn.state.answers.get("aid_need")
    regular = profile.get("status", "not_said") in REGULAR_STAY | {"not_said"}
    return (
        need in ("general_support", "subsistence_today")
        and profile.get("age_band") == "18_25"
        and regular
        and not profile.get("territory")
    )


def aid_funds(turn: TurnBuilder) -> list[str]:
    facts = _facts(turn)
    cards = _directory_cards(turn, facts, route(turn.engine.deployment, facts))
    lines = [FAJ_CARD] if _faj_may_fit(turn) else []
    if not cards and not lines:
        lines.append(NO_CARD)
    lead = turn.t(N_("Help that may fit (an adviser checks; no amount is promised):"))
    return [lead] + ["• " + turn.t(line) for line in lines] + cards


def suggested_services(turn: TurnBuilder) -> list[str]:
    """The cards of the services the routing rules suggest for what the person said
    (profile, answers, the flow's topic), with the emergency numbers a signal fired."""
    decision = route(turn.engine.deployment, _facts(turn))
    numbers = emergency_lines(turn, decision.emergency_contacts)
    texts = ["\n".join(numbers)] if numbers else []
    cards = service_cards(turn, decision.suggest)
    if cards:
        texts += [turn.t(N_("Services that can help you:")), *cards]
    return texts


ADVICE: Final[dict[str, Callable[[TurnBuilder], list[str]]]] = {
    "suggested_services": suggested_services,
    "housing_help": housing_help,
    "cej_eligibility": cej_eligibility,
    "aid_funds": aid_funds,
}
