"""What the mailbox says about the vault's follow-ups: pure functions of the
message headers read (see `vaultfollow.mail`), the plan and what was seen
before.

A message in a sent folder to a follow-up's recipient marks that follow-up
sent; a message from the application's people (or a reply to a follow-up
seen sent) records a response, which cancels the pending check-ins. Only
hashes of message ids, dates and the matched address are kept (`MailState`):
nothing of other mail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from zoneinfo import ZoneInfo

from vaultfollow.core.model import OUTCOMES, DraftRecord, FollowUp, InterviewNote, Kind, State
from vaultfollow.core.prose import word_set

# The header fields fetched, and nothing else (BODY.PEEK[HEADER.FIELDS (...)]).
HEADER_FIELDS = (
    "FROM",
    "TO",
    "CC",
    "DATE",
    "SUBJECT",
    "MESSAGE-ID",
    "IN-REPLY-TO",
    "REFERENCES",
    "AUTO-SUBMITTED",
    "X-AUTOREPLY",
    "PRECEDENCE",
)

# Mail domains anyone can have an address at: a reply from one of them says
# nothing about which company it came from, so only exact addresses count
# there. A short list of the large providers; extend it as users meet others.
PUBLIC_MAIL_DOMAINS = word_set(
    """
    gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk live.com msn.com
    yahoo.com yahoo.co.uk yahoo.de ymail.com icloud.com me.com mac.com aol.com
    gmx.de gmx.net gmx.com web.de t-online.de freenet.de posteo.de mailbox.org
    protonmail.com proton.me pm.me fastmail.com fastmail.fm zoho.com yandex.com
    yandex.ru mail.ru qq.com 163.com 126.com orange.fr free.fr laposte.net
    libero.it hey.com tutanota.com tuta.io
    """
)

_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_OUT_OF_OFFICE = re.compile(
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response|antwort)"
    r"|abwesenheit|autoreply|vacation (reply|notice)|away from (the )?office|\bOOO\b",
    re.IGNORECASE,
)
# How long after its planned day a message with another subject may still be
# a follow-up's, when it is the only one to that person; and how early a
# check-in may go out.
AFTER_DO = timedelta(days=7)
CHECK_IN_EARLY = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Header:
    """The header fields of one message, as far as vaultfollow looks."""

    folder: str
    in_sent_folder: bool
    message_id: str
    moment: datetime  # aware
    sender: str  # address, casefolded
    recipients: tuple[str, ...]  # To and Cc addresses, casefolded
    subject: str
    references: tuple[str, ...]  # In-Reply-To and References message ids
    automatic: bool


def parse_header(folder: str, in_sent_folder: bool, raw: bytes, fallback: datetime) -> Header:
    """One message's fetched header fields; `fallback` is its arrival time,
    for a message without a readable Date."""
    message = BytesHeaderParser(policy=default_policy).parsebytes(raw)

    def text(name: str) -> str:
        try:
            value = message.get(name)
        except (ValueError, TypeError, IndexError):  # a malformed field reads as absent
            return ""
        return str(value or "").strip()

    moment = _moment(text("Date"), fallback)
    senders = _addresses([text("From")])
    return Header(
        folder=folder,
        in_sent_folder=in_sent_folder,
        message_id=next(iter(_message_ids(text("Message-ID"))), ""),
        moment=moment,
        sender=senders[0] if senders else "",
        recipients=tuple(_addresses([text("To"), text("Cc")])),
        subject=text("Subject"),
        references=tuple(_message_ids(text("In-Reply-To") + " " + text("References"))),
        automatic=_is_automatic(
            text("Auto-Submitted"), text("X-Autoreply"), text("Precedence"), text("Subject")
        ),
    )


def _moment(value: str, fallback: datetime) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _addresses(values: Iterable[str]) -> list[str]:
    return [address.casefold() for _, address in getaddresses(list(values)) if "@" in address]


def _message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value)


def _is_automatic(auto_submitted: str, autoreply: str, precedence: str, subject: str) -> bool:
    """RFC 3834's Auto-Submitted, the older X-Autoreply and Precedence, and
    the subjects out-of-office replies carry."""
    if auto_submitted and auto_submitted.split(";")[0].strip().casefold() != "no":
        return True
    if autoreply:
        return True
    if precedence.casefold() in ("auto_reply", "bulk", "junk", "list"):
        return True
    return bool(_OUT_OF_OFFICE.search(subject))


def same_subject(one: str, other: str) -> bool:
    """Equal once `Re:`/`Fwd:` prefixes, case and spacing are set aside."""
    return bool(one.strip()) and _plain_subject(one) == _plain_subject(other)


def _plain_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).casefold().split())


def hashed(value: str) -> str:
    """What is kept of a message id or an application key: a hash, not the text."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].casefold()


