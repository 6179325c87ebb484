"""Issue 19: how long speech takes for the replies of a real journey, on this machine.

    python -m bench.speech [--rounds 3]

Plays the housing journey (bench/journey.py) in every language that has a voice, reads
each reply aloud (its text, then its choices, as the web chat's 🔊 and Telegram's voice
notes do) with a cache of size 0, so every reply is made from scratch: espeak-ng, then
opusenc, as asyncio subprocesses. Reports the time to make one reply (p50 = a typical
reply, p95, max), per language too; the seconds of speech and the bytes per reply; a
cached reply; and four replies at once. Merges the key "speech" into bench/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.journey import HOUSING_JOURNEY
from bot.speech import Speech, SpeechConfig
from bot.speech.text import labels_of
from conversations.model import Event, Reply, State
from relais.settings import Settings
from relais.wiring import build_engine

RESULTS = Path(__file__).resolve().parent / "results.json"
TARGET_MS = 300.0


def journey_replies(lang: str) -> list[Reply]:
    engine = build_engine(Settings(speech=False))
    state, replies = State(), []
    now = datetime.now(UTC)
    for kind, value in HOUSING_JOURNEY:
        if kind == "start":
            event = Event.start(lang)
        elif kind == "payload":
            event = Event.button(value.replace("language.en", f"language.{lang}"))
        else:
            event = Event.message(value)
        turn = engine.advance(state, event, now)
        state = turn.state
        replies += [r for r in turn.replies if r.text]
    return replies


def _labels(reply: Reply) -> list[str]:
    return labels_of([{"label": b.label, "payload": b.payload} for b in reply.buttons])


def _ogg_seconds(audio: bytes) -> float:
    """Length of an Ogg Opus stream: the last page's granule position at 48 kHz."""
    last = audio.rfind(b"OggS")
    granule = int.from_bytes(audio[last + 6 : last + 14], "little")
    return granule / 48_000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(rounds: int) -> dict[str, Any]:
    settings = Settings(speech=True)
    catalogs = build_engine(settings).catalogs
    cold = Speech(SpeechConfig(cache_bytes=0, rate=settings.speech_rate), catalogs)
    warm = Speech(SpeechConfig(rate=settings.speech_rate), catalogs)
    per_language: dict[str, list[float]] = {}
    seconds, sizes, cached = [], [], []
    everything: list[tuple[str, Reply]] = []
    for lang in cold.voices:
        everything += [(lang, reply) for reply in journey_replies(lang)]
    for _ in range(rounds):
        for lang, reply in everything:
            labels = _labels(reply)
            started = time.perf_counter()
            audio = await cold.audio(reply.text, lang, labels)
            per_language.setdefault(lang, []).append((time.perf_counter() - started) * 1000)
            assert audio is not None
            seconds.append(_ogg_seconds(audio))
            sizes.append(len(audio))
            await warm.audio(reply.text, lang, labels)
            started = time.perf_counter()
            await warm.audio(reply.text, lang, labels)
            cached.append((time.perf_counter() - started) * 1000)
    together: list[float] = []
    for index in range(0, len(everything) - 3, 4):
        batch = everything[index : index + 4]
        started = time.perf_counter()
        await asyncio.gather(*(cold.audio(r.text, lang, _labels(r)) for lang, r in batch))
        together.append((time.perf_counter() - started) * 1000)
    made = [ms for values in per_language.values() for ms in values]
    p50 = statistics.median(made)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "replies": len(made),
        "languages": sorted(per_language),
        "typical_reply_ms_p50": round(p50, 1),
        "reply_ms_p95": round(_percentile(made, 0.95), 1),
        "reply_ms_max": round(max(made), 1),
        "target_ms": TARGET_MS,
        "typical_reply_under_target": p50 < TARGET_MS,
        "p50_ms_per_language": {k: round(statistics.median(v), 1) for k, v in per_language.items()},
        "speech_seconds_p50": round(statistics.median(seconds), 2),
        "bytes_per_reply_p50": int(statistics.median(sizes)),
        "cached_reply_ms_p50": round(statistics.median(cached), 3),
        "four_at_once_ms_p50": round(statistics.median(together), 1) if together else None,
        "engine": "espeak-ng 1.51 + opusenc (opus-tools 0.2), 16 kbit/s, complexity "
        f"{cold.config.complexity}; text and choice labels (navigation buttons not read)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(measure(args.rounds))
    merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged["speech"] = result
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
