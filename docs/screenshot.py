"""Regenerate docs/dashboard.png: the demo dashboard note as Obsidian's reading view shows it.

What it does:

1. ``vaultfollow demo <tmp>/demo --now 2026-11-22T10:00`` builds the demo vault;
2. ``Follow-ups/Follow-ups.md`` loses its front matter and is converted to HTML with
   markdown-it-py (CommonMark plus tables); ``[[path|label]]`` wikilinks become purple
   link-styled spans showing only the label, and the ```mermaid fence becomes
   ``<pre class="mermaid">``, drawn by mermaid's browser bundle;
3. headless Chromium renders the page twice: once to measure its height, once to take
   the screenshot. The page's clock is set to the demo's "now", so the gantt chart's
   red "today" line falls on 22 Nov 2026.

Needs (none of them are project dependencies):

* the project installed (``vaultfollow`` on PATH or next to this Python);
* Chromium: ``apt-get install chromium`` (or pass ``--chromium`` / set ``CHROMIUM``);
* mermaid's browser bundle, kept outside the repository::

      mkdir -p /tmp/mm && cd /tmp/mm && npm install mermaid
      # -> /tmp/mm/node_modules/mermaid/dist/mermaid.min.js

* optional: the Inter font (``apt-get install fonts-inter``), Obsidian's default
  font; without it the page falls back to another sans-serif.

Usage::

    python docs/screenshot.py --mermaid /tmp/mm/node_modules/mermaid/dist/mermaid.min.js
    MERMAID_JS=/tmp/mm/node_modules/mermaid/dist/mermaid.min.js python docs/screenshot.py
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

HERE = Path(__file__).resolve().parent
NOW = "2026-11-22T10:00"
NOTE = Path("Follow-ups") / "Follow-ups.md"

FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)
WIKILINK = re.compile(r"\[\[([^\[\]|]+?)(?:\|([^\[\]]+?))?\]\]")
PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)

# Obsidian's default light theme, reading view (Obsidian 1.x variables, simplified).
CSS = """
:root {
  --font: "Inter", -apple-system, BlinkMacSystemFont, "Segoe UI", "Liberation Sans",
          "DejaVu Sans", sans-serif;
  --text-normal: #222222;
  --text-muted: #5c5c5c;
  --text-faint: #ababab;
  --accent: #8a5cf5;
  --border: #e0e0e0;
  --bg-secondary: #f6f6f6;
}
html { background: #ffffff; }
body {
  margin: 0; padding: 28px 48px 40px;
  font-family: var(--font); font-size: 16px; line-height: 1.5;
  color: var(--text-normal); background: #ffffff;
  -webkit-font-smoothing: antialiased;
}
.view { max-width: 1104px; margin: 0 auto; }
.inline-title {
  font-size: 1.802em; font-weight: 700; line-height: 1.2;
  letter-spacing: -0.015em; margin: 0 0 0.6em;
}
h2, h3 { line-height: 1.2; letter-spacing: -0.015em; margin: 1.2em 0 0.5em; }
h2 { font-size: 1.602em; font-weight: 600; }
h3 { font-size: 1.25em; font-weight: 600; }
p { margin: 0.6em 0; }
em { color: var(--text-muted); }
ul { margin: 0.4em 0; padding-left: 1.6em; }
li { margin: 0.15em 0; }
li::marker { color: var(--text-faint); }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.875em; }
th, td { border: 1px solid var(--border); padding: 4px 10px; text-align: left;
         vertical-align: top; }