# --- what is kept between checks -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sighting:
    """One message that matched: its day, the address it matched and a hash of its id."""

    day: date
    address: str
    message: str  # hashed(message id)


@dataclass(frozen=True, slots=True)
class MailState:
    """What the mailbox showed: follow-ups seen sent (by follow-up id) and
    responses seen (by hashed application key)."""

    sent: Mapping[str, Sighting] = field(default_factory=dict)
    replied: Mapping[str, Sighting] = field(default_factory=dict)

    def merged(self, other: MailState) -> MailState:
        """Both (the same whichever way round): of two sightings of one
        follow-up sent the earlier, of two replies to one application the
        later (a reply after a later round is the one that counts)."""
        return MailState(
            _pick(self.sent, other.sent, later=False),
            _pick(self.replied, other.replied, later=True),
        )


def _pick(
    one: Mapping[str, Sighting], other: Mapping[str, Sighting], *, later: bool
) -> dict[str, Sighting]:
    found = dict(one)
    for key, seen in other.items():
        if key not in found:
            found[key] = seen
            continue
        mine, theirs = (found[key].day, found[key].message), (seen.day, seen.message)
        if (theirs > mine) if later else (theirs < mine):
            found[key] = seen
    return found


# --- matching ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentMatch:
    followup: FollowUp
    seen: Sighting


@dataclass(frozen=True, slots=True)
class ReplyMatch:
    application: str  # the application key (not kept: see MailState)
    company: str
    seen: Sighting


@dataclass(frozen=True, slots=True)
class Matches:
    sent: tuple[SentMatch, ...]
    replied: tuple[ReplyMatch, ...]

    def state(self) -> MailState:
        return MailState(
            sent={m.followup.id: m.seen for m in self.sent},
            replied={hashed(m.application): m.seen for m in self.replied},
        )


def match_mailbox(
    headers: Sequence[Header],
    followups: Sequence[FollowUp],
    subjects: Mapping[str, str],
    notes: Sequence[InterviewNote],
    own_addresses: Iterable[str],
    known: MailState,
    zone: ZoneInfo,
) -> Matches:
    """The follow-ups the sent folders show sent, and the applications whose
    people replied. `subjects`: draft path -> the subject its draft says;
    `own_addresses`: the user's, never a reply; `known`: what earlier checks
    saw (a reply to a follow-up seen sent then still counts)."""
    own = {a.casefold() for a in own_addresses if a}
    sent = _match_sent(headers, followups, subjects, known, zone)
    sent_ids = {m.seen.message for m in sent} | {s.message for s in known.sent.values()}
    replied = _match_replies(headers, notes, own, sent_ids, known, zone)
    return Matches(tuple(sent), tuple(replied))


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _window_start(followup: FollowUp) -> date:
    """The first day a message may be this follow-up: its interview's day for
    a thank-you; a few days before its planned day for a check-in."""
    round_day = followup.round_start.date()
    if followup.kind is Kind.THANK_YOU:
        return round_day
    return max(round_day, followup.do.date() - CHECK_IN_EARLY)


