"""The English catalogue: complete, placeholder-safe, compiled, in step with the code, and used by the app.

When a test here fails after you added or changed a string, refresh the catalogue:

    pybabel extract -F portal/translations/babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .
    pybabel update -i portal/translations/messages.pot -d portal/translations
    (translate the new entries in portal/translations/en/LC_MESSAGES/messages.po, clear any "fuzzy" flag)
    pybabel compile -d portal/translations
"""

from __future__ import annotations

import re
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import FORMS_DIR, ROOT, build_app

TRANSLATIONS = ROOT / "portal" / "translations"
BABEL_CFG = TRANSLATIONS / "babel.cfg"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# printf-style conversions, as Python's % operator reads them: %(name)s, %d, %%, ...
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")


def _read_po(path: Path, locale: str | None = "en") -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def english() -> Catalog:
    return _read_po(EN_PO)


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _label(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _pairs(message: Message) -> list[tuple[str, str]]:
    """(source, translation) per form: msgid with msgstr[0], msgid_plural with msgstr[1] and beyond."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id[0], message.id[1]
    return [(singular if index == 0 else plural, text) for index, text in enumerate(message.string)]


def _extract_from_code() -> dict[tuple[str, str | None], tuple[str | tuple[str, ...], list[str]]]:
    """Every message the code asks for today, keyed like a catalogue: (msgid, msgctxt) -> (id, locations)."""
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[tuple[str, str | None], tuple[str | tuple[str, ...], list[str]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        key = (message if isinstance(message, str) else message[0], context)
        found.setdefault(key, (message, []))[1].append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def in_code() -> dict[tuple[str, str | None], tuple[str | tuple[str, ...], list[str]]]:
    found = _extract_from_code()
    assert found, "extraction found no messages at all: check portal/translations/babel.cfg"
    return found


def test_every_message_is_translated_and_none_is_fuzzy(english: Catalog) -> None:
    assert english.locale is not None and english.locale.language == "en"
    assert not english.fuzzy, "the catalogue header is marked fuzzy, so pybabel compile would skip the whole file"
    entries = _entries(english)
    assert entries
    fuzzy = [_label(m) for m in entries if m.fuzzy]
    empty = [_label(m) for m in entries if any(not text.strip() for _, text in _pairs(m))]
    wrong_forms = [_label(m) for m in entries if m.pluralizable and len(m.string) != english.num_plurals]
    assert not fuzzy, f"fuzzy entries left in {EN_PO.name}: {fuzzy}"
    assert not empty, f"untranslated entries in {EN_PO.name}: {empty}"
    assert not wrong_forms, f"plural entries without {english.num_plurals} forms: {wrong_forms}"


def test_placeholders_survive_translation(english: Catalog) -> None:
    problems = []
    for message in _entries(english):
        for source, text in _pairs(message):
            wanted, got = Counter(PLACEHOLDER.findall(source)), Counter(PLACEHOLDER.findall(text))
            if wanted != got:
                problems.append(f"{source!r}: expects {sorted(wanted.elements())}, has {sorted(got.elements())}")
            elif "%" in PLACEHOLDER.sub("", text):
                # templates always %-format their strings, so a stray % breaks the page
                problems.append(f"{text!r}: a lone % (write %% for a literal percent sign)")
    assert not problems, "\n".join(problems)


def test_translations_format_with_their_variables(english: Catalog) -> None:
    """What gettext(msgid, **variables) will do at run time must not raise for any translation."""
    for message in _entries(english):
        for source, text in _pairs(message):
            names = re.findall(r"%\((\w+)\)", source)
            variables = dict.fromkeys(names, 7)
            assert isinstance(text % variables, str), source


def test_compiled_catalogue_matches_the_po(english: Catalog) -> None:
    assert EN_MO.exists(), "messages.mo is missing: run pybabel compile -d portal/translations"
    compiled = BytesIO()
    write_mo(compiled, english)
    assert compiled.getvalue() == EN_MO.read_bytes(), (
        f"{EN_MO.relative_to(ROOT)} is older than the .po: run pybabel compile -d portal/translations"
    )


def test_template_catalogue_covers_the_code(in_code) -> None:
    template = _read_po(POT, locale=None)
    missing = [f"{key[0]!r} ({', '.join(places)})" for key, (_, places) in in_code.items() if key not in template]
    assert not missing, "messages.pot is stale; these strings are not in it:\n" + "\n".join(missing)


def test_english_catalogue_covers_the_code(in_code, english: Catalog) -> None:
    missing, plural_mismatch = [], []
    for key, (message_id, places) in in_code.items():
        entry = english.get(*key)
        if entry is None or not all(text for _, text in _pairs(entry)):
            missing.append(f"{key[0]!r} ({', '.join(places)})")
        elif isinstance(message_id, tuple) != entry.pluralizable:
            plural_mismatch.append(f"{key[0]!r} ({', '.join(places)})")
    assert not missing, "strings in the code with no English translation:\n" + "\n".join(missing)
    assert not plural_mismatch, "gettext/ngettext usage changed; run pybabel update:\n" + "\n".join(plural_mismatch)


@pytest.fixture
def sqlite_app(tmp_path):
    from portal.extensions import db

    app = build_app(f"sqlite:///{tmp_path / 'portal.db'}", tmp_path)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["forms", "import", str(FORMS_DIR)])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_pages_come_out_in_english_when_asked(sqlite_app) -> None:
    client = sqlite_app.test_client()

    page = client.get("/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    for english_text in ("Administrative procedures", "Search for a procedure", "Track a dossier", "Fully online"):
        assert english_text in html
    for vietnamese_text in ("Thủ tục hành chính", "Tìm thủ tục", "Tra cứu hồ sơ", "Toàn trình"):
        assert vietnamese_text not in html

    # the choice sticks through the cookie set by the language link
    later = client.get("/tra-cuu").get_data(as_text=True)
    assert "Dossier code" in later
    assert "Mã hồ sơ" not in later


def test_vietnamese_stays_the_default(sqlite_app) -> None:
    html = sqlite_app.test_client().get("/").get_data(as_text=True)
    assert "Thủ tục hành chính" in html
    assert "Administrative procedures" not in html


def test_api_errors_follow_accept_language(sqlite_app) -> None:
    client = sqlite_app.test_client()
    english = client.get("/api/no-such-endpoint", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 404
    assert english.get_json()["errors"][0]["message"] == "We could not find the page or dossier you asked for."
    vietnamese = client.get("/api/no-such-endpoint", headers={"Accept-Language": "vi"})
    assert vietnamese.get_json()["errors"][0]["message"] == "Không tìm thấy trang hoặc hồ sơ bạn yêu cầu."
