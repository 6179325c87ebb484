"""Speech: every bot message read aloud in the person's language (issue 19).

espeak-ng (Debian) makes the sound, opusenc (opus-tools) encodes it as Opus in Ogg, what
Telegram voice notes and browsers play. Audio is made on demand from the text, off the
event loop (asyncio subprocesses), and kept in a bounded in-memory cache only when the
text is a catalog sentence (never anything about a person). docs/voice.md says which
languages have a voice and how well each reads.
"""

from bot.speech.engine import Speech, SpeechConfig

__all__ = ["Speech", "SpeechConfig"]
