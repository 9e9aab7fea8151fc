"""vaultfollow.toml: every key, defaults, and errors that say what to write."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vaultfollow.app.engine import load_settings
from vaultfollow.core.config import SPEC, Settings, parse_config_text, parse_duration
from vaultfollow.errors import ConfigError
from vaultfollow.store.machine import system_timezone
from vaultfollow.store.vault import Vault


def test_empty_config_gives_the_documented_defaults() -> None:
    settings = parse_config_text('[schedule]\ntimezone = "Europe/Berlin"\n', default_zone="UTC")
    assert settings.drafts.folder == "Follow-ups"
    assert settings.calendar.path == "Follow-ups/followups.ics"
    assert settings.dashboard_path == "Follow-ups/Follow-ups.md"
    assert settings.schedule.thank_you_after == timedelta(hours=2)
    assert settings.schedule.thank_you_deadline == timedelta(hours=24)
    assert settings.schedule.check_in_after == timedelta(days=7)
    assert settings.schedule.second_check_in_after == timedelta(days=14)
    assert settings.schedule.send_time == time(9, 0)
    assert settings.schedule.working_hours == (time(8, 0), time(20, 0))
    assert settings.schedule.ignore_older_than == timedelta(days=30)
    assert settings.schedule.max_check_ins == 2
    assert settings.schedule.ask_feedback is False
    assert settings.schedule.check_in_channel == "email"
    assert settings.drafts.tone == "formal"


def test_no_timezone_means_the_zone_given_the_machines_for_a_vault(tmp_path: Path) -> None:
    assert parse_config_text("", default_zone="Asia/Tokyo").schedule.timezone == "Asia/Tokyo"
    zone = system_timezone()
    ZoneInfo(zone)  # never empty, always a valid zone
    assert load_settings(Vault(tmp_path)).schedule.timezone == zone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1d 2h", timedelta(hours=26)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_every_key_of_the_spec_is_accepted() -> None:
    values = {
        "you": 'name = "A"\nemail = "a@b.c"\nphone = "1"\nsignature = "A\\nB"',
        "notes": 'type = "interview"\ntag = "interview"\nfolders = ["Interviews"]\n'
        'exclude = ["Archive/**"]\ndiscussed_headings = ["Discussed"]\n'
        'clarify_headings = ["Clarify"]\nproperties = { date = "Comm_DateTime" }\n'
        'status = { Active = "waiting" }',
        "drafts": 'folder = "Out"\ntemplates = "T/v"\ntone = "casual"',
        "schedule": 'timezone = "America/New_York"\nthank_you_after = "3h"\n'
        'thank_you_deadline = "48h"\ninterview_duration = "45m"\n'
        'check_in_after = "10d"\nsecond_check_in_after = "21d"\n'
        'send_time = "10:00"\nworking_hours = "07:00-21:00"\nholidays = "US-CA"\n'
        'ignore_older_than = "60d"\nmax_check_ins = 1\nask_feedback = true\n'
        'handwritten = true\ncheck_in_channel = "phone"',
        "calendar": 'path = "Cal/jobs.ics"\nname = "Jobs"\nkind = "todo"\n'
        'event_duration = "30m"\nalarm = "15m"\nrefresh = "2h"\nall_day = true',
        "server": 'host = "127.0.0.1"\nport = 9000',
        "caldav": 'url = "https://dav.example/cal/"\nusername = "me"\npassword_env = "PW"\n'
        'password_command = "pass show dav"\ncalendar = "Jobs"\nca_file = "~/my-ca.pem"',
        "mail": 'host = "imap.example"\nport = 993\nusername = "me"\npassword_env = "PW"\n'
        'password_command = ""\noauth2_token_command = ""\ntls = "implicit"\n'
        'ca_file = ""\nfolders = ["INBOX"]\nlook_back = "30d"\npoll = "10m"',
    }
    assert set(values) == set(SPEC)
    for section, body in values.items():
        written = {line.split(" = ")[0] for line in body.splitlines()}
        assert written == set(SPEC[section]), section
    text = "\n".join(f"[{s}]\n{b}\n" for s, b in values.items())
    settings = parse_config_text(text, default_zone="UTC")
    assert settings.schedule.timezone == "America/New_York"
    assert settings.schedule.working_hours == (time(7), time(21))
    assert settings.calendar.alarm == timedelta(minutes=15)
    assert settings.dashboard_path == "Out/Follow-ups.md"
    assert settings.schedule.holidays == "US-CA"


def test_all_errors_reported_at_once_with_key_value_and_allowed() -> None:
    text = (
        '[schedule]\nthank_you_after = "soon"\nmax_check_ins = 5\ntimezone = "Mars/Base"\n'
        'colour = 1\n[drafts]\ntone = "grumpy"\nfolder = "../outside"\n[bogus]\nx = 1\n'
    )
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, default_zone="UTC")
    errors = caught.value.errors
    assert len(errors) == 7
    joined = "\n".join(errors)
    assert '[schedule] thank_you_after = "soon" is not allowed; write a duration' in joined
    assert "max_check_ins = 5 is not allowed; write a whole number from 0 to 2" in joined
    assert '"Mars/Base" is not allowed; write an IANA time zone name' in joined
    assert "unknown key `colour` in [schedule]; allowed: timezone," in joined
    assert 'tone = "grumpy" is not allowed; write "formal" or "casual"' in joined
    assert 'folder = "../outside" is not allowed' in joined
    assert "unknown section [bogus]" in joined
    assert caught.value.exit_code == 2


def test_invalid_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config_text("[schedule\n", default_zone="UTC")


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.drafts = settings.drafts  # type: ignore[misc]
