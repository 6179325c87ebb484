"""The baseline: the housing journey written the usual way with python-telegram-bot.

A `ConversationHandler` (persistent) with one state per question, answers kept in
`context.user_data`, intakes and referrals appended to `context.bot_data`, everything
persisted by `PicklePersistence` (its default: written every 60 s and at shutdown; the
final write is inside the timed run). Buttons are inline keyboards; handlers answer the
callback query and reply with the next question.

It is fed the same inputs as Relais, offline: the updates are built before the run and
given to `Application.process_update`; the bot talks to a fake transport that answers
every Bot API call locally (no network), so PTB still builds, serialises and parses every
request and response.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    ExtBot,
    MessageHandler,
    PicklePersistence,
    filters,
)

from bench.cpu import process_cpu
from bench.ptb_offline import FakeTransport, update_dicts
from bench.relais_turns import TurnStats

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

TOKEN = "123456:BENCHMARK-TOKEN"

(
    LANGUAGE,
    CONSENT,
    MENU,
    WHERE_SLEEP,
    OWN_PROBLEM,
    AGE,
    COMMUNE,
    RESOURCES,
    WORK,
    JUSTICE,
    FOLLOWED,
    GENDER,
    NEIGHBOURHOOD,
    KNOWN,
    SUMMARY,
) = range(15)

QUESTIONS: dict[int, tuple[str, list[tuple[str, str]]]] = {
    LANGUAGE: (
        "Hello, I am Relais! I can help you with housing, work (CEJ), money and "
        "appointments. Which language do you want?",
        [("Français", "entry.language.fr"), ("English", "entry.language.en")],
    ),
    CONSENT: (
        "Before we start, a word about your data. What I keep: your answers and our "
        "messages. Why: so that an adviser can help you. How long: 12 months after our "
        "last message. Who sees it: only the advisers of the service. Do you agree?",
        [("Yes, I agree", "entry.consent.agree"), ("No, thank you", "entry.consent.refuse")],
    ),
    MENU: (
        "What can I help you with?",
        [
            ("Housing", "menu.main.housing"),
            ("Work and CEJ", "menu.main.cej"),
            ("Money and aid", "menu.main.aid"),
            ("Appointment", "menu.main.appointment"),
        ],
    ),
    WHERE_SLEEP: (
        "Let's look at your housing. Where do you sleep at the moment?",
        [
            ("Outside, in a car, a squat, or nowhere tonight", "housing.where_sleep.street"),
            ("In an emergency shelter or a hotel (115)", "housing.where_sleep.shelter"),
            ("At friends' or family's, for a short time", "housing.where_sleep.hosted"),
            ("In my own rented home", "housing.where_sleep.own_rental"),
        ],
    ),
    OWN_PROBLEM: (
        "What is the problem with your home?",
        [
            ("I cannot pay the rent", "housing.own_problem.rent_arrears"),
            ("I got an eviction notice", "housing.own_problem.eviction_notice"),
            ("An energy or water bill", "housing.own_problem.energy_bill"),
        ],
    ),
    AGE: (
        "How old are you?",
        [
            ("16 or 17", "housing.age.16_17"),
            ("18 to 25", "housing.age.18_25"),
            ("26 to 29", "housing.age.26_29"),
        ],
    ),
    COMMUNE: ("In which town do you live? Write its name.", []),
    RESOURCES: (
        "How much money do you have each month (work, benefits, allowances)?",
        [
            ("Nothing", "housing.resources.none"),
            ("Less than 580 €", "housing.resources.low"),
            ("580 € to 1,000 €", "housing.resources.mid"),
        ],
    ),
    WORK: (
        "What do you do at the moment?",
        [
            ("No job, no school right now", "housing.work.neet"),
            ("I am looking for a job", "housing.work.job_seeker"),
            ("I am at school or in training", "housing.work.student"),
        ],
    ),
    JUSTICE: (
        "Are you followed by the justice services (PJJ or SPIP)?",
        [
            ("Yes, by the PJJ", "housing.justice.pjj"),
            ("Yes, by the SPIP", "housing.justice.spip"),
            ("No", "housing.justice.no"),
        ],
    ),
    FOLLOWED: (
        "Does someone already help you?",
        [
            ("An adviser of the Mission Locale", "housing.followed.ml_adviser"),
            ("A social worker", "housing.followed.social_worker"),
            ("No one", "housing.followed.none"),
        ],
    ),
    GENDER: (
        "Last questions, for our yearly figures only. You can skip them. Are you…",
        [
            ("A woman", "housing.gender.woman"),
            ("A man", "housing.gender.man"),
            ("I'd rather not say", "housing.gender.not_said"),
        ],
    ),
    NEIGHBOURHOOD: (
        "Do you live in one of these neighbourhoods?",
        [
            ("Croix-de-Neyrat", "housing.neighbourhood.croix-de-neyrat"),
            ("Another one", "housing.neighbourhood.other"),
            ("I'd rather not say", "housing.neighbourhood.not_said"),
        ],
    ),
    KNOWN: (
        "Have you already come to the Mission Locale?",
        [
            ("Yes", "housing.known_to_ml.yes"),
            ("No", "housing.known_to_ml.no"),
            ("I'd rather not say", "housing.known_to_ml.not_said"),
        ],
    ),
    SUMMARY: (
        "Would you like the housing adviser to contact you?",
        [("Yes, contact me", "housing.summary.contact"), ("No", "housing.summary.no_thanks")],
    ),
}


def _keyboard(state: int) -> InlineKeyboardMarkup | None:
    buttons = QUESTIONS[state][1]
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
    )


async def _ask(update: Update, state: int) -> int:
    text = QUESTIONS[state][0]
    if update.callback_query is not None:
        await update.callback_query.answer()
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text, reply_markup=_keyboard(state))
    return state


def _choice(key: str, next_state: int) -> Any:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.callback_query is not None and context.user_data is not None
        context.user_data[key] = (update.callback_query.data or "").rsplit(".", 1)[-1]
        return await _ask(update, next_state)

    return handler


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _ask(update, LANGUAGE)


async def _commune(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["commune"] = (update.message.text or "").strip()[:120]
    return await _ask(update, RESOURCES)


async def _contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None and update.effective_user is not None
    answers = dict(context.user_data)
    intakes = context.bot_data.setdefault("intakes", [])
    intakes.append({"theme": "housing", "user": update.effective_user.id, "answers": answers})
    referrals = context.bot_data.setdefault("referrals", [])
    referrals.append({"theme": "housing", "intake": len(intakes), "status": "new"})
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await update.effective_chat.send_message("Thank you! An adviser will answer you here soon.")
    return await _ask(update, MENU)


def build_conversation() -> ConversationHandler[Any]:
    def on(pattern: str, key: str, next_state: int) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(_choice(key, next_state), pattern=f"^{pattern}")

    with warnings.catch_warnings():
        # "per_message=False": intended, one conversation per chat like Relais.
        warnings.simplefilter("ignore")
        return ConversationHandler(
            entry_points=[CommandHandler("start", _start)],
            states={
                LANGUAGE: [on(r"entry\.language\.", "lang", CONSENT)],
                CONSENT: [on(r"entry\.consent\.agree", "consent", MENU)],
                MENU: [on(r"menu\.main\.housing", "theme", WHERE_SLEEP)],
                WHERE_SLEEP: [
                    on(r"housing\.where_sleep\.own_rental", "housing_situation", OWN_PROBLEM),
                    on(r"housing\.where_sleep\.", "housing_situation", AGE),
                ],
                OWN_PROBLEM: [on(r"housing\.own_problem\.", "housing_problem", AGE)],
                AGE: [on(r"housing\.age\.", "age_band", COMMUNE)],
                COMMUNE: [MessageHandler(filters.TEXT & ~filters.COMMAND, _commune)],
                RESOURCES: [on(r"housing\.resources\.", "resources_band", WORK)],
                WORK: [on(r"housing\.work\.", "work_situation", JUSTICE)],
                JUSTICE: [on(r"housing\.justice\.", "justice", FOLLOWED)],
                FOLLOWED: [on(r"housing\.followed\.", "followed_by", GENDER)],
                GENDER: [on(r"housing\.gender\.", "gender", NEIGHBOURHOOD)],
                NEIGHBOURHOOD: [on(r"housing\.neighbourhood\.", "neighbourhood", KNOWN)],
                KNOWN: [on(r"housing\.known_to_ml\.", "known_to_ml", SUMMARY)],
                SUMMARY: [
                    CallbackQueryHandler(_contact, pattern=r"^housing\.summary\.contact"),
                    on(r"housing\.summary\.", "summary", MENU),
                ],
            },
            fallbacks=[CommandHandler("start", _start)],
            name="housing",
            persistent=True,
            allow_reentry=True,
        )


async def build_application(path: Path) -> AnyApplication:
    bot = ExtBot(TOKEN, request=FakeTransport(), get_updates_request=FakeTransport())
    application = (
        ApplicationBuilder().bot(bot).updater(None).persistence(PicklePersistence(path)).build()
    )
    application.add_handler(build_conversation())
    await application.initialize()
    return application


def updates_for(application: AnyApplication, user_id: int) -> list[Update]:
    return [Update.de_json(data, application.bot) for data in update_dicts(user_id)]


async def play(
    application: AnyApplication,
    updates: list[Update] | list[dict[str, Any]],
    latencies: list[float] | None = None,
) -> None:
    """Feed one person's updates in order (JSON ones are parsed as a webhook would)."""
    for item in updates:
        started = time.perf_counter()
        update = item if isinstance(item, Update) else Update.de_json(item, application.bot)
        await application.process_update(update)
        if latencies is not None:
            latencies.append((time.perf_counter() - started) * 1000)


