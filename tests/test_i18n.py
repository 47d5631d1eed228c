"""Every message a user can see exists in both languages.

Source strings are English msgids; the Simplified Chinese catalogue is
shangmi/locale/zh_Hans/LC_MESSAGES/django.po, compiled to the .mo beside it by
scripts/compile_messages.py (polib, so no gettext is needed at run time). Finding strings
that were added to the code but not to the catalogue needs GNU gettext's xgettext, which
.ci/run installs.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "shangmi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same command that produced the catalogue (see the Makefile's `messages-extract`).
MAKEMESSAGES = ["makemessages", "-l", "zh_Hans", "--add-location=file"]
IGNORED = [".venv", "node_modules", "var", "test-artifacts"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
HAN = re.compile(r"[\u4e00-\u9fff]")


def load_compiler():
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    assert PO.exists(), f"{PO} is missing"
    return polib.pofile(str(PO))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_catalogue_has_no_untranslated_or_fuzzy_entry(po: polib.POFile) -> None:
    assert not po.metadata_is_fuzzy, "the .po header is marked fuzzy"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    untranslated = [e.msgid for e in po.untranslated_entries()]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    for entry in live(po):
        if entry.msgid_plural:
            # Chinese has one plural form: msgstr[0] serves every count.
            assert set(entry.msgstr_plural) == {0}, f"{entry.msgid!r}: expected exactly msgstr[0]"
            assert entry.msgstr_plural[0].strip(), f"{entry.msgid!r}: empty plural translation"


def test_translations_keep_every_placeholder(po: polib.POFile) -> None:
    wrong = []
    for entry in live(po):
        pairs = [(entry.msgid_plural, entry.msgstr_plural[0])] if entry.msgid_plural else [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                wrong.append((entry.msgid, target))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_translations_are_chinese(po: polib.POFile) -> None:
    # Catches an English string pasted as its own "translation"; names such as API stay as they are.
    kept = {"API"}
    english = [
        e.msgid
        for e in live(po)
        if e.msgid not in kept and not HAN.search(e.msgstr_plural[0] if e.msgid_plural else e.msgstr)
    ]
    assert not english, f"msgstr without any Chinese: {english}"


def test_committed_mo_is_a_fresh_compile_of_the_po() -> None:
    assert MO.exists(), f"{MO} is missing: run scripts/compile_messages.py"
    assert MO.read_bytes() == load_compiler().compile_po(PO), "the .mo is stale: run scripts/compile_messages.py"


def test_every_msgid_in_the_code_is_in_the_catalogue(tmp_path: Path, po: polib.POFile) -> None:
    missing_tools = [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]
    if missing_tools:
        pytest.fail(
            f"GNU gettext is not installed ({', '.join(missing_tools)} missing): install it "
            "(apt-get install gettext, as .ci/run does) to check that no string lacks a translation"
        )
    # Extract into a copy of the code without its catalogue, so the committed files stay untouched.
    copy = tmp_path / "src"
    copy.mkdir()
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    shutil.copytree(
        ROOT / "shangmi",
        copy / "shangmi",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "node_modules"),
    )
    (copy / "shangmi" / "locale").mkdir()
    command = [sys.executable, "manage.py", *MAKEMESSAGES]
    for ignored in IGNORED:
        command.append(f"--ignore={ignored}")
    result = subprocess.run(
        command,
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={**_clean_env(), "SHANGMI_DEBUG": "1", "SHANGMI_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    fresh = polib.pofile(str(copy / "shangmi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert len(live(fresh)) > 100, "makemessages found almost nothing: is the copy of the code complete?"
    known = {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in live(po)}
    missing = sorted(
        (e.msgid if not e.msgctxt else f"{e.msgctxt}|{e.msgid}")
        for e in live(fresh)
        if (e.msgctxt, e.msgid, e.msgid_plural or None) not in known
    )
    assert not missing, (
        "strings in the code that the catalogue lacks: run `make messages-extract`, translate them in "
        f"{PO.relative_to(ROOT)}, then `make messages`:\n" + "\n".join(missing)
    )


def _clean_env() -> dict[str, str]:
    import os

    # The copy must not pick up this run's database or settings overrides.
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}


def test_every_entry_translates_at_run_time(po: polib.POFile) -> None:
    """Django loads our .mo ahead of its own catalogues, so our words win (e.g. 名称, not Django's)."""
    wrong = []
    with translation.override("zh-hans"):
        for entry in live(po):
            if entry.msgid_plural:
                got = (
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                    if entry.msgctxt
                    else (translation.ngettext(entry.msgid, entry.msgid_plural, 2))
                )
                want = entry.msgstr_plural[0]
            else:
                got = (
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                )
                want = entry.msgstr
            if got != want:
                wrong.append((entry.msgid, got, want))
    assert not wrong, f"run-time translations differ from the catalogue: {wrong}"


def test_pages_speak_chinese_by_default_and_english_on_request(client, world) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "商业秘密保护平台" in body and "登录" in body
    assert "Sign in" not in body

    client.force_login(world.regulator_in)
    body = client.get("/enterprises/").content.decode()
    assert "企业名录" in body and "统一社会信用代码" in body and "联络点" in body
    assert "Enterprise registry" not in body

    client.cookies["django_language"] = "en"
    body = client.get("/enterprises/").content.decode()
    assert '<html lang="en">' in body
    assert "Enterprise registry" in body and "Unified social credit code" in body
    assert "企业名录" not in body
    # Data stays in the language it was entered in.
    assert world.ent_in.name in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(client, db, language: str) -> None:
    """Signed out, the menu once offered "英语" to a reader looking for English."""
    client.cookies["django_language"] = language
    page = client.get("/accounts/login/").content.decode()
    menu = page[page.index('id="language-form"') :]
    menu = menu[: menu.index("</form>")]
    assert re.search(r'value="en"[^>]*>English<', menu)
    assert re.search(r'value="zh-hans"[^>]*>简体中文<', menu)
    assert "英语" not in menu and "Simplified Chinese" not in menu
