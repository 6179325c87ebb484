"""The speech tools (Debian espeak-ng and opus-tools, installed by .ci/run): tests that need
them are skipped locally when they are missing, and run (and fail) in CI."""

from __future__ import annotations

import os
import shutil

import pytest

HAVE_TOOLS = shutil.which("espeak-ng") is not None and shutil.which("opusenc") is not None
needs_speech = pytest.mark.skipif(
    not HAVE_TOOLS and os.environ.get("CI", "").lower() != "true",
    reason="espeak-ng and opusenc (Debian: espeak-ng, opus-tools) are not installed",
)
