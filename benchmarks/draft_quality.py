"""How alike the drafts of one panel read, and what `vaultfollow check` says
about them (issue 17, "Drafts a person would send unchanged").

    python benchmarks/draft_quality.py [--vault PATH | --starter] [--now ISO-TIME] [--json]

The vault (default: the draft corpus, tests/draft-corpus/vault) is copied
into a temporary folder, so the original is never written; `--starter`
makes the starter vault instead, as `vaultfollow init` does, dated from the
day of `--now`. A real `vaultfollow sync --now` runs on the copy, in a
process of its own, with the sources of this checkout. `--now` defaults to
the `now.txt` beside the vault (the corpus and tests/cases/*/vault have one),
else 2026-11-27T09:00.

It then prints:

(a) for each interview round with two or more thank-yous, the pairwise
    difflib.SequenceMatcher ratio of their bodies, word by word, with the
    greeting and the sign-off removed: the mean, the max and the paths of
    the most alike pair; then the mean and max over every pair of every
    round. Issue 17's target: mean <= 0.6, max <= 0.75.
(b) `vaultfollow check VAULT --json`, counted by finding code. Codes are
    taken from the output as they come, so findings added later are
    counted without a change here.
(c) how many of the drafts `check` finds nothing in, of how many.

It counts, it does not time: the machine does not matter. `--json` prints
the same as one JSON object.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from statistics import mean
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CORPUS = ROOT / "tests" / "draft-corpus" / "vault"
DEFAULT_NOW = "2026-11-27T09:00"
STARTER_ZONE = "Europe/Berlin"

sys.path.insert(0, str(SRC))

from vaultfollow.core.lint import draft_file  # noqa: E402

_GREETING = re.compile(r"^(dear|hi|hello|hey|good (morning|afternoon))\b", re.IGNORECASE)
_CLOSING = re.compile(
    r"^(kind regards|best regards|warm regards|regards|with best wishes|warm wishes|"
    r"best wishes|best|all the best|"
    r"many thanks|thanks again|thanks|cheers|sincerely|yours sincerely|yours faithfully|"
    r"with thanks|speak soon|talk soon)\b[,!.]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft file as the benchmark reads it."""

    path: str  # vault-relative
    kind: str
    to: str
    source: str
    round_day: str
    body: str


def body_of(text: str) -> str:
    """The message: what follows the front matter."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return "\n".join(lines[index + 1 :]).strip("\n")
    return text


def message_core(body: str) -> str:
    """The body without its greeting (the first line, when it greets) and its
    sign-off (from the last closing line such as "Kind regards," down)."""
    lines = [line.rstrip() for line in body.strip("\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0].strip() if lines else ""
    if first and (_GREETING.match(first) or first.endswith(",")) and len(first.split()) <= 8:
        lines.pop(0)
    for index in range(len(lines) - 1, -1, -1):
        if _CLOSING.match(lines[index].strip()):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two texts, compared word by word."""
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def read_drafts(vault: Path, folder: str) -> list[Draft]:
    """Every vaultfollow draft under the drafts folder (the dashboard and
    files that are not drafts are left out)."""
    found: list[Draft] = []
    base = vault / folder
    if not base.is_dir():
        return found
    for path in sorted(base.rglob("*.md")):
        rel = path.relative_to(vault).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        parsed = draft_file(rel, text)
        if parsed is None:
            continue
        props = parsed.props
        found.append(
            Draft(
                path=rel,
                kind=str(props.get("followup") or "").strip().casefold(),
                to=str(props.get("to") or ""),
                source=str(props.get("source") or ""),
                round_day=path.name[:10],
                body=body_of(text),
            )
        )
    return found


def drafts_folder(vault: Path) -> str:
    config = vault / "vaultfollow.toml"
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError:
            data = {}
        folder = data.get("drafts", {}).get("folder")
        if isinstance(folder, str) and folder.strip():
            return folder.strip().strip("/")
    return "Follow-ups"


def panel_similarity(drafts: list[Draft]) -> dict[str, Any]:
    """(a): per round (the interview note and the round's day) with 2+
    thank-yous, the pairwise ratios; overall figures over every pair."""
    rounds: dict[tuple[str, str], list[Draft]] = {}
    for draft in drafts:
        if draft.kind == "thank-you":
            rounds.setdefault((draft.source, draft.round_day), []).append(draft)
    per_round: list[dict[str, Any]] = []
    every: list[float] = []
    for (source, day), members in sorted(rounds.items()):
        if len(members) < 2:
            continue
        pairs = [
            (similarity(message_core(a.body), message_core(b.body)), a.path, b.path)
            for a, b in itertools.combinations(members, 2)
        ]
        ratios = [ratio for ratio, _, _ in pairs]
        every += ratios
        worst = max(pairs)
        per_round.append(
            {
                "round": f"{source.strip('[]')} {day}",
                "thank_yous": len(members),
                "pairs": len(pairs),
                "mean": round(mean(ratios), 3),
                "max": round(worst[0], 3),
                "worst_pair": [worst[1], worst[2]],
            }
        )
    return {
        "rounds": per_round,
        "pairs": len(every),
        "mean": round(mean(every), 3) if every else None,
        "max": round(max(every), 3) if every else None,
    }


