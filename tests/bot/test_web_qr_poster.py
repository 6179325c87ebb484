"""`relais qr SOURCE`: a printable poster (SVG and PNG) whose QR code opens the web chat
or the Telegram bot with that source, and one line per main language (catalogs)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import segno
from babel.messages.pofile import read_po, write_po
from PIL import Image

from conversations.i18n import LOCALES_DIR, Catalogs
from relais.cli import main
from relais.qr_poster import POSTER_LINE, build_poster, code_slots
from relais.qr_poster_render import write_poster

# Stand-in translations, written into a copy of the catalogs by the test only.
TRANSLATED = {
    "fr": "Scannez-moi pour parler avec Relais dans votre langue : logement, travail, argent.",
    "ar": "امسحني للتحدث مع Relais بلغتك: السكن، العمل، المال.",
    "uk": "Скануй мене, щоб поговорити з Relais своєю мовою: житло, робота, гроші.",
    "fa_AF": "مرا اسکن کنید تا با Relais به زبان خود گفتگو کنید: مسکن، کار، پول.",
}


@pytest.fixture
def catalogs(tmp_path: Path) -> Catalogs:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    for lang, text in TRANSLATED.items():
        po = locales / lang / "LC_MESSAGES" / "relais.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        catalog.delete(POSTER_LINE)  # the shipped entry, translated or not
        catalog.add(POSTER_LINE, text)
        with po.open("wb") as handle:
            write_po(handle, catalog)
    return Catalogs(locales)


def test_poster_codes_open_the_chat_and_the_bot_with_the_source(catalogs: Catalogs) -> None:
    poster = build_poster("bus-jaude", catalogs, "https://relais.example.org/", "@RelaisBot")
    assert [c.url for c in poster.codes] == [
        "https://relais.example.org/?source=bus-jaude",
        "https://t.me/RelaisBot?start=bus-jaude",
    ]
    for code in poster.codes:
        expected = segno.make(code.url, error="m", micro=False)
        assert code.modules == tuple(tuple(bool(m) for m in row) for row in expected.matrix_iter())


def test_poster_has_one_line_per_main_language_in_its_direction(catalogs: Catalogs) -> None:
    poster = build_poster("bus-jaude", catalogs, "https://relais.example.org")
    assert [(line.lang, line.direction) for line in poster.lines] == [
        ("fr", "ltr"),
        ("en", "ltr"),
        ("ar", "rtl"),
        ("uk", "ltr"),
        ("fa_AF", "rtl"),
    ]
    assert poster.lines[2].text == TRANSLATED["ar"]


def test_untranslated_languages_are_not_printed_in_english_again(tmp_path: Path) -> None:
    poster = build_poster("bus-jaude", Catalogs(), "https://relais.example.org")
    texts = [line.text for line in poster.lines]
    assert POSTER_LINE in texts and len(texts) == len(set(texts))


def test_svg_and_png_carry_the_code_and_the_lines(catalogs: Catalogs, tmp_path: Path) -> None:
    poster = build_poster("bus-jaude", catalogs, "https://relais.example.org")
    svg, png = write_poster(poster, tmp_path)
    text = svg.read_text(encoding="utf-8")
    assert (
        'xml:lang="fa-AF" direction="rtl"' in text
        and "relais.example.org/?source=bus-jaude" in text
    )
    assert all(word in text for word in ("امسحني", "Скануй", "Scannez-moi"))
    image = Image.open(io.BytesIO(png.read_bytes())).convert("L")
    assert image.size == (1240, 1754)
    # Every module's centre in the PNG is dark exactly where the QR matrix is.
    x, y, side = code_slots(1)[0]
    modules = poster.codes[0].modules
    step = side / len(modules)
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            pixel = image.getpixel((int(x + (col + 0.5) * step), int(y + (row + 0.5) * step)))
            assert (pixel < 128) == dark, (row, col)


def test_cli_writes_both_files_and_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "posters"
    args = ["qr", "mq-champratel", "--base-url", "https://relais.example.org", "--out", str(out)]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "relais-poster-mq-champratel.png",
        "relais-poster-mq-champratel.svg",
    ]
    assert main(["qr", "bad source!", "--base-url", "https://x.org", "--out", str(out)]) == 2
    assert main(["qr", "bus.jaude", "--telegram-bot", "RelaisBot", "--out", str(out)]) == 2
    assert main(["qr", "bus-jaude", "--base-url", "ftp://x.org", "--out", str(out)]) == 2
    assert "relais qr:" in capsys.readouterr().out
