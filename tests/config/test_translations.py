"""The Vietnamese catalogue is complete, correct and in use.

Vietnamese is the default language and every msgid is English, so a string missing from
locale/vi/LC_MESSAGES/django.po shows up in English on a Vietnamese page. These tests keep the
catalogue in step with the code: run `make makemessages`, translate what it adds (no entry may
stay empty or fuzzy), then `make messages` to compile.

None of them is marked `sqlite`: they say nothing about the database, so they run once.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Must match the Makefile's `makemessages` target.
MAKEMESSAGES_IGNORES = (".venv", "staticfiles", "media", "bench", "tests", "node_modules")
# The files makemessages reads for the "django" domain.
SOURCE_SUFFIXES = (".py", ".html", ".txt")

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)


# --- a small PO reader: the tests need msgids, msgstrs and flags, nothing more ---------------


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries of a PO file as dicts: ctx, id, plural, strs (index -> text), flags, refs, obsolete."""
    entries = []
    blocks = re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8"))
    for block in blocks:
        entry = {"ctx": None, "id": None, "plural": None, "strs": {}, "flags": set(), "refs": [], "obsolete": False}
        field = None
        for raw in block.strip().splitlines():
            line = raw
            if line.startswith("#~"):
                entry["obsolete"] = True
                line = line[2:].lstrip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#:"):
                entry["refs"].extend(line[2:].split())
                continue
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                if field is None:
                    raise ValueError(f"{path}: continuation line without a keyword: {raw!r}")
                kind, index = field
                if kind == "str":
                    entry["strs"][index] += _unquote(line)
                else:
                    entry[kind] += _unquote(line)
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
            if match is None:
                raise ValueError(f"{path}: cannot read line {raw!r}")
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword == "msgstr":
                key = int(index) if index is not None else 0
                entry["strs"][key] = value
                field = ("str", key)
            else:
                name = {"msgctxt": "ctx", "msgid": "id", "msgid_plural": "plural"}[keyword]
                entry[name] = value
                field = (name, None)
        if entry["id"] is not None:
            entries.append(entry)
    return entries


def _messages(entries: list[dict]) -> list[dict]:
    """Real messages: not the header, not obsolete leftovers."""
    return [e for e in entries if e["id"] != "" and not e["obsolete"]]


def _key(entry: dict) -> tuple:
    return (entry["ctx"], entry["id"], entry["plural"])


def _describe(entry: dict) -> str:
    where = entry["refs"][0] if entry["refs"] else "?"
    return f"{entry['id']!r} ({where})"


def _untranslated(entries: list[dict]) -> list[dict]:
    return [e for e in _messages(entries) if not e["strs"] or not all(e["strs"].values())]


def _fuzzy(entries: list[dict]) -> list[dict]:
    return [e for e in _messages(entries) if "fuzzy" in e["flags"]]


# --- (a) the tracked catalogue ----------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run `make makemessages`"
    return read_po(PO_PATH)


def test_the_header_declares_vietnamese_with_one_plural_form(catalogue):
    header = next(e for e in catalogue if e["id"] == "")
    text = header["strs"][0]
    assert "Language: vi\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "charset=UTF-8" in text
    assert "fuzzy" not in header["flags"], "a fuzzy header makes msgfmt ignore the plural rule"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    messages = _messages(catalogue)
    assert len(messages) > 500, "the catalogue looks truncated"
    untranslated = [_describe(e) for e in _untranslated(catalogue)]
    fuzzy = [_describe(e) for e in _fuzzy(catalogue)]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries (check the guess, then remove the flag):\n" + "\n".join(fuzzy)


def test_plural_entries_have_the_one_vietnamese_form(catalogue):
    for entry in _messages(catalogue):
        if entry["plural"] is not None:
            assert set(entry["strs"]) == {0}, _describe(entry)


def test_the_catalogue_keeps_no_obsolete_entries(catalogue):
    obsolete = [e["id"] for e in catalogue if e["obsolete"]]
    assert not obsolete, f"obsolete entries (run `make makemessages`, which passes --no-obsolete): {obsolete[:10]}"


# --- (c) placeholders and markup survive translation ----------------------------------------

# %(name)s / %s / %d, {{ var }}, {name} (filled in by scripts), HTML tags with their attributes.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*[\w.|]+\s*\}\}|\{\w*\}")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def _markup(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text) + _TAG.findall(text))


