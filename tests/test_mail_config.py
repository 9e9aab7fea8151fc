"""`[mail]` in vaultfollow.toml: defaults, bad values, and where the password comes from."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest

from vaultfollow.core.config import MailSettings, parse_config_text
from vaultfollow.errors import ConfigError
from vaultfollow.secrets import read_secret, secret_from_command


def mail(text: str) -> MailSettings:
    return parse_config_text("[mail]\n" + text, default_zone="UTC").mail


def errors(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        mail(text)
    return caught.value.message


def test_defaults() -> None:
    settings = parse_config_text("", default_zone="UTC").mail
    assert not settings.enabled
    assert settings.tls == "implicit" and settings.effective_port == 993
    assert settings.look_back == timedelta(days=60) and settings.poll == timedelta(minutes=5)
    assert settings.folders == ()


def test_a_full_table() -> None:
    settings = mail(
        'host = "imap.example.org"\nport = 1993\nusername = "me"\n'
        'password_command = "pass show imap"\ntls = "starttls"\nca_file = "~/ca.pem"\n'
        'folders = ["INBOX", "Archive"]\nlook_back = "30d"\npoll = "2m"\n'
    )
    assert settings.effective_port == 1993 and settings.tls == "starttls"
    assert settings.folders == ("INBOX", "Archive")
    assert settings.look_back == timedelta(days=30)
    assert mail('host = "h"\ntls = "starttls"\n').effective_port == 143


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('tls = "ssl"', '[mail] tls = "ssl" is not allowed; write "implicit" or "starttls"'),
        ("port = 0", "[mail] port = 0 is not allowed; write a whole number from 1 to 65535"),
        ('look_back = "2h"', 'look_back = "2h" is not allowed; write at least one day'),
        ('look_back = "soon"', 'look_back = "soon" is not allowed; write a duration'),
        ('host = "imap example"', 'host = "imap example" is not allowed; write a host name'),
        ("folders = 3", "[mail] folders = 3 is not allowed; write a list of strings"),
        ('passwd = "x"', "unknown key `passwd` in [mail]; allowed: host, port"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(line: str, said: str) -> None:
    assert said in errors(line + "\n")


def test_plain_text_only_to_this_machine() -> None:
    said = errors('host = "imap.example.org"\ntls = "none"\n')
    assert '[mail] tls = "none" is not allowed with host = "imap.example.org"' in said
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert mail(f'host = "{host}"\ntls = "none"\n').tls == "none"


def test_one_source_of_secret_only() -> None:
    said = errors('host = "h"\npassword_env = "P"\noauth2_token_command = "tok"\n')
    assert "sets password_env and oauth2_token_command; write only one" in said


def test_all_problems_at_once() -> None:
    said = errors('tls = "x"\nport = -1\nlook_back = "1m"\n')
    assert said.count("\n") == 2


def test_password_sources_never_show_the_secret() -> None:
    assert (
        read_secret("mail", password_env="P", password_command="", environ={"P": "s3cret"})
        == "s3cret"
    )
    with pytest.raises(ConfigError, match=r'\[mail\] password_env = "P": that environment'):
        read_secret("mail", password_env="P", password_command="", environ={})
    command = f"{sys.executable} -c \"print('s3cret'); print('more')\""
    assert read_secret("mail", password_env="", password_command=command, environ={}) == "s3cret"
    failing = f"{sys.executable} -c \"import sys; print('s3' + 'cret'); sys.exit('locked')\""
    with pytest.raises(ConfigError) as caught:
        secret_from_command("mail", "oauth2_token_command", failing, "token")
    assert "failed with exit code 1: locked" in caught.value.message
    assert "s3cret" not in caught.value.message
    with pytest.raises(ConfigError, match="printed no token"):
        secret_from_command("mail", "oauth2_token_command", f'{sys.executable} -c ""', "token")
    with pytest.raises(ConfigError, match=r"\[mail\]: no password"):
        read_secret("mail", password_env="", password_command="", environ={})
