"""A picture of a chain of command: units as boxes (with their commanders), arrows up the
hierarchy labelled with dates, source counts and status.

Uses Graphviz ``dot`` when it is installed, else a small layered layout written here (no
dependency). Input is the dictionary :func:`dalil.accountability.chains.chain` returns; all text
is escaped. The file is written whole (temp file, rename) and never half.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

BOX_W, LINE_H, GAP_X, GAP_Y, PAD = 300, 16, 40, 90, 12
STATUS_COLOUR = {"accepted": "#1a7f37", "unverified": "#9a6700", "disputed": "#cf222e"}


def _unit_lines(step: dict[str, Any]) -> list[str]:
    lines = [step["label"]]
    for post in step["commanders"]:
        who = post["subject"]["label"]
        lines.append(f"cmdr: {who} ({post['dates']}; {post['status']})")
    if not step["commanders"]:
        lines.append("no commander recorded on this date")
    return lines


def _edge_label(link: dict[str, Any]) -> str:
    return f"{link['dates']} · {len(link['sources'])} source(s) · {link['status']}"


def _dot(chain: dict[str, Any]) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = ["digraph chain {", "rankdir=BT;", 'node [shape=box, fontname="sans-serif"];']
    for step in chain["steps"]:
        out.append(f"{q(step['id'])} [label={q(chr(10).join(_unit_lines(step)))}];")
    for link in chain["links"]:
        colour = STATUS_COLOUR.get(link["status"], "#57606a")
        out.append(
            f"{q(link['subject']['id'])} -> {q(link['object']['id'])} "
            f"[label={q(_edge_label(link))}, color={q(colour)}];"
        )
    out.append("}")
    return "\n".join(out)


def _layout(chain: dict[str, Any]) -> str:
    """Layers by depth, the unit at the bottom, the top of the hierarchy above."""
    layers: dict[int, list[dict[str, Any]]] = {}
    for step in chain["steps"]:
        layers.setdefault(step["depth"], []).append(step)
    deepest = max(layers)
    widest = max(len(v) for v in layers.values())
    heights = {s["id"]: float(len(_unit_lines(s)) * LINE_H + 2 * PAD) for s in chain["steps"]}
    layer_h = max(heights.values())
    width = float(widest * (BOX_W + GAP_X) + GAP_X)
    height = (deepest + 1) * (layer_h + GAP_Y) + GAP_Y
    boxes: dict[str, tuple[float, float, float]] = {}
    for depth, steps in layers.items():
        y = GAP_Y + (deepest - depth) * (layer_h + GAP_Y)
        offset = (width - len(steps) * (BOX_W + GAP_X) + GAP_X) / 2
        for i, step in enumerate(steps):
            boxes[step["id"]] = (offset + i * (BOX_W + GAP_X), y, heights[step["id"]])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
        f"<title>{escape('Chain of command of ' + chain['unit']['label'] + ' on ' + chain['on'])}"
        "</title>",
    ]
    for link in chain["links"]:
        x1, y1, _ = boxes[link["subject"]["id"]]
        x2, y2, h2 = boxes[link["object"]["id"]]
        ax, bx = x1 + BOX_W / 2, x2 + BOX_W / 2
        colour = STATUS_COLOUR.get(link["status"], "#57606a")
        out.append(
            f'<line x1="{ax}" y1="{y1}" x2="{bx}" y2="{y2 + h2}" stroke="{colour}" '
            'stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
        out.append(
            f'<text x="{(ax + bx) / 2 + 6}" y="{(y1 + y2 + h2) / 2}" fill="{colour}">'
            f"{escape(_edge_label(link))}</text>"
        )
    for step in chain["steps"]:
        x, y, h = boxes[step["id"]]
        fill = "#ddf4ff" if step["id"] == chain["unit"]["id"] else "#f6f8fa"
        out.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{h}" rx="6" fill="{fill}" '
            'stroke="#57606a"/>'
        )
        for i, line in enumerate(_unit_lines(step)):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(
                f'<text x="{x + PAD}" y="{y + PAD + (i + 0.8) * LINE_H}"{weight}>'
                f"{escape(line)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def dot_program() -> str | None:
    return shutil.which("dot") or ("/usr/bin/dot" if os.path.exists("/usr/bin/dot") else None)


def render_svg(chain: dict[str, Any], *, use_graphviz: bool = True) -> tuple[str, str]:
    """(SVG text, ``graphviz`` or ``builtin``)."""
    program = dot_program() if use_graphviz else None
    if program is not None:
        done = subprocess.run(  # noqa: S603 - fixed program, DOT text on stdin, no shell
            [program, "-Tsvg"], input=_dot(chain), capture_output=True, text=True, timeout=60
        )
        if done.returncode == 0:
            return done.stdout, "graphviz"
    return _layout(chain), "builtin"


def write_svg(chain: dict[str, Any], out: Path, *, use_graphviz: bool = True) -> str:
    text, how = render_svg(chain, use_graphviz=use_graphviz)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temp, out)
    return how
