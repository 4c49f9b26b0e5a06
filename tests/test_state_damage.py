"""Every state file kind, damaged every way, through `tracker poll` and `tracker status`.

Either the damage is recovered without losing an alert, or the tracker refuses with the
file named and `status` exits non-zero. A damaged company file affects that company
only, and a filing that arrives meanwhile is still alerted.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.state import State

from conftest import ACME, TOKEN, make_filing, write_config

CIK = 1111111
OTHER = 2222222
TWO = (
    ACME
    + """
[[companies]]
cik = 2222222
name = "Other Bio"
channel = "#other"
"""
)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def nul(path: Path) -> None:
    path.write_bytes(b"\0" * max(64, path.stat().st_size))


def wrong_shape(path: Path) -> None:
    path.write_text(json.dumps({"alerts": [1, 2], "seen": "yes", "status": [None]}))


def directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncate,
    "empty": empty,
    "nul": nul,
    "wrong-shape": wrong_shape,
    "directory": directory,
}


@pytest.fixture
def env(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], Path]:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=TWO)
    state = tmp_path / "state"
    edgar.add(make_filing(CIK, "0000950123-24-000001", filed="2024-01-01"))
    edgar.add(make_filing(OTHER, "0000950124-24-000001", filed="2024-01-01"))
    base = ["--config", str(cfg), "--state", str(state)]
    assert main([*base, "poll"]) == 0  # the baselines
    return base, state


def posted(slack: FakeSlack) -> list[str]:
    return sorted(m["metadata"]["event_payload"]["accession"] for m in slack.messages())


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_outbox_is_refused_loudly_and_keeps_its_pending_alert(
    env: tuple[list[str], Path],
    edgar: FakeEdgar,
    slack: FakeSlack,
    damage: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, state = env
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-01-02"))
    slack.set_down(True)
    assert main([*base, "poll"]) == 0
    with State(state) as s:
        assert [a.status for a in s.alerts()] == ["pending"]
    outbox = state / "outbox.sqlite"
    if damage == "truncated":
        # A realistic outbox is many pages long: add history so half of it is missing.
        s = State(state)
        s.outbox.db.executemany(
            "INSERT INTO delivered(alert_id, accession, cik, channel, created, delivered_at, "
            "alert) VALUES (?, ?, 1, '#x', '', '2024-01-01T00:00:00Z', ?)",
            [(f"old{n}", f"old{n}", "x" * 3000) for n in range(200)],
        )
        s.close()
    DAMAGE[damage](outbox)
    kept = outbox.read_bytes() if outbox.is_file() else None
    capsys.readouterr()
    slack.set_down(False)
    assert main([*base, "poll"]) == 1
    err = capsys.readouterr().err.strip()
    assert str(outbox) in err and "damaged" in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("tracker:")]) == 1
    assert main([*base, "status"]) == 1
    out = capsys.readouterr().out
    assert str(outbox) in out
    assert slack.messages() == []
    # Refused, not replaced: the file that holds the pending alert is untouched.
    assert (outbox.read_bytes() if outbox.is_file() else None) == kept


def test_outbox_of_the_wrong_tables_is_refused(
    env: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, state = env
    outbox = state / "outbox.sqlite"
    outbox.unlink()
    db = sqlite3.connect(outbox)
    db.execute("CREATE TABLE something(x)")
    db.commit()
    db.close()
    assert main([*base, "poll"]) == 1
    assert "table open_alerts is missing" in capsys.readouterr().err


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_company_file_affects_that_company_only_and_misses_nothing(
    env: tuple[list[str], Path],
    edgar: FakeEdgar,
    slack: FakeSlack,
    damage: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, state = env
    company_file = state / "companies" / f"{CIK}.json"
    DAMAGE[damage](company_file)
    # Filings arrive while the file is damaged, for it and for the other company.
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-01-02"))
    edgar.add(make_filing(OTHER, "0000950124-24-000002", filed="2024-01-02"))
    assert main([*base, "poll"]) == 0
    err = capsys.readouterr().err
    assert f"{company_file}" in err and "damaged" in err and "Traceback" not in err
    # The new filings are alerted; the baseline filing is not re-alerted.
    assert posted(slack) == ["0000950123-24-000002", "0000950124-24-000002"]
    assert len(list(company_file.parent.glob(f"{CIK}.json.damaged-*"))) == 1
    assert State(state).is_baselined(CIK)
    # Afterwards the company is tracked as before.
    edgar.add(make_filing(CIK, "0000950123-24-000003", filed="2024-01-03"))
    assert main([*base, "poll"]) == 0
    assert len(slack.messages()) == 3
    assert main([*base, "status"]) == 0
    assert "set aside" in capsys.readouterr().out


def test_damaged_company_file_same_day_filing_is_new_the_seen_one_is_not(
    env: tuple[list[str], Path], edgar: FakeEdgar, slack: FakeSlack
) -> None:
    base, state = env
    nul(state / "companies" / f"{CIK}.json")
    edgar.add(make_filing(CIK, "0000950123-24-000009", filed="2024-01-01"))  # same day
    assert main([*base, "poll"]) == 0
    assert posted(slack) == ["0000950123-24-000009"]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_status_file_is_recovered_and_nothing_missed(
    env: tuple[list[str], Path],
    edgar: FakeEdgar,
    slack: FakeSlack,
    damage: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, state = env
    status_file = state / "status.json"
    DAMAGE[damage](status_file)
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-01-02"))
    assert main([*base, "poll"]) == 0
    assert "status.json" in capsys.readouterr().err
    assert posted(slack) == ["0000950123-24-000002"]
    assert main([*base, "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["last_poll_ok"] is True
    assert any("status.json.damaged-" in p for p in data["damaged_files_set_aside"])


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_version_file_is_recovered_from_the_layout(
    env: tuple[list[str], Path], edgar: FakeEdgar, slack: FakeSlack, damage: str
) -> None:
    base, state = env
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-01-02"))
    slack.set_down(True)
    assert main([*base, "poll"]) == 0
    slack.set_down(False)
    version = state / "VERSION"
    if damage == "wrong-shape":
        version.write_text('{"version": 2}')
    else:
        DAMAGE[damage](version)
    assert main([*base, "poll"]) == 0
    assert posted(slack) == ["0000950123-24-000002"]
    assert version.read_text().strip() == "2"


# -- the previous version's state: migrated on first start, damage refused -----------------


def v1_state(state: Path, alerts: dict[str, dict[str, object]]) -> None:
    """State as version 1 left it: VERSION 1 and every alert in one outbox.json."""
    state.mkdir(parents=True, exist_ok=True)
    (state / "VERSION").write_text("1\n")
    (state / "outbox.json").write_text(json.dumps({"alerts": alerts}))


def v1_alert(accession: str, status: str, **extra: object) -> dict[str, object]:
    from tracker.models import Alert
    from tracker.notify.codec import alert_to_dict

    alert = Alert(
        alert_id=f"{accession}:#acme",
        accession=accession,
        cik=CIK,
        company="Acme Bio",
        ticker=None,
        form="8-K",
        filed="2024-01-02",
        categories=("results",),
        evidence={"results": ("Acme announced its results.",)},
        facts=(),
        index_url="https://www.sec.gov/x-index.htm",
        document_url="https://www.sec.gov/x.htm",
        channel="#acme",
    )
    return {
        "alert_id": alert.alert_id,
        "accession": accession,
        "cik": CIK,
        "channel": "#acme",
        "alert": alert_to_dict(alert),
        "status": status,
        "attempts": 0,
        "created": "2024-01-02T00:00:00Z",
        **extra,
    }


def test_version_1_state_is_migrated_and_its_pending_alert_delivered(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
    )
    state = tmp_path / "state"
    old = v1_alert("0000950123-24-000001", "delivered", ts="1700000000.000100")
    old["delivered_at"] = "2999-01-01T00:00:00Z"
    v1_state(
        state,
        {"1": old, "2": v1_alert("0000950123-24-000002", "pending", next_attempt=0)},
    )
    base = ["--config", str(cfg), "--state", str(state)]
    # `status` holds no lock, so it reports the old layout instead of migrating it under a
    # tracker of the old version that may still be running.
    assert main([*base, "status"]) == 1
    assert "version 1" in capsys.readouterr().out
    assert (state / "outbox.json").exists() and not (state / "outbox.sqlite").exists()
    assert main([*base, "poll"]) == 0
    assert posted(slack) == ["0000950123-24-000002"]
    assert (state / "VERSION").read_text() == "2\n"
    assert (state / "outbox.json.migrated").exists() and not (state / "outbox.json").exists()
    s = State(state)
    assert s.delivered_ts("0000950123-24-000001", "#acme") == "1700000000.000100"
    assert {a.status for a in s.alerts()} == {"delivered"}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_version_1_outbox_is_refused_not_migrated_away(
    tmp_path: Path, edgar: FakeEdgar, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    v1_state(state, {"1": v1_alert("0000950123-24-000002", "pending")})
    legacy = state / "outbox.json"
    DAMAGE[damage](legacy)
    base = ["--config", str(cfg), "--state", str(state)]
    assert main([*base, "poll"]) == 1
    err = capsys.readouterr().err
    assert str(legacy) in err and "Traceback" not in err
    assert main([*base, "status"]) == 1
    assert legacy.exists() and not (state / "outbox.sqlite").exists()


def test_unwritable_state_directory_is_one_line(
    tmp_path: Path,
    edgar: FakeEdgar,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    base = ["--config", str(cfg), "--state", str(state)]
    assert main([*base, "poll"]) == 0
    capsys.readouterr()
    if os.geteuid() == 0:
        # root writes anywhere: make every write in the state directory fail as it would.
        real_open = os.open

        def refuse(path: object, flags: int, *a: object, **k: object) -> int:
            if str(path).startswith(str(state)) and flags & (os.O_WRONLY | os.O_RDWR):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *a, **k)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refuse)
        import tempfile

        real_mkstemp = tempfile.mkstemp

        def mkstemp(*a: object, dir: object = None, **k: object) -> tuple[int, str]:
            if str(dir).startswith(str(state)):
                raise PermissionError(13, "Permission denied", str(dir))
            return real_mkstemp(*a, dir=dir, **k)  # type: ignore[call-overload,no-any-return]

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(sqlite3, "connect", _readonly_connect(sqlite3.connect))
    else:
        for p in [state, *state.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        edgar.add(make_filing(CIK, "0000950123-24-000002"))
        assert main([*base, "poll"]) == 1
        err = capsys.readouterr().err.strip()
        errors = [line for line in err.splitlines() if line.startswith("tracker:")]
        assert "Traceback" not in err and len(errors) == 1, err
        assert "Permission denied" in err or "read-only" in err
    finally:
        if os.geteuid() != 0:
            for p in [state, *state.rglob("*")]:
                p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(state, ignore_errors=True)


def _readonly_connect(real: Callable[..., sqlite3.Connection]) -> Callable[..., sqlite3.Connection]:
    def connect(path: str, *a: object, **k: object) -> sqlite3.Connection:
        return real(f"file:{path}?mode=ro", *a, uri=True, **k)

    return connect


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_ticker_snapshot_falls_back_to_the_bundled_list(
    tmp_path: Path, edgar: FakeEdgar, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from importlib import resources

    cfg = write_config(
        tmp_path / "w.toml",
        edgar.base_url,
        companies='\n[[companies]]\nticker = "AAPL"\nchannel = "#apple"\n',
    )
    state = tmp_path / "state"
    state.mkdir()
    snapshot = state / "company_tickers.json"
    snapshot.write_bytes(
        resources.files("tracker").joinpath("data", "company_tickers.json").read_bytes()
    )
    DAMAGE[damage](snapshot)
    base = ["--config", str(cfg), "--state", str(state)]
    assert main([*base, "check-config"]) == 0
    assert main([*base, "poll"]) == 0
    err = capsys.readouterr().err
    assert str(snapshot) in err and "bundled ticker list" in err and "Traceback" not in err
