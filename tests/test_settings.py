"""Settings: declared once (search/settings.py), documented once
(docs/configuration.md), checked at start-up, passed in."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from search import settings
from search.settings import SECTIONS, SETTINGS, SettingError

DOC = ROOT / "docs" / "configuration.md"
VARIABLE = re.compile(r"\bCARI_[A-Z0-9_]*[A-Z0-9]\b")


def documented() -> dict[str, str]:
    """{variable: the ``###`` section whose table has a row for it}."""
    found, section = {}, None
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("### "):
            section = line[4:]
        elif line.startswith("## "):
            section = None
        elif line.startswith("|") and section:
            first_cell = line.split("|")[1]
            for name in VARIABLE.findall(first_cell):
                found.setdefault(name, section)
    return found


def test_settings_are_documented():
    """Every setting has a row in docs/configuration.md, under its section
    (benchmark and test settings under theirs), and every ``CARI_*`` the page
    names is a setting."""
    rows = documented()
    for name, setting in SETTINGS.items():
        assert name in rows, f"{name} (search/settings.py) has no row in docs/configuration.md"
        assert rows[name].startswith(SECTIONS[setting.section]), \
            f"{name} is documented under {rows[name]!r}, declared in {SECTIONS[setting.section]!r}"
    named = set(VARIABLE.findall(DOC.read_text("utf-8")))
    assert named <= set(SETTINGS), f"documented but not declared: {sorted(named - set(SETTINGS))}"


def test_every_variable_the_code_names_is_declared():
    files = [*ROOT.glob("search/**/*.py"), *ROOT.glob("web/**/*.py"), *ROOT.glob("bench/**/*.py"),
             *ROOT.glob("tests/*.py"), ROOT / "wsgi.py", ROOT / "Makefile", ROOT / "README.md"]
    named = {}
    for path in files:
        for name in VARIABLE.findall(path.read_text("utf-8")):
            named.setdefault(name, path.relative_to(ROOT))
    unknown = {name: str(path) for name, path in named.items() if name not in SETTINGS}
    assert not unknown, f"declare these in search/settings.py: {unknown}"


def test_only_the_settings_module_reads_the_environment():
    """search/ and web/ get settings passed in; only search/settings.py reads
    the environment (search/serve.py hands CARI_INDEX on to gunicorn's workers)."""
    readers = {str(path.relative_to(ROOT)) for path in [*ROOT.glob("search/**/*.py"), *ROOT.glob("web/**/*.py")]
               if re.search(r"os\.environ\b(?!\[\"CARI_INDEX\"\] =)|getenv", path.read_text("utf-8"))}
    assert readers == {"search/settings.py"}


def test_every_setting_has_a_help_line_and_a_default_of_its_type():
    for name, setting in SETTINGS.items():
        assert setting.help and name.startswith("CARI_")
        if setting.default is not None:
            assert setting.parse(setting.default) == setting.default, name


@pytest.mark.parametrize("name, raw, message", [
    ("CARI_PORT", "x", "CARI_PORT must be a whole number, not 'x'"),
    ("CARI_THREADS", "0", "CARI_THREADS must be at least 1, not 0"),
    ("CARI_LOG_FORMAT", "xml", "CARI_LOG_FORMAT must be one of text, json, not 'xml'"),
    ("CARI_LOG_LEVEL", "loud", "CARI_LOG_LEVEL must be one of debug, info, warning, error, critical"),
    ("CARI_RATE_LIMIT", "lots", "CARI_RATE_LIMIT must look like '120/m' or 'off', not 'lots'"),
    ("CARI_BASE_URL", "javascript:alert(1)", "CARI_BASE_URL must look like https://"),
    ("CARI_MAX_ARTICLE_CHARS", "10", "CARI_MAX_ARTICLE_CHARS must be at least 1000, not 10"),
])
def test_a_bad_value_is_one_line_naming_the_variable(name, raw, message):
    with pytest.raises(SettingError) as caught:
        settings.value(name, {name: raw})
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_values_are_typed_and_unset_or_empty_means_the_default():
    env = {"CARI_PORT": "9001", "CARI_RESULT_CACHE": "0", "CARI_CORS_ORIGINS": " https://a.example, ,*",
           "CARI_RATE_LIMIT": "10/30", "CARI_BASE_URL": "https://cari.example.org/x/", "CARI_LOG_LEVEL": "",
           "CARI_ACCESS_LOG": "off", "CARI_LOG_FORMAT": "JSON"}
    values = settings.read(environ=env)
    assert values["CARI_PORT"] == 9001 and values["CARI_RESULT_CACHE"] == 0
    assert values["CARI_CORS_ORIGINS"] == ("https://a.example", "*")
    assert values["CARI_RATE_LIMIT"] == (10, 30.0)
    assert values["CARI_BASE_URL"] == "https://cari.example.org/x"
    assert values["CARI_LOG_LEVEL"] == "info" and values["CARI_ACCESS_LOG"] is None
    assert values["CARI_LOG_FORMAT"] == "json" and values["CARI_THREADS"] == 4


def test_the_app_takes_its_settings_typed_and_checks_them_when_made(sample_index, monkeypatch):
    from web import create_app
    from web.engine import get_engine

    monkeypatch.setenv("CARI_RESULT_CACHE", "0")
    app = create_app({"CARI_INDEX": str(sample_index), "CARI_MAX_ARTICLE_CHARS": "5000"})
    assert app.config["CARI_MAX_ARTICLE_CHARS"] == 5000 and app.config["CARI_CORS_ORIGINS"] == ()
    with app.app_context():
        assert get_engine().results.size == 0      # passed to the Engine, not read inside it

    monkeypatch.setenv("CARI_RATE_LIMIT", "lots")
    with pytest.raises(SettingError, match="CARI_RATE_LIMIT"):
        create_app({"CARI_INDEX": str(sample_index)})
    monkeypatch.delenv("CARI_RATE_LIMIT")
    with pytest.raises(SettingError, match="is not a cari setting"):
        create_app({"CARI_INDEX": str(sample_index), "CARI_" + "NO_SUCH_SETTING": 1})


def test_the_engine_reads_no_environment(sample_index, monkeypatch):
    from search.retrieval.engine import Engine

    monkeypatch.setenv("CARI_RESULT_CACHE", "0")
    with Engine(sample_index) as engine:
        assert engine.results.size == settings.default("CARI_RESULT_CACHE")
    with Engine(sample_index, result_cache_size=3) as engine:
        assert engine.results.size == 3


def test_the_gunicorn_config_checks_its_settings():
    import subprocess
    import sys

    code = "import runpy; runpy.run_path('web/gunicorn_config.py')"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "CARI_KEEPALIVE": "-1"}, timeout=60)
    assert done.returncode == 1 and done.stderr == "cari: CARI_KEEPALIVE must be at least 0, not -1\n"
