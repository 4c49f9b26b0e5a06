"""check-config catches what loads fine but watches the wrong thing, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import main
from tracker.configcheck import form_problem

HEAD = '[edgar]\nuser_agent = "Example Research ops@example.com"\n'


def check(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    cfg = tmp_path / "watch.toml"
    cfg.write_text(HEAD + body)
    capsys.readouterr()
    code = main(["check-config", "--config", str(cfg), "--state", str(tmp_path / "s")])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def test_a_ticker_naming_another_cik_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(tmp_path, '\n[[companies]]\nticker = "PFE"\ncik = 318154\n', capsys)
    assert code == 2
    assert "watch.toml:5: error:" in out
    assert "ticker PFE is CIK 78003 (PFIZER INC)" in out and "cik = 318154 (AMGEN INC" in out


def test_a_matching_ticker_and_cik_pass_in_any_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(tmp_path, '\n[[companies]]\nticker = "pfe"\ncik = 78003\n', capsys)
    assert code == 0 and "warning" not in out and "OK (1 companies" in out


def test_a_cik_the_ticker_list_does_not_know_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(tmp_path, "\n[[companies]]\ncik = 9999999\n", capsys)
    assert code == 0
    assert "watch.toml:5: warning: companies[0]: CIK 9999999 is not in SEC's ticker list" in out
    assert "1 warning(s)" in out


@pytest.mark.parametrize(
    ("form", "nearest"),
    [("8K", "8-K"), ("8-k", None), ("10Q", "10-Q"), ("DEF14A", "DEF 14A"), ("S3", "S-3")],
)
def test_unknown_form_types_are_refused_with_the_nearest_real_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str, nearest: str | None
) -> None:
    code, out = check(
        tmp_path, f'\n[[companies]]\ncik = 78003\nforms = ["424B", "{form}"]\n', capsys
    )
    if nearest is None:  # forms are upper-cased on load: "8-k" is 8-K
        assert code == 0, out
        return
    assert code == 2
    assert f'"{form.upper()}" is not an EDGAR form type' in out
    assert f'did you mean "{nearest}"?' in out
    assert "watch.toml:6:" in out


def test_real_forms_prefixes_and_amendments_pass() -> None:
    for form in ("8-K", "8-K/A", "424B", "424B5", "S-1/A", "SC 13D", "10-K", "4"):
        assert form_problem(form) is None, form
    assert (
        form_problem("XYZ") == '"XYZ" is not an EDGAR form type, so it would never match a filing'
    )


def test_an_empty_watch_list_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(tmp_path, "", capsys)
    assert code == 0
    assert "warning: no companies are watched" in out