def _match_sent(
    headers: Sequence[Header],
    followups: Sequence[FollowUp],
    subjects: Mapping[str, str],
    known: MailState,
    zone: ZoneInfo,
) -> list[SentMatch]:
    """Each pending email follow-up with a recipient address against the
    messages in sent folders to that address since its window opened: first
    those with its draft's subject, then, for the follow-ups still open, the
    only message left in its window. A message marks one follow-up at most."""
    outgoing = sorted(
        (h for h in headers if h.in_sent_folder and not h.automatic),
        key=lambda h: (h.moment, h.message_id),
    )
    claimed: set[str] = {s.message for s in known.sent.values()}
    waiting = sorted(
        (
            f
            for f in followups
            if f.state is State.PENDING
            and f.channel == "email"
            and f.recipient.email
            and f.id not in known.sent
        ),
        key=lambda f: (f.do, f.id),
    )
    found: dict[str, SentMatch] = {}

    def candidates(followup: FollowUp) -> list[Header]:
        address = (followup.recipient.email or "").casefold()
        start = _window_start(followup)
        return [
            h
            for h in outgoing
            if address in h.recipients
            and _day(h.moment, zone) >= start
            and _id_hash(h) not in claimed
        ]

    def take(followup: FollowUp, header: Header) -> None:
        claimed.add(_id_hash(header))
        address = (followup.recipient.email or "").casefold()
        found[followup.id] = SentMatch(
            followup, Sighting(_day(header.moment, zone), address, _id_hash(header))
        )

    for followup in waiting:
        subject = subjects.get(followup.draft_path, "")
        chosen = next((h for h in candidates(followup) if same_subject(h.subject, subject)), None)
        if chosen is not None:
            take(followup, chosen)
    for followup in waiting:
        if followup.id in found:
            continue
        last = followup.do.date() + AFTER_DO
        in_window = [h for h in candidates(followup) if _day(h.moment, zone) <= last]
        if len(in_window) == 1:
            take(followup, in_window[0])
    return sorted(found.values(), key=lambda m: (m.followup.do, m.followup.id))


def _id_hash(header: Header) -> str:
    return hashed(header.message_id or _stand_in_id(header))


def _stand_in_id(header: Header) -> str:
    """For a message without a Message-ID: its folder, time and recipients."""
    return f"{header.folder}\x1f{header.moment.isoformat()}\x1f{','.join(header.recipients)}"


def _match_replies(
    headers: Sequence[Header],
    notes: Sequence[InterviewNote],
    own: set[str],
    sent_ids: set[str],
    known: MailState,
    zone: ZoneInfo,
) -> list[ReplyMatch]:
    """The first message after an application's last interview from its
    people (their addresses, or their company's mail domain unless a public
    provider's), or answering a follow-up seen sent. Automatic replies and
    the user's own messages (any in a sent folder) never count; nor do
    applications whose notes record a response or an outcome (the note
    wins), or whose reply since their last interview was seen already."""
    incoming = sorted(
        (
            h
            for h in headers
            if not h.in_sent_folder and not h.automatic and h.sender and h.sender not in own
        ),
        key=lambda h: (h.moment, h.message_id),
    )
    replies: list[ReplyMatch] = []
    for key, app_notes in sorted(_applications(notes).items()):
        addresses, domains = _people_of(app_notes, own)
        last_end = max(r.end for n in app_notes for r in n.rounds)
        before = known.replied.get(hashed(key))
        if _note_heard(app_notes) or (before and before.day >= _day(last_end, zone)):
            continue
        for header in incoming:
            if header.moment <= last_end:
                continue
            answers = any(hashed(ref) in sent_ids for ref in header.references)
            if header.sender in addresses or domain_of(header.sender) in domains or answers:
                seen = Sighting(_day(header.moment, zone), header.sender, _id_hash(header))
                replies.append(ReplyMatch(key, app_notes[-1].company, seen))
                break
    return replies


