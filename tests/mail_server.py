"""A real Dovecot IMAP server for the mail tests: started on 127.0.0.1 on a
free port with TLS (a certificate made here), one static test user, a
Maildir of fixture messages written by the test, stopped by its pid.

Dovecot keeps its indexes and its UID list outside the Maildir (INDEX= and
CONTROL=), so the Maildir holds exactly the messages the test wrote: a
snapshot of it (names, which carry the flags, and bytes) shows any change a
client made."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

USER = "jobseeker"
PASSWORD = "correct-horse-battery-staple"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate for `host` (also the CA to trust): cert, key."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vaultfollow test IMAP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass(frozen=True)
class Message:
    """One fixture message: its headers, a body the client must never read."""

    folder: str  # "INBOX" or "Sent" (the server's sent folder, whatever its name)
    sender: str
    to: str
    subject: str
    date: dt.datetime
    message_id: str = ""
    in_reply_to: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    flags: str = "S"  # Maildir info flags: S seen, R replied, F flagged
    body: str = "SECRET BODY: never to be downloaded\n"

    def to_bytes(self) -> bytes:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(self.date)
        msg["Message-ID"] = self.message_id or make_msgid(domain="fixture.test")
        if self.in_reply_to:
            msg["In-Reply-To"] = self.in_reply_to
            msg["References"] = self.in_reply_to
        for name, value in self.extra:
            msg[name] = value
        msg.set_content(self.body)
        return bytes(msg)


class Dovecot:
    """One Dovecot process serving `maildir` to USER/PASSWORD over TLS."""

    def __init__(
        self,
        folder: Path,
        *,
        starttls: bool = False,
        sent_name: str = "Sent",
        introspection_url: str = "",
        plaintext: bool = False,
    ) -> None:
        """`introspection_url`: also accept XOAUTH2, asking this OAuth2
        token introspection endpoint whether a token is good."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.maildir = folder / "Maildir"
        self.cert, self.key = make_certificate(folder)
        self.port = free_port()
        self.sent_name = sent_name
        self.introspection_url = introspection_url
        self.plaintext = plaintext  # no TLS at all (only for tls = "none" to loopback)
        self.starttls = starttls or plaintext  # both listen on the `imap` listener
        self.process: subprocess.Popen[bytes] | None = None
        self._count = 0
        # Mail must not be read as root: as root, the mail belongs to Debian's
        # `dovecot` user; else to the test user.
        self.uid, self.gid = os.getuid(), os.getgid()
        if self.uid == 0:
            import pwd

            entry = pwd.getpwnam("dovecot")
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
        for sub in ("cur", "new", "tmp", *(f".{sent_name}/{s}" for s in ("cur", "new", "tmp"))):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("index", "home"):
            (self.folder / sub).mkdir(exist_ok=True)
        self._own(self.folder)

    def _own(self, path: Path) -> None:
        """Give `path` (and all under it) to the mail user."""
        if os.getuid() != 0:
            return
        for one in [path, *path.rglob("*")]:
            if one.name not in ("key.pem", "cert.pem"):
                os.chown(one, self.uid, self.gid)

    def deliver(self, message: Message) -> Path:
        """Write `message` into its folder as a Maildir file (before or while
        the server runs: Dovecot notices new files on the next look)."""
        self._count += 1
        name = self.sent_name if message.folder == "Sent" else message.folder
        box = self.maildir if name == "INBOX" else self.maildir / f".{name}"
        file_name = f"{int(message.date.timestamp())}.M{self._count}P1.fixture:2,{message.flags}"
        path = box / "cur" / file_name
        path.write_bytes(message.to_bytes())
        stamp = message.date.timestamp()
        os.utime(path, (stamp, stamp))  # Dovecot's INTERNALDATE and SINCE use the mtime
        self._own(path)
        return path

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the Maildir: its path (flags included) and bytes."""
        return {
            str(path.relative_to(self.maildir)): path.read_bytes()
            for path in sorted(self.maildir.rglob("*"))
            if path.is_file()
        }

    def _config(self) -> str:
        uid, gid = self.uid, self.gid
        # Dovecot's login and internal processes must not run as root: as
        # root, use the users Debian's package creates; else the test user.
        login_user, internal_user = (
            ("dovenull", "dovecot") if os.getuid() == 0 else (getpass.getuser(), getpass.getuser())
        )
        if os.getuid() == 0:
            self.folder.chmod(0o755)  # the login processes reach their sockets through it
        run = self.folder / "run"
        run.mkdir(exist_ok=True)
        index = self.folder / "index"
        run.chmod(0o755)
        ssl_listener = "ssl = yes" if not self.starttls else ""
        listener = "imaps" if not self.starttls else "imap"
        return f"""
base_dir = {run}
state_dir = {self.folder / "state"}
log_path = {self.folder / "dovecot.log"}
protocols = imap
listen = 127.0.0.1
ssl = {"no" if self.plaintext else "required"}
disable_plaintext_auth = {"no" if self.plaintext else "yes"}
ssl_cert = <{self.cert}
ssl_key = <{self.key}
auth_mechanisms = plain login{" xoauth2" if self.introspection_url else ""}
{self._oauth2_passdb()}default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
mail_location = maildir:{self.maildir}:INDEX={index}:CONTROL={index}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox {self.sent_name} {{
    special_use = \\Sent
  }}
}}
passdb {{
  driver = static
  args = user={USER} password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.folder / "home"}
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port if self.starttls else 0}
  }}
  inet_listener imaps {{
    port = {0 if self.starttls else self.port}
    {ssl_listener if listener == "imaps" else ""}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""

    def _oauth2_passdb(self) -> str:
        if not self.introspection_url:
            return ""
        settings = self.folder / "oauth2.conf.ext"
        settings.write_text(
            f"introspection_mode = post\nintrospection_url = {self.introspection_url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            f"tokeninfo_url = {self.introspection_url}?token=\n",
            encoding="utf-8",
        )
        return f"""passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {settings}
}}
"""

    def start(self) -> None:
        config = self.folder / "dovecot.conf"
        config.write_text(self._config(), encoding="utf-8")
        (self.folder / "state").mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text

    def stop(self) -> None:
        """Stop the master by its pid; it takes its children with it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
