"""Draw a QR poster (bot/qr_poster.py) as SVG and PNG, with the same layout.

Lines are wrapped and sized with the font's real metrics (Pillow; Arabic and Dari are
shaped right-to-left by libraqm when Pillow has it). The PNG needs a font covering
Latin, Cyrillic and Arabic scripts: DejaVu Sans (Debian `fonts-dejavu-core`) by default.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont, features

from relais.qr_poster import HEIGHT, WIDTH, Poster, PosterCode, PosterLine, code_slots, text_top

INK: Final = "#111827"
BRAND: Final = "#1d4ed8"
FONT_FAMILY: Final = "'DejaVu Sans', 'Noto Sans', Arial, sans-serif"
FONTS: Final = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
TEXT_WIDTH: Final = WIDTH - 160
LARGEST: Final = 46
SMALLEST: Final = 22

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Wrapped = list[tuple[PosterLine, list[str]]]


def _font(size: int, font_path: Path | None, bold: bool = False) -> Font:
    candidates = [font_path] if font_path else list(FONTS)
    for path in candidates:
        if path is None:
            continue
        if bold and path.with_name(path.stem + "-Bold.ttf").exists():
            path = path.with_name(path.stem + "-Bold.ttf")
        if path.exists():
            engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
            return ImageFont.truetype(str(path), size, layout_engine=engine)
    return ImageFont.load_default(size)


def _bidi(line: PosterLine) -> dict[str, Any]:
    """Direction and language for libraqm (the basic layout accepts neither)."""
    if not features.check("raqm"):
        return {}
    return {"direction": line.direction, "language": line.lang.split("_")[0]}


def _wrap(text: str, line: PosterLine, font: Font) -> list[str]:
    rows: list[str] = []
    for word in text.split():
        candidate = f"{rows[-1]} {word}" if rows else word
        if rows and font.getlength(candidate, **_bidi(line)) <= TEXT_WIDTH:
            rows[-1] = candidate
        else:
            rows.append(word)
    return rows


def layout_text(poster: Poster, font_path: Path | None = None) -> tuple[Wrapped, int, Font]:
    """Wrap every language line at the largest font size that fits the page."""
    room = HEIGHT - 60 - text_top(len(poster.codes))
    for size in range(LARGEST, SMALLEST - 1, -2):
        font = _font(size, font_path)
        wrapped = [(line, _wrap(line.text, line, font)) for line in poster.lines]
        rows = sum(len(r) for _, r in wrapped)
        if rows * round(size * 1.3) + len(wrapped) * round(size * 0.6) <= room:
            break
    return wrapped, size, font


def _runs(code: PosterCode) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    runs = []
    for row_index, row in enumerate(code.modules):
        start = None
        for col, dark in enumerate((*row, False)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((row_index, start, col - start))
                start = None
    return runs


def _rows(poster: Poster, wrapped: Wrapped, size: int) -> list[tuple[PosterLine, str, int]]:
    """Each printed row of text with its baseline."""
    y, placed = text_top(len(poster.codes)), []
    for line, rows in wrapped:
        for row in rows:
            y += round(size * 1.3)
            placed.append((line, row, y))
        y += round(size * 0.6)
    return placed


def render_svg(poster: Poster, wrapped: Wrapped, size: int) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT_FAMILY}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{WIDTH // 2}" y="170" text-anchor="middle" font-size="120" '
        f'font-weight="bold" fill="{BRAND}">Relais</text>',
    ]
    for code, (x, y, side) in zip(poster.codes, code_slots(len(poster.codes)), strict=True):
        path = "".join(f"M{c} {r}h{n}v1h-{n}z" for r, c, n in _runs(code))
        parts += [
            f'<path transform="translate({x} {y}) scale({side / len(code.modules):.4f})" '
            f'fill="{INK}" shape-rendering="crispEdges" d="{path}"/>',
            f'<text x="{x + side // 2}" y="{y + side + 40}" text-anchor="middle" '
            f'font-size="26" fill="{INK}">{escape(code.caption)}</text>',
        ]
    for line, row, baseline in _rows(poster, wrapped, size):
        parts.append(
            f'<text x="{WIDTH // 2}" y="{baseline}" text-anchor="middle" font-size="{size}" '
            f'fill="{INK}" xml:lang="{line.lang.replace("_", "-")}" '
            f'direction="{line.direction}" unicode-bidi="embed">{escape(row)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_png(
    poster: Poster, wrapped: Wrapped, size: int, font: Font, font_path: Path | None = None
) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title = _font(120, font_path, bold=True)
    draw.text((WIDTH // 2, 170), "Relais", fill=BRAND, anchor="ms", font=title)
    caption_font = _font(26, font_path)
    for code, (x, y, side) in zip(poster.codes, code_slots(len(poster.codes)), strict=True):
        module = side / len(code.modules)
        for r, c, n in _runs(code):
            box = (x + c * module, y + r * module, x + (c + n) * module, y + (r + 1) * module)
            draw.rectangle([round(v) for v in box], fill=INK)
        draw.text((x + side // 2, y + side + 40), code.caption, INK, caption_font, anchor="ms")
    for line, row, baseline in _rows(poster, wrapped, size):
        draw.text((WIDTH // 2, baseline), row, INK, font, anchor="ms", **_bidi(line))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150), optimize=True)
    return out.getvalue()


def write_poster(poster: Poster, out_dir: Path, font_path: Path | None = None) -> list[Path]:
    """Write relais-poster-SOURCE.svg and .png into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wrapped, size, font = layout_text(poster, font_path)
    svg = out_dir / f"relais-poster-{poster.source}.svg"
    svg.write_text(render_svg(poster, wrapped, size), encoding="utf-8")
    png = out_dir / f"relais-poster-{poster.source}.png"
    png.write_bytes(render_png(poster, wrapped, size, font, font_path))
    return [svg, png]