def _applications(notes: Sequence[InterviewNote]) -> dict[str, list[InterviewNote]]:
    groups: dict[str, list[InterviewNote]] = {}
    for note in sorted(notes, key=lambda n: n.path):
        if note.rounds:
            groups.setdefault(note.application_key, []).append(note)
    return groups


def _people_of(notes: Sequence[InterviewNote], own: set[str]) -> tuple[set[str], set[str]]:
    """The addresses of an application's interviewers and contacts, and
    their companies' mail domains (public providers' left out)."""
    addresses = {
        person.email.casefold()
        for note in notes
        for person in (
            *(p for r in note.rounds for p in r.interviewers),
            *([note.contact] if note.contact else []),
        )
        if person.email
    } - own
    own_domains = {domain_of(a) for a in own}
    domains = {domain_of(a) for a in addresses} - PUBLIC_MAIL_DOMAINS - own_domains
    return addresses, domains


# --- what the mailbox changes in a pass ---------------------------------------------

# What the note records wins over the mailbox: these say a response was had.
_HEARD = frozenset({"heard-back", *OUTCOMES})


def _note_heard(notes: Sequence[InterviewNote]) -> bool:
    """The application's notes record a response or an outcome themselves
    (a `responded` the mailbox gave, with its `responded_by`, is not theirs)."""
    return any((n.responded and not n.responded_by) or n.status in _HEARD for n in notes)


def apply_mail_state(
    notes: Sequence[InterviewNote],
    drafts: Sequence[DraftRecord],
    state: MailState,
) -> tuple[list[InterviewNote], list[DraftRecord]]:
    """The notes and drafts as the planner should see them: a draft still
    `draft` whose follow-up the mailbox shows sent counts as sent that day;
    a note of an application the mailbox shows answered, with no response
    or outcome of its own, counts as `responded` that day."""
    new_drafts = [_seen_sent(d, state.sent.get(d.followup_id or "")) for d in drafts]
    heard = {k for k, app in _applications(notes).items() if _note_heard(app)}
    new_notes = []
    for note in notes:
        seen = state.replied.get(hashed(note.application_key))
        if seen is not None and note.application_key not in heard and note.rounds:
            note = replace(note, responded=seen.day, responded_by=seen.address)
        new_notes.append(note)
    return new_notes, new_drafts


def _seen_sent(draft: DraftRecord, seen: Sighting | None) -> DraftRecord:
    """A draft still `draft` counts as sent on the day seen; one the
    mailbox check marked sent (`mark_draft_sent`) says where it was seen."""
    if seen is None:
        return draft
    if draft.status == "draft":
        return replace(draft, status="sent", sent=seen.day, seen_sent=True)
    if draft.status == "sent" and draft.sent == seen.day:
        return replace(draft, seen_sent=True)
    return draft


def mark_draft_sent(text: str, day: date) -> str | None:
    """The text of an unedited draft with `status: sent` and `sent: <day>`,
    signed again as vaultfollow's; None when it is not in the form
    vaultfollow writes (the user's: left alone)."""
    from vaultfollow.core.draftfile import HASH_KEY, digest, is_edited

    if is_edited(text):
        return None
    lines = text.split("\n")
    try:
        status = lines.index("status: draft")
        sent = lines.index("sent:")
        signed = next(i for i, line in enumerate(lines) if line.startswith(f"{HASH_KEY}:"))
    except (ValueError, StopIteration):
        return None
    lines[status] = "status: sent"
    lines[sent] = f"sent: {day.isoformat()}"
    del lines[signed]
    value = digest("\n".join(lines))
    lines.insert(signed, f'{HASH_KEY}: "{value}"')
    return "\n".join(lines)


def draft_subject(text: str) -> str:
    """The `subject` a draft's front matter says ("" when it says none)."""
    import yaml

    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        return ""
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r") in ("---", "...")), 0)
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) if end else None
    except yaml.YAMLError:
        return ""
    subject = data.get("subject") if isinstance(data, dict) else None
    return subject if isinstance(subject, str) else ""
