"""What went wrong with a push, in words: a failed connection (DNS, refused,
timeout, TLS) as one line with its fix, and a refused entry as the
server's reason (the calendar takes no tasks, the UID is used elsewhere).
Reads the exceptions the caldav library and urllib3 raise; touches no
network itself."""

from __future__ import annotations

from dataclasses import dataclass

CALDAV_NS = "{urn:ietf:params:xml:ns:caldav}"
UID_CONFLICTS = (f"{CALDAV_NS}no-uid-conflict", f"{CALDAV_NS}unique-scheduling-object-resource")


@dataclass(frozen=True, slots=True)
class Trouble:
    """Why a push (not one entry) failed: one line for the user, and
    whether another try may help (an outage) or the config must change."""

    message: str
    outage: bool


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps (causes, contexts, arguments and
    urllib3's `reason`), each once."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner += list(getattr(current, "args", ()))
        todo += [e for e in inner if isinstance(e, BaseException)]
    return found


def _host_port(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 443 if parts.scheme == "https" else 80
    return f"{parts.hostname or '?'}:{port}"


def network_trouble(exc: BaseException, url: str, timeout: float) -> Trouble | None:
    """A failure to reach the server (TLS, DNS, refused, timeout) in one
    line, or None when `exc` is none of these."""
    causes = _causes(exc)
    where = _host_port(url)
    return _tls_trouble(causes, where) or _connection_trouble(causes, where, timeout)


def _tls_trouble(causes: list[BaseException], where: str) -> Trouble | None:
    """A certificate not trusted, or no TLS at all: no retry mends either."""
    import ssl

    verify = next((e for e in causes if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        why = verify.verify_message or "not trusted"
        return Trouble(
            f"{where}: the server's TLS certificate is not trusted ({why}); if a private CA "
            "signed it, set [caldav] ca_file to that CA's certificate (PEM), otherwise check "
            "the host name in [caldav] url",
            outage=False,
        )
    if any(isinstance(e, ssl.SSLError) or type(e).__name__ == "SSLError" for e in causes):
        return Trouble(
            f"{where}: the TLS handshake failed (does the server speak https on that port?); "
            "if it serves plain HTTP, write http:// in [caldav] url",
            outage=False,
        )
    return None


def _connection_trouble(causes: list[BaseException], where: str, timeout: float) -> Trouble | None:
    """DNS, a refused connection, a timeout or another network error: an
    outage, worth another try."""
    import socket

    names = {type(e).__name__ for e in causes}
    host = where.rsplit(":", 1)[0]
    if any(isinstance(e, socket.gaierror) for e in causes) or "NameResolutionError" in names:
        message = (
            f"cannot find the server {host} (DNS lookup failed); check the host name in "
            "[caldav] url, or your network connection"
        )
    elif any(isinstance(e, ConnectionRefusedError) for e in causes):
        message = (
            f"cannot connect to {where}: connection refused; is the server running, and is "
            "the port in [caldav] url right?"
        )
    elif any(isinstance(e, TimeoutError) for e in causes) or any("Timeout" in n for n in names):
        message = (
            f"{where} did not answer within {timeout:g} s; check your network connection, "
            "or try again later"
        )
    elif any(isinstance(e, OSError) for e in causes) or "ConnectionError" in names:
        reason = next((e for e in reversed(causes) if isinstance(e, OSError)), None)
        why = (reason.strerror or str(reason)) if reason is not None else "connection failed"
        message = f"cannot talk to {where}: {why}; check [caldav] url and your network connection"
    else:
        return None
    return Trouble(message, outage=True)


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def refusal_reason(exc: BaseException, body: bytes | None) -> str:
    """Why the server refused one entry, and what to do, from the DAV:error
    precondition it named (RFC 4791 5.3.2.1)."""
    preconditions = set(getattr(exc, "preconditions", None) or [])
    status = status_of(exc)
    if f"{CALDAV_NS}supported-calendar-component" in preconditions:
        if body is not None and b"BEGIN:VTODO" in body:
            return (
                "this calendar does not take tasks; push into a calendar that does "
                '(a task list), or set [calendar] kind = "event"'
            )
        return (
            "this calendar does not take events; push into a calendar that does, "
            'or set [calendar] kind = "todo"'
        )
    if preconditions & set(UID_CONFLICTS):
        return (
            "this UID is used by another entry/calendar; delete that copy (in another "
            "calendar of this account, or its trash bin), or push into the calendar that holds it"
        )
    if f"{CALDAV_NS}valid-calendar-data" in preconditions or (
        f"{CALDAV_NS}valid-calendar-object-resource" in preconditions
    ):
        return "the server does not accept this entry's data; please report it to vaultfollow"
    # Only a 403 is called forbidden; a refusal without a status names its precondition.
    why = [f"HTTP {status}"] if status is not None else []
    why += sorted(name.rpartition("}")[2] for name in preconditions)
    said = "; ".join(why) or "no reason given"
    if status == 403:
        return f"forbidden ({said}); check that this account may write to this calendar"
    return f"refused ({said}); check this calendar's settings on the server"


def entry_refused(exc: BaseException) -> bool:
    """The server said no to this one entry (4xx other than 401, 404, 423
    and 429): the rest of the push goes on."""
    from caldav.lib.error import DAVError, NotFoundError

    if not isinstance(exc, DAVError) or isinstance(exc, NotFoundError):
        return False
    status = status_of(exc)
    if status is None:
        return bool(exc.preconditions)
    return 400 <= status < 500 and status not in (401, 404, 423, 429)
