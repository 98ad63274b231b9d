"""Draw the full-time match card as a PNG (Pillow).

The fonts are bundled (DejaVu Sans, Bitstream Vera licence, ``fonts/LICENSE``), so the picture
is the same on every machine, offline. DejaVu Sans covers Latin, Greek, Cyrillic, Armenian,
Georgian, Hebrew and Arabic letters; a character it lacks (Chinese, Japanese, Korean) is left out
of the name rather than drawn as an empty box. The picture
is drawn once per card (its ``key`` names the match, the language and the content): every chat
shares the bytes.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.messages.model import CardSide, MatchCard

FONTS = Path(__file__).resolve().parent / "fonts"
WIDTH, HEIGHT = 1200, 675
BACKGROUND = (16, 24, 32)
PANEL = (28, 38, 50)
TEXT = (240, 242, 245)
MUTED = (150, 160, 172)
NEUTRAL = (90, 100, 112)
GOOD = (46, 184, 92)
BAD = (220, 53, 69)
RED_CARD = (214, 40, 40)
Font = ImageFont.FreeTypeFont


@cache
def font(size: int, bold: bool = False) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


@cache
def _has_glyph(face: Font, char: str) -> bool:
    """Whether the font draws ``char`` (not its empty "missing glyph" box)."""
    if char.isspace():
        return True
    return _glyph(face, char) != _glyph(face, "\U0010fffe")


@cache
def _glyph(face: Font, char: str) -> bytes:
    size = int(face.size * 2)
    image = Image.new("L", (size, size))
    ImageDraw.Draw(image).text((0, 0), char, font=face, fill=255)
    return image.tobytes()


def drawable(text: str, face: Font) -> str:
    """``text`` without the characters the bundled font cannot draw (they would be boxes)."""
    return "".join(c for c in text if _has_glyph(face, c))


def _hex(colour: str | None) -> tuple[int, int, int]:
    if colour and len(colour) == 7 and colour.startswith("#"):
        try:
            return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
        except ValueError:
            pass
    return NEUTRAL


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, bold: bool) -> Font:
    """The largest font up to ``size`` in which ``text`` fits ``width``."""
    while size > 14:
        face = font(size, bold)
        if draw.textlength(drawable(text, face), font=face) <= width:
            return face
        size -= 2
    return font(size, bold)


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    face: Font,
    fill: tuple[int, int, int],
    anchor: str = "la",
    width: int | None = None,
) -> None:
    shown = drawable(text, face)
    if width is not None:
        while shown and draw.textlength(shown, font=face) > width:
            shown = shown[:-2] + "…"
    draw.text(xy, shown, font=face, fill=fill, anchor=anchor)


def _side(draw: ImageDraw.ImageDraw, side: CardSide, x0: int, x1: int, top: int) -> int:
    """A team's column: its scorers, then its red cards; returns the y below them."""
    centre = (x0 + x1) // 2
    y = top
    small = font(24)
    for scorer in side.scorers[:5]:
        _text(draw, (centre, y), scorer, small, TEXT, "ma", x1 - x0 - 20)
        y += 32
    if len(side.scorers) > 5:
        _text(draw, (centre, y), "…", small, MUTED, "ma")
        y += 32
    for red in side.red_cards[:3]:
        width = draw.textlength(drawable(red, small), font=small)
        left = centre - (width + 26) / 2
        draw.rounded_rectangle((left, y + 2, left + 16, y + 24), radius=2, fill=RED_CARD)
        _text(draw, (left + 26, y), red, small, TEXT, "la", x1 - x0 - 46)
        y += 32
    return y


def _kicks(draw: ImageDraw.ImageDraw, kicks: tuple[bool, ...], centre: int, y: int) -> None:
    size, gap = 22, 8
    shown = kicks[:10]
    left = centre - (len(shown) * (size + gap) - gap) / 2
    for i, scored in enumerate(shown):
        x = left + i * (size + gap)
        box = (x, y, x + size, y + size)
        if scored:
            draw.ellipse(box, fill=GOOD)
        else:
            draw.ellipse(box, outline=BAD, width=3)
            draw.line((x + 6, y + 6, x + size - 6, y + size - 6), fill=BAD, width=3)
            draw.line((x + size - 6, y + 6, x + 6, y + size - 6), fill=BAD, width=3)


def _stats(draw: ImageDraw.ImageDraw, card: MatchCard, top: int) -> None:
    rows = card.stats[: max(0, (HEIGHT - 30 - top) // 40)]
    if not rows:
        return
    draw.rounded_rectangle((120, top - 12, WIDTH - 120, top + 40 * len(rows)), 14, fill=PANEL)
    home, away = _hex(card.home.colour), _hex(card.away.colour)
    label_face, value_face = font(22), font(24, bold=True)
    for i, stat in enumerate(rows):
        y = top + i * 40
        _text(draw, (WIDTH // 2, y + 4), stat.label, label_face, MUTED, "ma", 360)
        _text(draw, (200, y + 2), stat.home, value_face, TEXT, "la")
        _text(draw, (WIDTH - 200, y + 2), stat.away, value_face, TEXT, "ra")
        if stat.share is not None:
            left, right, bar_y = 300, WIDTH - 300, y + 32
            split = left + (right - left) * max(0.0, min(1.0, stat.share))
            draw.rectangle((left, bar_y, split, bar_y + 4), fill=home)
            draw.rectangle((split, bar_y, right, bar_y + 4), fill=away)


def draw_card(card: MatchCard) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    # the competition and the date
    _text(draw, (40, 30), card.heading, font(26), MUTED, "la", WIDTH // 2 + 100)
    _text(draw, (WIDTH - 40, 30), card.date, font(26), MUTED, "ra")
    half = WIDTH // 2
    for side, x0 in ((card.home, 0), (card.away, half)):
        draw.rectangle((x0 + 40, 80, x0 + half - 40, 88), fill=_hex(side.colour))
        name_face = _fit(draw, side.name, 44, half - 200, bold=True)
        _text(draw, (x0 + half // 2, 110), side.name, name_face, TEXT, "ma", half - 120)
    # the score, what it was (full time), and how (extra time, penalties)
    _text(draw, (half, 160), card.score, font(110, bold=True), TEXT, "ma")
    _text(draw, (half, 290), card.status.upper(), font(24, bold=True), MUTED, "ma")
    y = 330
    if card.note:
        _text(draw, (half, y), card.note, font(24), TEXT, "ma", WIDTH - 160)
        y += 40
    if card.home.kicks or card.away.kicks:
        _kicks(draw, card.home.kicks, half // 2, y)
        _kicks(draw, card.away.kicks, half + half // 2, y)
        if card.shootout_label:
            _text(draw, (half, y), card.shootout_label, font(20), MUTED, "ma")
        y += 40
    bottom = max(
        _side(draw, card.home, 40, half - 20, y + 6),
        _side(draw, card.away, half + 20, WIDTH - 40, y + 6),
    )
    _stats(draw, card, max(bottom + 24, HEIGHT - 30 - 40 * len(card.stats)))
    return image


def render_card(card: MatchCard) -> bytes:
    """The card as PNG bytes."""
    out = io.BytesIO()
    draw_card(card).save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