th { font-weight: 600; }
td:nth-child(4), td:nth-child(5) { white-space: nowrap; }
.internal-link {
  color: var(--accent); text-decoration: underline;
  text-decoration-color: rgba(138, 92, 245, 0.4); text-underline-offset: 2px;
}
pre.mermaid {
  background: transparent; border: none; margin: 0.8em 0; padding: 0;
  font-family: var(--font); text-align: center;
}
pre.mermaid:not([data-processed]) { visibility: hidden; }
pre:not(.mermaid) {
  background: var(--bg-secondary); padding: 10px 16px; border-radius: 4px;
  font-size: 0.875em; overflow: hidden;
}
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{css}</style>
<script>
// Freeze the page's clock at the demo's "now" so the gantt chart's today line fits.
(function () {{
  const fixed = new Date({now_js}).getTime();
  const RealDate = Date;
  class FixedDate extends RealDate {{
    constructor(...args) {{ super(...(args.length ? args : [fixed])); }}
    static now() {{ return fixed; }}
  }}
  window.Date = FixedDate;
}})();
</script>
<script src="{mermaid_url}"></script>
</head>
<body>
<div class="view">
<div class="inline-title">{title}</div>
{body}
</div>
<script>
mermaid.initialize({{
  startOnLoad: false,
  theme: "default",
  fontFamily: getComputedStyle(document.body).fontFamily,
  // Softer than mermaid's defaults (pure red, dark grid) so labels stay readable.
  themeVariables: {{ critBkgColor: "#f0666d", critBorderColor: "#d6404a",
                     gridColor: "#e3e3e3", todayLineColor: "#e03e3e" }},
  themeCSS: ".grid .tick line {{ stroke: #e3e3e3; opacity: 1; }}"
          + " .grid .tick text {{ fill: #5c5c5c; }} .today {{ opacity: 0.75; }}",
  gantt: {{ leftPadding: {left_padding}, barHeight: 22, barGap: 6, fontSize: 12,
            sectionFontSize: 13, topPadding: 60 }},
}});
mermaid.run().finally(() => {{
  document.body.setAttribute("data-height",
    String(Math.ceil(document.documentElement.scrollHeight)));
}});
</script>
</body>
</html>
"""


def note_to_html(text: str) -> str:
    """Markdown of the dashboard note -> HTML body, Obsidian-style."""
    text = FRONT_MATTER.sub("", text, count=1)
    md = MarkdownIt("commonmark").enable("table")
    default_fence = md.renderer.rules["fence"]

    def fence(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        if token.info.strip().split()[:1] == ["mermaid"]:
            return f'<pre class="mermaid">{html.escape(token.content)}</pre>\n'
        return default_fence(tokens, idx, options, env)

    md.add_render_rule("fence", fence)
    rendered = md.render(text)

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        return f'<span class="internal-link" title="{target}">{label or target}</span>'

    # Wikilinks outside code blocks only (markdown-it already unescaped "\|" in tables).
    parts = PRE_BLOCK.split(rendered)
    return "".join(p if p.startswith("<pre") else WIKILINK.sub(link, p) for p in parts)


def find_vaultfollow() -> str:
    beside = Path(sys.executable).with_name("vaultfollow")
    if beside.exists():
        return str(beside)
    found = shutil.which("vaultfollow")
    if not found:
        sys.exit("vaultfollow not found: install the project (pip install -e .)")
    return found


def chromium(browser: str, width: int, height: int, extra: list[str], url: str) -> str:
    with tempfile.TemporaryDirectory(prefix="vf-chromium-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            "--virtual-time-budget=5000",
            *extra,
            url,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        sys.exit(f"chromium failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mermaid",
        default=os.environ.get("MERMAID_JS"),
        help="path to mermaid's dist/mermaid.min.js (default: $MERMAID_JS)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "dashboard.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument(
        "--left-padding",
        type=int,
        default=340,
        help="room for the gantt chart's section names, in px",
    )
    parser.add_argument(
        "--chromium",
        default=os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or "/usr/bin/chromium",
    )
    parser.add_argument("--keep-html", type=Path, help="also write the page here")
    args = parser.parse_args()

    if not args.mermaid or not Path(args.mermaid).is_file():
        sys.exit(
            "need mermaid.min.js: npm install mermaid in a folder outside the repo, then "
            "pass --mermaid <folder>/node_modules/mermaid/dist/mermaid.min.js"
        )
    mermaid_url = Path(args.mermaid).resolve().as_uri()

    with tempfile.TemporaryDirectory(prefix="vf-shot-") as tmp:
        vault = Path(tmp) / "demo"
        made = subprocess.run(
            [find_vaultfollow(), "demo", str(vault), "--once", "--now", NOW],
            capture_output=True,
            text=True,
            check=False,
        )
        if made.returncode != 0:
            sys.exit(f"vaultfollow demo failed:\n{made.stdout}{made.stderr}")
        body = note_to_html((vault / NOTE).read_text(encoding="utf-8"))
        page = PAGE.format(
            title=html.escape(NOTE.stem),
            css=CSS,
            now_js=f'"{NOW}:00"',
            mermaid_url=mermaid_url,
            body=body,
            left_padding=args.left_padding,
        )
        page_file = Path(tmp) / "dashboard.html"
        page_file.write_text(page, encoding="utf-8")
        if args.keep_html:
            args.keep_html.write_text(page, encoding="utf-8")

        dom = chromium(args.chromium, args.width, 800, ["--dump-dom"], page_file.as_uri())
        found = re.search(r'data-height="(\d+)"', dom)
        if not found:
            sys.exit("could not measure the page (did mermaid load?)")
        height = int(found.group(1))

        args.out.parent.mkdir(parents=True, exist_ok=True)
        chromium(
            args.chromium,
            args.width,
            height,
            [f"--screenshot={args.out.resolve()}"],
            page_file.as_uri(),
        )
    print(f"wrote {args.out} ({args.width}x{height})")


if __name__ == "__main__":
    main()
