"""Generate a synthetic, realistic Obsidian vault for benchmarks.

    python benchmarks/make_vault.py OUT --notes 10000 --interviews 300 [--seed 1]
        [--today YYYY-MM-DD]

`--notes` is the total number of Markdown notes written (ordinary notes,
interview notes and person notes together). Everything is derived from the
seed with `random.Random`, so the same arguments give the same bytes; no
network, no word lists. Importable:

    from make_vault import generate
    generate(Path("vault"), notes=10_000, interviews=300, seed=1, today=date.today())

What a vault holds:

- ordinary notes (daily notes, project notes, book notes, meeting notes,
  inbox notes) in folders, some nested, some with spaces or emoji in their
  names; realistic front matter (tags lists, dates, aliases), some with no
  front matter, a few with CRLF line endings; 1-6 KB bodies with headings,
  lists, links, wikilinks, code blocks and quotes;
- `--interviews` interview notes under `Interviews/` with `type: interview`,
  company, role, a date spread around `--today` (about -60 to +21 days, so
  some follow-ups are pending, some overdue, some too old to draft), a time,
  1-3 interviewers (some as `[[People/Name]]` wikilinks), a `## Discussed`
  section, sometimes `## Could answer better`, and a private section;
- person notes in `People/` for the linked interviewers;
- `vaultfollow.toml` with `[schedule] timezone = "Europe/Berlin"` and `[you] name`;
- an `.obsidian/` folder with a little configuration, as Obsidian writes it.

Interview notes meant to be edited by benchmarks (no outcome, a `date` with a
time between 09:00 and 15:00, recent or upcoming) carry `bench: true` in
their front matter; `bench_candidates()` lists them.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# --- a small vocabulary ------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_NOUNS = _words(
    "system cache queue service deadline budget roadmap sprint migration garden "
    "recipe library chapter argument habit workout meeting release backlog design "
    "database index schema pipeline deployment incident review proposal experiment "
    "metric dashboard team customer invoice contract draft outline theory model "
    "pattern interface module test fixture benchmark server client network protocol "
    "coffee morning evening weekend trip train ticket book author idea question"
)
_VERBS = _words(
    "improves breaks reduces explains supports delays replaces measures tracks "
    "needs follows changes blocks shapes simplifies documents reveals drives "
    "questions connects slows duplicates covers hides"
)
_ADJ = _words(
    "slow fast fragile robust simple messy clear urgent quiet noisy shared private "
    "legacy new old careful pragmatic elegant small large subtle obvious strange"
)
_ADV = _words("really quietly probably clearly rarely often finally barely mostly")
_FIRST = _words(
    "Jane Raj Mei Lukas Ana Tom Priya Omar Sofia Jonas Leila Marco Yuki Emma Noah "
    "Fatima Carlos Ingrid Kofi Hannah Björn Zoë Ahmed Chloé Mateo Aisha"
)
_LAST = _words(
    "Doe Patel Chen Müller Silva Brown Sharma Haddad Rossi Schmidt Nakamura Lopez "
    "Okafor Novak Berg Kim Costa Fischer Ivanova Dubois Jensen Moreau Wagner Park"
)
_COMPANIES = (
    "Acme",
    "Orbitra",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Vandelay Industries",
    "Stark Labs",
    "Wayne Logistics",
    "Nordwind GmbH",
    "Blue Fjord",
    "Café Analytics",
    "Tyrell Systems",
    "Soylent Foods",
    "Cyberdyne",
    "Massive Dynamic",
    "Pied Piper",
    "Aperture Science",
    "Wonka & Sons",
    "Kraków Data",
)
_ROLES = (
    "Platform Engineer",
    "Backend Developer",
    "Site Reliability Engineer",
    "Data Engineer",
    "Engineering Manager",
    "Staff Engineer",
    "Product Designer",
    "Frontend Developer",
    "Security Engineer",
    "ML Engineer",
)
_TITLES = ("Engineering Manager", "Recruiter", "Staff Engineer", "CTO", "Team Lead", "HR Partner")
_TAGS = (
    "project",
    "idea",
    "reading",
    "health",
    "work",
    "meeting",
    "todo",
    "journal",
    "reference",
    "howto",
    "area/home",
    "area/work",
    "status/active",
    "status/done",
    "book/fiction",
    "book/nonfiction",
)
_LANGS = ("python", "bash", "sql", "yaml", "js", "")

# Folders for ordinary notes, with the kind of note each holds.
_FOLDERS = (
    ("Projects/Alpha", "project"),
    ("Projects/Beta Launch", "project"),
    ("Projects/🚀 Rocket", "project"),
    ("Projects/Archive/2023", "project"),
    ("Books", "book"),
    ("📚 Library/Fiction", "book"),
    ("📚 Library/Non fiction", "book"),
    ("Meetings/Team Sync", "meeting"),
    ("Meetings/1-1s", "meeting"),
    ("Inbox", "inbox"),
    ("Areas/Health & Fitness", "inbox"),
    ("Areas/Home", "inbox"),
    ("Resources/Snippets", "project"),
    ("Zettelkasten", "inbox"),
)


def _sentence_pool(rng: random.Random, size: int = 3000) -> list[str]:
    pool = []
    for _ in range(size):
        words = [
            rng.choice(_ADJ),
            rng.choice(_NOUNS),
            rng.choice(_ADV),
            rng.choice(_VERBS),
            "the",
            rng.choice(_ADJ),
            rng.choice(_NOUNS),
        ]
        if rng.random() < 0.4:
            words += [rng.choice(("because", "while", "until", "so")), "the"]
            words += [rng.choice(_NOUNS), rng.choice(_VERBS), rng.choice(_NOUNS)]
        sentence = " ".join(words)
        pool.append(sentence[0].upper() + sentence[1:] + rng.choice(".....?!"))
    return pool


class _Writer:
    """Builds note bodies from a sentence pool (fast: no per-word choices)."""

    def __init__(self, rng: random.Random, titles: list[str]) -> None:
        self.rng = rng
        self.pool = _sentence_pool(rng)
        self.titles = titles  # for wikilinks

    def paragraph(self, lo: int = 2, hi: int = 6) -> str:
        rng = self.rng
        text = " ".join(rng.choices(self.pool, k=rng.randint(lo, hi)))
        if rng.random() < 0.3:
            text += f" See [[{rng.choice(self.titles)}]]."
        if rng.random() < 0.1:
            text += f" More at [the docs](https://example.com/{rng.choice(_NOUNS)})."
        return text

    def body(self, target: int) -> str:
        """Markdown of roughly `target` bytes."""
        rng = self.rng
        parts: list[str] = []
        size = 0
        while size < target:
            roll = rng.random()
            if roll < 0.15:
                block = f"{'#' * rng.randint(2, 3)} {rng.choice(self.pool)[:-1].title()}"
            elif roll < 0.35:
                items = rng.choices(self.pool, k=rng.randint(2, 6))
                bullet = rng.choice(("- ", "* ", "1. ", "- [ ] ", "- [x] "))
                block = "\n".join(bullet + item for item in items)
            elif roll < 0.42:
                lang = rng.choice(_LANGS)
                code = "\n".join(
                    f"{rng.choice(_NOUNS)}_{i} = {rng.choice(_NOUNS)}({rng.randint(0, 99)})"
                    for i in range(rng.randint(2, 8))
                )
                block = f"```{lang}\n{code}\n```"
            elif roll < 0.47:
                block = "> " + rng.choice(self.pool)
            else:
                block = self.paragraph()
            parts.append(block)
            size += len(block) + 2
        return "\n\n".join(parts) + "\n"


def _yaml_list(key: str, values: list[str]) -> str:
    return f"{key}:\n" + "".join(f"  - {v}\n" for v in values)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _slug(name: str) -> str:
    ascii_name = name.lower().replace(".", "").replace("ü", "u").replace("ö", "o")
    return ascii_name.replace("é", "e").replace("ë", "e").replace("ø", "o").replace(" ", ".")


# --- the vault ---------------------------------------------------------------


def generate(out: Path, notes: int, interviews: int, seed: int, today: date) -> None:
    """Write a synthetic vault of `notes` Markdown notes (of which `interviews`
    are interview notes, plus person notes) into `out` (created; must be empty
    or missing)."""
    if interviews < 0 or notes < interviews:
        raise ValueError("need 0 <= interviews <= notes")
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")

    # People: a pool of interviewers; linked ones get person notes.
    n_people = min(max(interviews // 3, 1), max(notes - interviews, 0)) if interviews else 0
    people: list[str] = []
    seen: set[str] = set()
    while len(people) < n_people:
        name = _person(rng)
        if name in seen:  # a middle initial (or two) keeps names unique
            first, last = name.split(" ", 1)
            initials = [chr(65 + rng.randrange(26)), chr(65 + len(people) % 26)]
            name = f"{first} {initials[0]}. {last}"
            if name in seen:
                name = f"{first} {initials[0]}. {initials[1]}. {last}"
            if name in seen:
                continue
        seen.add(name)
        people.append(name)
    ordinary = notes - interviews - len(people)

    titles = [f"Note {rng.choice(_NOUNS)} {i:05d}" for i in range(200)] + people
    writer = _Writer(rng, titles)

    _write(out / "vaultfollow.toml", _config())
    _obsidian(out)
    _people(out, rng, people)
    _ordinary(out, rng, writer, ordinary, today)
    _interviews(out, rng, writer, interviews, people, today)


def _write(path: Path, text: str, crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode("utf-8"))


def _config() -> str:
    return (
        "# Generated by benchmarks/make_vault.py\n"
        "[you]\n"
        'name = "Alex Bench"\n'
        'email = "alex@bench.example"\n'
        "\n"
        "[schedule]\n"
        'timezone = "Europe/Berlin"\n'
    )


def _obsidian(out: Path) -> None:
    _write(out / ".obsidian/app.json", '{\n  "alwaysUpdateLinks": true\n}\n')
    _write(out / ".obsidian/templates.json", '{\n  "folder": "Templates"\n}\n')
    _write(
        out / "Templates/Daily.md",
        "---\ntags:\n  - journal\n---\n# {{date}}\n\n## Log\n\n- \n",
    )
    _write(
        out / "Templates/Interview.md",
        "---\ntype: interview\ncompany: \nrole: \ndate: \ninterviewers:\n---\n## Discussed\n",
    )


def _people(out: Path, rng: random.Random, people: list[str]) -> None:
    for name in people:
        lines = ["---", "tags:", "  - person"]
        if rng.random() < 0.8:
            domain = rng.choice(_COMPANIES).split()[0].lower()
            lines.append(f"email: {_slug(name)}@{domain}.example")
        if rng.random() < 0.7:
            lines.append(f"title: {rng.choice(_TITLES)}")
        if rng.random() < 0.2:
            lines.append(f'phone: "+49 30 {rng.randint(1000000, 9999999)}"')
        lines += ["---", f"# {name}", "", "Met through interviews.", ""]
        _write(out / "People" / f"{name}.md", "\n".join(lines))


def _ordinary(out: Path, rng: random.Random, writer: _Writer, count: int, today: date) -> None:
    daily = count * 3 // 10  # 30 % daily notes
    start = today - timedelta(days=daily - 1)
    for i in range(daily):
        day = start + timedelta(days=i)
        # Nested by year and month, as the Periodic Notes plugin does.
        rel = f"Daily/{day.year}/{day.month:02d}/{day.isoformat()}.md"
        _write(out / rel, _note(rng, writer, "daily", day), crlf=rng.random() < 0.02)
    for i in range(count - daily):
        folder, kind = rng.choice(_FOLDERS)
        title = f"{rng.choice(_ADJ).title()} {rng.choice(_NOUNS)} {i:05d}"
        day = today - timedelta(days=rng.randint(0, 2000))
        _write(
            out / folder / f"{title}.md",
            _note(rng, writer, kind, day),
            crlf=rng.random() < 0.02,
        )


def _note(rng: random.Random, writer: _Writer, kind: str, day: date) -> str:
    front: list[str] = []
    roll = rng.random()
    if roll >= 0.15:  # 15 % have no front matter
        tags = rng.sample(_TAGS, rng.randint(0, 3))
        if kind == "daily":
            tags = ["journal", *tags[:1]]
        elif kind == "book":
            tags = ["reading", rng.choice(("book/fiction", "book/nonfiction"))]
        if rng.random() < 0.2:
            front.append("tags: [" + ", ".join(tags) + "]")  # flow style
        elif tags:
            front.append(_yaml_list("tags", tags).rstrip("\n"))
        front.append(f"created: {day.isoformat()}")
        if rng.random() < 0.3:
            updated = day + timedelta(days=rng.randint(0, 60))
            front.append(f"updated: {updated.isoformat()}T{rng.randint(7, 22):02d}:15")
        if rng.random() < 0.2:
            front.append(_yaml_list("aliases", [f"{rng.choice(_NOUNS)} notes"]).rstrip("\n"))
        if kind == "book":
            front.append(f'author: "{_person(rng)}"')
            front.append(f"rating: {rng.randint(1, 5)}")
        if kind == "project":
            front.append(f"status: {rng.choice(('active', 'paused', 'done'))}")
            front.append(f'due: "{(day + timedelta(days=rng.randint(5, 90))).isoformat()}"')
        if kind == "meeting":
            front.append(_yaml_list("attendees", [f'"[[{_person(rng)}]]"' for _ in range(2)]))
            front[-1] = front[-1].rstrip("\n")
    heading = day.isoformat() if kind == "daily" else rng.choice(writer.pool)[:-1].title()
    body = f"# {heading}\n\n" + writer.body(rng.randint(1000, 6000))
    if not front:
        return body
    return "---\n" + "\n".join(front) + "\n---\n" + body


def _interviews(
    out: Path,
    rng: random.Random,
    writer: _Writer,
    count: int,
    people: list[str],
    today: date,
) -> None:
    # Draw the applications first: an outcome in one round cancels the
    # follow-ups of every round, so only notes of open applications are
    # benchmark candidates.
    drawn = []
    for _ in range(count):
        company = rng.choice(_COMPANIES)
        role = rng.choice(_ROLES)
        day = today + timedelta(days=rng.randint(-60, 21))
        roll = rng.random()
        status = "rejected" if roll < 0.1 else "offer" if roll < 0.14 else None
        if status is None and roll < 0.2:
            status = "waiting"
        drawn.append((company, role, day, status))
    closed = {(c, r) for c, r, _, s in drawn if s in ("rejected", "offer")}
    for i, (company, role, day, status) in enumerate(drawn):
        hour = rng.randint(9, 15)
        minute = rng.choice((0, 0, 15, 30, 45))
        bench = status is None and (company, role) not in closed and -10 <= (day - today).days <= 20
        lines = ["---", "type: interview", f"company: {company}", f"role: {role}"]
        style = rng.random()
        if bench or style < 0.6:
            lines.append(f"date: {day.isoformat()}T{hour:02d}:{minute:02d}")
        elif style < 0.8:
            lines.append(f"date: {day.isoformat()}")
            lines.append(f'time: "{hour:02d}:{minute:02d}"')
        else:
            lines.append(f"date: {day.isoformat()} {hour:02d}:{minute:02d}")
        if rng.random() < 0.5:
            lines.append(f"duration: {rng.choice(('30m', '45m', '60m', '1h30m'))}")
        names = rng.sample(people, min(len(people), rng.randint(1, 3))) if people else []
        if not names:
            names = [_person(rng)]
        lines.append("interviewers:")
        for name in names:
            form = rng.random()
            if form < 0.5 and name in people:
                lines.append(f'  - "[[People/{name}]]"')
            elif form < 0.75:
                lines.append(f"  - {name} <{_slug(name)}@{company.split()[0].lower()}.example>")
            else:
                lines.append(f"  - {name}")
        if status:
            lines.append(f"status: {status}")
            lines.append(f"status_date: {(day + timedelta(days=rng.randint(1, 10))).isoformat()}")
        if rng.random() < 0.2:
            lines.append(f"decision_by: {(day + timedelta(days=rng.randint(7, 21))).isoformat()}")
        if rng.random() < 0.3:
            lines.append(_yaml_list("tags", ["jobsearch", "interview/onsite"]).rstrip("\n"))
        if bench:
            lines.append("bench: true")
        lines.append("---")
        lines.append("## Discussed")
        lines += [f"- {s[:-1].lower()}" for s in rng.choices(writer.pool, k=rng.randint(2, 5))]
        if rng.random() < 0.5:
            lines += ["", "## Could answer better", f"- {rng.choice(writer.pool)}"]
        lines += ["", "## My impressions", writer.paragraph(), ""]
        if rng.random() < 0.3:
            lines += ["%% private: salary expectations, do not share %%", ""]
        name = f"{day.isoformat()} {company} {i:04d}"
        _write(out / "Interviews" / f"{name}.md", "\n".join(lines), crlf=rng.random() < 0.02)


def bench_candidates(vault: Path) -> list[Path]:
    """Interview notes marked `bench: true` by the generator, sorted."""
    found = []
    for path in sorted((vault / "Interviews").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "\nbench: true\n" in text.replace("\r\n", "\n"):
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must be empty or missing)")
    parser.add_argument("--notes", type=int, default=10_000, help="total Markdown notes")
    parser.add_argument("--interviews", type=int, default=300, help="interview notes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date.today(),
        help="YYYY-MM-DD the interview dates are spread around (default: today)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.notes, args.interviews, args.seed, args.today)
    took = time.perf_counter() - started
    print(f"wrote {args.notes} notes to {args.out} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