def test_placeholders_and_html_tags_match_the_msgid(catalogue):
    problems = []
    for entry in _messages(catalogue):
        for index, text in entry["strs"].items():
            source = entry["id"]
            expected = _markup(source)
            if entry["plural"] is not None:
                # One Vietnamese form stands for singular and plural: it must use the plural's
                # placeholders (the count), and may not invent any.
                expected = _markup(entry["plural"])
            if _markup(text) != expected:
                problems.append(f"{_describe(entry)}[{index}]: {expected} != {_markup(text)}")
    assert not problems, "placeholders or tags differ:\n" + "\n".join(problems)


@needs_gettext
def test_msgfmt_check_accepts_the_catalogue(tmp_path):
    """msgfmt --check verifies the header, format strings (python-format) and newline framing."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# --- (b) the catalogue covers the code as it is now -------------------------------------------


def _copy_sources(target: Path) -> None:
    """The files makemessages reads, laid out as in the project, plus the current catalogue."""
    for path in BASE_DIR.rglob("*"):
        relative = path.relative_to(BASE_DIR)
        parts = relative.parts
        if parts[0] in MAKEMESSAGES_IGNORES or parts[0] == "locale" or any(p.startswith(".") for p in parts):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    shutil.copytree(BASE_DIR / "locale", target / "locale", ignore=shutil.ignore_patterns("*.mo"))


@needs_gettext
@pytest.mark.timeout(180)
def test_the_catalogue_has_a_translation_for_every_msgid_in_the_code(tmp_path, catalogue):
    """Run the Makefile's makemessages on a copy of the sources, so the tracked files stay as they are."""
    copy = tmp_path / "project"
    _copy_sources(copy)
    command = [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete", "-v", "0"]
    command += [f"--ignore={name}" for name in MAKEMESSAGES_IGNORES]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=170)
    assert result.returncode == 0, result.stderr

    regenerated = read_po(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    in_code = {_key(e): e for e in _messages(regenerated)}
    tracked = {_key(e) for e in _messages(catalogue)}

    missing = [_describe(e) for key, e in in_code.items() if key not in tracked]
    assert not missing, (
        "msgids in the code that the catalogue lacks (run `make makemessages` and translate them):\n"
        + "\n".join(sorted(missing))
    )
    # After merging, nothing may be left to translate (msgmerge marks near matches fuzzy).
    assert not _untranslated(regenerated)
    assert not _fuzzy(regenerated)
    stale = sorted(repr(key[1]) for key in tracked - set(in_code))
    assert not stale, "entries no longer used by the code (run `make makemessages`):\n" + "\n".join(stale)


# --- (d) pages come out in Vietnamese by default and in English on request -----------------


@pytest.fixture
def compiled_catalogue() -> None:
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        pytest.fail(f"{MO_PATH.name} is missing or older than the .po: run `make messages` (gettext's msgfmt)")


def test_plural_messages_use_the_single_vietnamese_form(compiled_catalogue):
    with translation.override("vi"):
        one = translation.ngettext("%(counter)s question", "%(counter)s questions", 1) % {"counter": 1}
        many = translation.ngettext("%(counter)s question", "%(counter)s questions", 7) % {"counter": 7}
    assert one == "1 câu hỏi"
    assert many == "7 câu hỏi"
    with translation.override("en"):
        assert translation.ngettext("%(counter)s question", "%(counter)s questions", 7) % {"counter": 7} == (
            "7 questions"
        )


VIETNAMESE_HOME = ['<html lang="vi">', "Chuyển đến nội dung chính", "Đặt câu hỏi", "Câu hỏi đã trả lời", "Đăng nhập"]
ENGLISH_HOME = ['<html lang="en">', "Skip to content", "Ask a question", "Answered questions", "Log in"]


@pytest.mark.django_db
def test_the_home_page_is_vietnamese_by_default_and_english_once_chosen(compiled_catalogue):
    client = Client()
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for text in VIETNAMESE_HOME:
        assert text in page
    assert "Skip to content" not in page

    # A browser that prefers another language still gets the default until the visitor chooses.
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chuyển đến nội dung chính" in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    for text in ENGLISH_HOME:
        assert text in page
    assert "Chuyển đến nội dung chính" not in page


@pytest.mark.django_db
def test_python_strings_are_translated_on_the_ask_form(compiled_catalogue):
    """Lazy form labels and help texts (gettext_lazy in Python) follow the page's language."""
    client = Client()
    page = client.get("/ask/").content.decode()
    assert "Tiêu đề câu hỏi" in page
    assert "Mã số thuế" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/ask/"})
    page = client.get("/ask/").content.decode()
    assert "Title of your question" in page
    assert "Tax code" in page
