"""Config nonsense is refused with the key and the reason, exit 2 (issue 12, item 8).

`nan`, `inf` and `1e300` for the interval, timeout or jitter, and a CR/LF in the
user_agent, passed check-config and then crashed `run` and `poll` with a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.config import parse_config
from tracker.errors import ConfigError

UA = 'user_agent = "Example Research ops@example.com"'


def edgar(line: str) -> str:
    return f"[edgar]\n{UA}\n{line}\n"


CASES = [
    ("edgar.poll_interval_seconds", edgar("poll_interval_seconds = nan"), "finite"),
    ("edgar.poll_interval_seconds", edgar("poll_interval_seconds = inf"), "finite"),
    ("edgar.poll_interval_seconds", edgar("poll_interval_seconds = 1e300"), "at most"),
    ("edgar.poll_interval_seconds", edgar("poll_interval_seconds = -inf"), "finite"),
    ("edgar.timeout_seconds", edgar("timeout_seconds = nan"), "finite"),
    ("edgar.timeout_seconds", edgar("timeout_seconds = 1e300"), "at most"),
    ("edgar.timeout_seconds", edgar("timeout_seconds = 0.0001"), "at least"),
    ("edgar.jitter_seconds", edgar("jitter_seconds = inf"), "finite"),
    ("edgar.jitter_seconds", edgar("jitter_seconds = 1e300"), "at most"),
    ("edgar.max_requests_per_second", edgar("max_requests_per_second = nan"), "finite"),
    ("edgar.max_requests_per_second", edgar("max_requests_per_second = 1e-300"), "at least"),
    ("edgar.cooldown_seconds", edgar("cooldown_seconds = 1e300"), "at most"),
    ("edgar.sweep_minutes", edgar("sweep_minutes = inf"), "finite"),
    ("edgar.backfill", edgar("backfill = 9223372036854775807"), "at most"),
    ("edgar.max_document_bytes", edgar("max_document_bytes = 9223372036854775807"), "at most"),
    (
        "state.keep_seen_per_company",
        f"[edgar]\n{UA}\n[state]\nkeep_seen_per_company = 10\n",
        "at least 100",
    ),
    (
        "state.keep_delivered_days",
        f"[edgar]\n{UA}\n[state]\nkeep_delivered_days = 10000000\n",
        "at most",
    ),
    (
        "edgar.user_agent",
        '[edgar]\nuser_agent = "Example ops@example.com\\r\\nX-Evil: 1"\n',
        "control characters",
    ),
    (
        "edgar.user_agent",
        '[edgar]\nuser_agent = "Example ops@example.com\\n"\n',
        "control characters",
    ),
    ("edgar.base_url", edgar('base_url = "https://www.sec.gov\\r\\n"'), "control characters"),
    (
        "slack.default_channel",
        f'[edgar]\n{UA}\n[slack]\ndefault_channel = "#a\\u0000"\n',
        "control characters",
    ),
    (
        "name",
        f'[edgar]\n{UA}\n[[companies]]\ncik = 815508\nname = "Bio\\u001b[31m"\n',
        "control characters",
    ),
    (
        "forms[0]",
        f'[edgar]\n{UA}\n[[companies]]\ncik = 815508\nforms = ["8-K\\n"]\n',
        "control characters",
    ),
]


@pytest.mark.parametrize(("key", "text", "words"), CASES, ids=[c[1].split("\n")[-2] for c in CASES])
def test_nonsense_is_refused_with_key_and_reason(key: str, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "watch.toml")
    assert info.value.key == key
    assert words in str(info.value)


def test_check_config_exits_2_with_one_line_naming_key_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, text, words in CASES:
        path = tmp_path / "watch.toml"
        path.write_text(text)
        assert main(["--config", str(path), "check-config"]) == 2, key
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and key.split("[")[0] in err[0] and words in err[0], err
        assert "Traceback" not in err[0]


def test_sane_values_still_pass() -> None:
    config = parse_config(
        edgar("poll_interval_seconds = 60\ntimeout_seconds = 0.5\njitter_seconds = 0")
        + "[state]\nkeep_seen_per_company = 100\n",
        "watch.toml",
    )
    assert config.edgar.timeout_seconds == 0.5 and config.state.keep_seen_per_company == 100


def test_duplicate_check_is_linear_in_the_number_of_companies() -> None:
    def config(n: int) -> str:
        return f"[edgar]\n{UA}\n" + "".join(f"[[companies]]\ncik = {c}\n" for c in range(1, n))

    def seconds(n: int) -> float:
        text = config(n)
        start = time.perf_counter()
        parsed = parse_config(text, "watch.toml")
        assert len(parsed.companies) == n - 1
        return time.perf_counter() - start

    # Quadratic work grows 64 times from n to 8n, linear 8 times: see test_linear_time.
    small, big = seconds(2_000), seconds(16_000)
    assert big < 32 * small or big < 0.05
    with pytest.raises(ConfigError, match="duplicate company: CIK 7 "):
        parse_config(config(100) + "[[companies]]\ncik = 7\n", "watch.toml")
