"""The voice of each language is measured, not assumed (docs/voice.md): every voice named in
locales/languages.yaml is installed and reads its language's words (not letter by letter,
not in another language); a language left without a voice really has none good enough.
And the pieces: what is said, the cache's bound, what may be cached."""

from __future__ import annotations

import asyncio

import pytest

from bot.speech import Speech, SpeechConfig
from bot.speech.cache import AudioCache
from bot.speech.measure import CANDIDATES, READ_ENOUGH, sample_words, word_is_read
from bot.speech.text import clean, labels_of, public, utterance
from bot.speech.voices import installed_voices
from conversations.i18n import Catalogs
from support.speech import needs_speech

CATALOGS = Catalogs()
tools = needs_speech


def _read_share(lang: str, voice: str) -> float:
    words = sample_words(CATALOGS, lang)
    return sum(word_is_read(voice, w) for w in words) / len(words)


@tools
@pytest.mark.parametrize("language", CATALOGS.languages, ids=lambda x: x.code)
def test_the_chosen_voice_is_installed_and_reads_the_language(language: object) -> None:
    code, voice = language.code, language.voice  # type: ignore[attr-defined]
    if voice is None:
        candidate = CANDIDATES[code]
        assert candidate not in installed_voices() or _read_share(code, candidate) < READ_ENOUGH
        return
    assert voice in installed_voices()
    assert _read_share(code, voice) >= READ_ENOUGH


@tools
async def test_speech_is_ogg_opus_for_every_voiced_language() -> None:
    speech = Speech(SpeechConfig(), CATALOGS)
    assert set(speech.voices) == {x.code for x in CATALOGS.languages if x.voice}
    for code in speech.voices:
        audio = await speech.audio(CATALOGS.gettext(code, "What can I help you with?"), code)
        assert audio is not None and audio.startswith(b"OggS") and b"OpusHead" in audio[:100]
    assert await speech.audio("Hello", "ps") is None


@tools
async def test_the_same_words_asked_twice_at_once_are_made_once() -> None:
    speech = Speech(SpeechConfig(), CATALOGS)
    text = "Un texte qui n'est pas dans le catalogue, 63000"
    first, second = await asyncio.gather(speech.audio(text, "fr"), speech.audio(text, "fr"))
    assert first == second and len(speech.cache) == 0  # not a catalog sentence: not kept


def test_what_is_said_has_no_pictograms_or_bidi_marks() -> None:
    assert clean("📞 \u20683114\u2069 — Numéro national") == "3114 , Numéro national"
    assert clean("🏠 Logement\n\n• Ce que je garde") == "Logement\nCe que je garde"
    said = utterance("Comment je peux t'aider ?", ["🏠 Logement", "ℹ️ Numéros"])
    assert said == "Comment je peux t'aider ?\nLogement.\nNuméros."
    assert len(utterance("Mot. " * 1000)) <= 1500


def test_navigation_buttons_are_not_read() -> None:
    buttons = [
        {"label": "🏠 Logement", "payload": "menu.main.housing"},
        {"label": "⬅ Retour", "payload": "nav.back"},
    ]
    assert labels_of(buttons) == ["🏠 Logement"]


def test_the_cache_is_bounded_in_bytes_least_recently_used_first_out() -> None:
    cache = AudioCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # a is now the most recent
    cache.put("c", b"1234")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"1234")
    assert cache.size <= 10
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None


def test_only_catalog_sentences_may_be_cached() -> None:
    known = CATALOGS.texts("fr")
    menu = CATALOGS.gettext("fr", "What can I help you with?")
    assert public([menu, CATALOGS.gettext("fr", "🏠 Housing")], known)
    assert not public([menu, "Clermont-Ferrand, 19 ans"], known)
    assert not public(["Message de ton conseiller : je t'appelle à 14h"], known)
