"""Text → Opus-in-Ogg audio with espeak-ng and opusenc, off the event loop.

`espeak-ng --stdout` writes WAV into a pipe that `opusenc` reads: two asyncio
subprocesses working side by side, a few at a time (`concurrency`), each run bounded by
`timeout`. Two requests for the same words share one run. Audio of catalog sentences is
kept in a bounded LRU (bot/speech/cache.py); any other text is made for the request and
forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from bot.speech.cache import AudioCache
from bot.speech.text import public, utterance
from bot.speech.voices import voice_table
from conversations.i18n import Catalogs

log = logging.getLogger(__name__)


class SpeechError(RuntimeError):
    """The speech tools failed, timed out or wrote no audio."""


@dataclass(frozen=True)
class SpeechConfig:
    enabled: bool = True
    espeak: str = "espeak-ng"
    opusenc: str = "opusenc"
    # Words per minute (espeak-ng's default is 175; slower is easier to follow).
    rate: int = 150
    bitrate_kbps: int = 16
    # opusenc's encoding effort, 0 (fastest) to 10: speech at 16 kbit/s sounds the same.
    complexity: int = 1
    cache_bytes: int = 32 * 1024 * 1024
    concurrency: int = 4
    timeout_seconds: float = 20.0


class Speech:
    def __init__(self, config: SpeechConfig, catalogs: Catalogs) -> None:
        self.config = config
        self.catalogs = catalogs
        self.cache = AudioCache(config.cache_bytes)
        self._espeak = shutil.which(config.espeak)
        self._opusenc = shutil.which(config.opusenc)
        tools = config.enabled and self._espeak is not None and self._opusenc is not None
        if config.enabled and not tools:
            log.warning("speech: espeak-ng or opusenc is missing; no message is read aloud")
        self.voices: dict[str, str] = voice_table(catalogs, config.espeak) if tools else {}
        names = frozenset(language.name for language in catalogs.languages)
        self._known = {code: catalogs.texts(code) | names for code in self.voices}
        self._running: dict[str, asyncio.Future[bytes]] = {}
        self._slots = asyncio.Semaphore(config.concurrency)

    def speaks(self, lang: str | None) -> bool:
        return lang in self.voices

    def cacheable(self, lang: str, text: str, labels: Sequence[str] = ()) -> bool:
        return public([text, *labels], self._known.get(lang, frozenset()))

    async def audio(self, text: str, lang: str | None, labels: Sequence[str] = ()) -> bytes | None:
        """The message read aloud in `lang` (Ogg/Opus), or None when `lang` has no voice
        or there is nothing to say. Raises SpeechError when the tools fail."""
        voice = self.voices.get(lang or "")
        if voice is None or lang is None:
            return None
        words = utterance(text, labels)
        if not words:
            return None
        config = self.config
        key = hashlib.sha256(
            f"{voice}\0{config.rate}\0{config.bitrate_kbps}\0{config.complexity}\0{words}".encode()
        ).hexdigest()
        keep = self.cacheable(lang, text, labels)
        if keep and (cached := self.cache.get(key)) is not None:
            return cached
        running = self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            audio = await self._synthesize(voice, words)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: waiters get it, nobody else is warned
            raise
        finally:
            self._running.pop(key, None)
        if keep:
            self.cache.put(key, audio)
        future.set_result(audio)
        return audio

    async def _synthesize(self, voice: str, words: str) -> bytes:
        assert self._espeak is not None and self._opusenc is not None
        config = self.config
        async with self._slots:
            read, write = os.pipe()
            processes: list[asyncio.subprocess.Process] = []
            try:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        self._espeak, "-v", voice, "-s", str(config.rate), "-b", "1",
                        "--stdin", "--stdout",
                        stdin=asyncio.subprocess.PIPE, stdout=write,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )  # fmt: skip
                processes.append(
                    await asyncio.create_subprocess_exec(
                        self._opusenc, "--quiet", "--speech", "--comp", str(config.complexity),
                        "--bitrate", str(config.bitrate_kbps), "-", "-",
                        stdin=read, stdout=asyncio.subprocess.PIPE,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )  # fmt: skip
            except BaseException:
                _kill(processes)
                raise
            finally:
                os.close(read)
                os.close(write)
            espeak, opus = processes
            try:
                async with asyncio.timeout(config.timeout_seconds):
                    _, (ogg, _) = await asyncio.gather(
                        espeak.communicate(words.encode()), opus.communicate()
                    )
            except BaseException:
                _kill(processes)
                await asyncio.gather(*(p.wait() for p in processes), return_exceptions=True)
                raise
        if espeak.returncode or opus.returncode or not ogg.startswith(b"OggS"):
            raise SpeechError(f"speech tools failed ({espeak.returncode}, {opus.returncode})")
        return ogg


def _kill(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