def run_vaultfollow(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.pop("VAULTFOLLOW_VAULT", None)
    return subprocess.run(
        [sys.executable, "-m", "vaultfollow", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )


def check_findings(vault: Path, now: str) -> tuple[list[dict[str, Any]], int]:
    """`vaultfollow check VAULT --json`: its findings (each a dict holding at
    least `path` and `code`; unknown keys and codes are kept) and exit code."""
    done = run_vaultfollow("check", str(vault), "--json", "--now", now)
    if done.returncode not in (0, 1):
        raise SystemExit(f"vaultfollow check failed ({done.returncode}):\n{done.stderr}")
    text = done.stdout.strip()
    start = text.find("[")
    try:
        data = json.loads(text[start:]) if start >= 0 else []
    except json.JSONDecodeError as exc:
        message = f"vaultfollow check --json printed no JSON array ({exc}):\n{text}"
        raise SystemExit(message) from None
    findings = [item for item in data if isinstance(item, dict)]
    return findings, done.returncode


def measure(vault: Path, now: str) -> dict[str, Any]:
    """Sync the vault (already a copy) at `now` and measure its drafts."""
    # --recreate: thank-yous more than three days late are drafted too, so
    # every round is measured.
    synced = run_vaultfollow("sync", str(vault), "--now", now, "--recreate")
    if synced.returncode not in (0, 1):
        raise SystemExit(f"vaultfollow sync failed ({synced.returncode}):\n{synced.stderr}")
    drafts = read_drafts(vault, drafts_folder(vault))
    findings, check_code = check_findings(vault, now)
    codes = Counter(str(item.get("code") or "?") for item in findings)
    flagged = {str(item.get("path") or "") for item in findings}
    clean = [d.path for d in drafts if d.path not in flagged]
    return {
        "now": now,
        "sync_exit": synced.returncode,
        "check_exit": check_code,
        "drafts": len(drafts),
        "kinds": dict(sorted(Counter(d.kind for d in drafts).items())),
        "panel_similarity": panel_similarity(drafts),
        "findings": dict(sorted(codes.items(), key=lambda item: (-item[1], item[0]))),
        "findings_total": len(findings),
        "clean_drafts": len(clean),
    }


def default_now(vault: Path) -> str:
    beside = vault.parent / "now.txt"
    if beside.is_file():
        return beside.read_text(encoding="utf-8").strip()
    return DEFAULT_NOW


def make_starter(target: Path, now: str) -> None:
    from vaultfollow.app.starter import init_vault

    init_vault(target, datetime.fromisoformat(now).date(), STARTER_ZONE)


def show(result: dict[str, Any], label: str) -> str:
    lines = [f"{label} at {result['now']}: {result['drafts']} drafts {result['kinds']}"]
    lines.append(f"sync exit {result['sync_exit']}, check exit {result['check_exit']}")
    sim = result["panel_similarity"]
    lines.append("")
    lines.append("(a) panel similarity of thank-yous (greeting and sign-off removed)")
    for row in sim["rounds"]:
        lines.append(
            f"  {row['mean']:.2f} mean  {row['max']:.2f} max  {row['thank_yous']} thank-yous  "
            f"{row['round']}"
        )
        lines.append(f"        most alike: {row['worst_pair'][0]}  <->  {row['worst_pair'][1]}")
    if sim["pairs"]:
        lines.append(
            f"  overall: mean {sim['mean']:.2f}, max {sim['max']:.2f} over {sim['pairs']} pairs "
            f"in {len(sim['rounds'])} rounds (target: mean <= 0.60, max <= 0.75)"
        )
    else:
        lines.append("  no round has two thank-yous")
    lines.append("")
    lines.append("(b) vaultfollow check findings by code")
    for code, count in result["findings"].items():
        lines.append(f"  {count:4d}  {code}")
    if not result["findings"]:
        lines.append("  none")
    lines.append("")
    lines.append(
        f"(c) drafts check finds nothing in: {result['clean_drafts']} of {result['drafts']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--vault", type=Path, help="a vault to copy and measure (default: corpus)")
    where.add_argument("--starter", action="store_true", help="the starter vault, as init makes it")
    parser.add_argument("--now", help="ISO time to sync at (default: now.txt beside the vault)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="draft-quality-") as tmp:
        copy = Path(tmp) / "vault"
        if args.starter:
            now = args.now or f"{date.today().isoformat()}T09:00"
            make_starter(copy, now)
            label = "starter vault"
        else:
            source = (args.vault or CORPUS).resolve()
            if not source.is_dir():
                parser.error(f"--vault {source}: not a folder")
            now = args.now or default_now(source)
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".vaultfollow"))
            label = str(source.relative_to(ROOT) if source.is_relative_to(ROOT) else source)
        result = measure(copy, now)
    result["vault"] = label
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else show(result, label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
