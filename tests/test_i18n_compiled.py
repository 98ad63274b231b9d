"""The Italian catalogue compiled once and kept (``bot.messages.i18n._compiled``): the same
sentences as compiling the ``.po`` anew, and an edited ``.po`` is compiled again."""

from __future__ import annotations

import gettext
import io
import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.messages import i18n


def _fresh(po: Path) -> bytes:
    compiled = io.BytesIO()
    with po.open("rb") as source:
        write_mo(compiled, read_po(source, domain=po.stem))
    return compiled.getvalue()


def _italian(mo: bytes, message: str) -> str:
    return gettext.GNUTranslations(io.BytesIO(mo)).gettext(message)


def test_the_kept_catalogue_is_the_po_compiled(tmp_path: Path) -> None:
    po = tmp_path / "matchbot.po"
    shutil.copy(i18n.catalogue_path("it"), po)
    first = i18n._compiled(po)
    assert first == _fresh(po)
    kept = list((tmp_path / "__pycache__").glob("matchbot.*.mo"))
    assert len(kept) == 1 and kept[0].read_bytes() == first
    assert i18n._compiled(po) == first  # read back, the same bytes


def test_an_edited_catalogue_is_compiled_again(tmp_path: Path) -> None:
    po = tmp_path / "matchbot.po"
    shutil.copy(i18n.catalogue_path("it"), po)
    i18n._compiled(po)
    before = i18n.translations("it").gettext("No goals.")
    text = po.read_text("utf-8")
    assert f'msgstr "{before}"' in text
    po.write_text(text.replace(f'msgstr "{before}"', 'msgstr "Zero gol."'), "utf-8")
    edited = i18n._compiled(po)
    assert _italian(edited, "No goals.") == "Zero gol."
    kept = list((tmp_path / "__pycache__").glob("matchbot.*.mo"))
    assert len(kept) == 1 and kept[0].read_bytes() == edited  # the former one is gone


def test_a_folder_that_cannot_be_written_still_gets_the_catalogue(tmp_path: Path) -> None:
    po = tmp_path / "matchbot.po"
    shutil.copy(i18n.catalogue_path("it"), po)
    (tmp_path / "__pycache__").write_text("a file where the folder would be")
    assert i18n._compiled(po) == _fresh(po)