async def run_people(
    application: AnyApplication,
    people: int,
    concurrency: int,
    first_user: int,
) -> TurnStats:
    journeys = [updates_for(application, first_user + i) for i in range(people)]
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(updates: list[Update]) -> None:
        async with gate:
            await play(application, updates, latencies)

    cpu, started = process_cpu(), time.perf_counter()
    await asyncio.gather(*(one(u) for u in journeys))
    processed = time.perf_counter() - started
    # What the job queue does every `update_interval` (60 s): one tick covers this run.
    await application.update_persistence()
    elapsed = time.perf_counter() - started
    return TurnStats(len(latencies), elapsed, latencies, processed, process_cpu() - cpu)


async def measure_baseline(path: Path, people: int, concurrency: int) -> dict[str, Any]:
    application = await build_application(path)
    try:
        await run_people(application, 8, concurrency, first_user=1)
        stats = await run_people(application, people, concurrency, first_user=1000)
        referrals = len(application.bot_data.get("referrals", []))
        if referrals != people + 8:
            raise AssertionError(f"baseline wrote {referrals} referrals for {people + 8} people")
    finally:
        await application.shutdown()
    return {
        **stats.summary(),
        "in_memory_turns_per_s": round(stats.turns / stats.busy_seconds, 1),
        "persistence_seconds": round(stats.seconds - stats.busy_seconds, 3),
        "people": people,
        "concurrency": concurrency,
        "referrals": referrals,
    }
