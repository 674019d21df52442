"""The decision graph drawn for ``sen-rules docs``: which area uses which decision.

An arrow goes from an area to each area that reads its decision (``uses:``), labelled with
the fields read (``outcome``, ``cease_from``, ...). The HTML page gets an inline SVG (no
scripts, no external files) with the areas in columns by depth (an area stands to the
right of every area it uses) and the order of decision under it; the Markdown gets a
Mermaid block (which many Markdown viewers draw) and the same facts as a list. The output
depends only on the rulebase.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..rulebase import Rulebase

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 190, 34, 90, 22, 10


@dataclass(frozen=True)
class Edge:
    used: str  # the area whose decision is read
    user: str  # the area that reads it
    fields: tuple[str, ...]  # the fields of the decision it reads


def edges(rulebase: Rulebase) -> list[Edge]:
    """Every "uses" edge, in manifest order of the user, then of the area used."""
    out = []
    for area in rulebase.areas:
        reads = rulebase.area_reads(area).decisions
        defs = [(d.area, d.expr) for d in rulebase.definitions.values() if d.area == area.id]
        reads |= rulebase.reads(defs).decisions
        for used in area.uses:
            fields = tuple(sorted(f for a, f in reads if a == used))
            out.append(Edge(used, area.id, fields))
    return out


def depths(rulebase: Rulebase) -> dict[str, int]:
    """Each area's column: 0 when it uses no decision, else one more than the deepest it
    uses."""
    depth: dict[str, int] = {}
    for area in rulebase.decision_order:
        depth[area.id] = 1 + max((depth.get(u, 0) for u in area.uses), default=-1)
    return depth


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def graph_svg(rulebase: Rulebase) -> str:
    depth = depths(rulebase)
    columns: dict[int, list[str]] = {}
    for area in rulebase.areas:
        columns.setdefault(depth[area.id], []).append(area.id)
    place: dict[str, tuple[int, int]] = {}
    for col, ids in sorted(columns.items()):
        for row, aid in enumerate(ids):
            place[aid] = (PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    width = PAD * 2 + (max(columns) + 1) * BOX_W + max(columns) * GAP_X
    height = PAD * 2 + max(len(ids) for ids in columns.values()) * (BOX_H + GAP_Y) - GAP_Y
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="decision graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z" fill="#456"/></marker></defs>']
    for edge in edges(rulebase):
        (x1, y1), (x2, y2) = place[edge.used], place[edge.user]
        sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H // 2, x2, y2 + BOX_H // 2
        parts.append(f'<line x1="{sx}" y1="{sy}" x2="{ex}" y2="{ey}" stroke="#456" '
                     'stroke-width="1.5" marker-end="url(#arrow)"/>')
        label = ", ".join(edge.fields)
        parts.append(f'<text x="{(sx + ex) // 2}" y="{(sy + ey) // 2 - 4}" font-size="10" '
                     f'text-anchor="middle" font-family="sans-serif" fill="#345">{_e(label)}'
                     "</text>")
    for area in rulebase.areas:
        x, y = place[area.id]
        parts.append(f'<g><title>{_e(area.title)}</title><rect x="{x}" y="{y}" '
                     f'width="{BOX_W}" height="{BOX_H}" rx="4" fill="#eef3f8" '
                     'stroke="#678"/>'
                     f'<text x="{x + BOX_W // 2}" y="{y + BOX_H // 2 + 4}" font-size="12" '
                     f'text-anchor="middle" font-family="sans-serif">{_e(area.id)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _facts(rulebase: Rulebase) -> list[str]:
    lines = []
    for edge in edges(rulebase):
        fields = ", ".join(edge.fields) or "nothing (declared, not read)"
        lines.append(f"{edge.user} uses the decision of {edge.used} (reads: {fields})")
    return lines


def graph_html(rulebase: Rulebase) -> list[str]:
    """The section of the overview page that draws the graph."""
    order = " → ".join(a.id for a in rulebase.decision_order)
    body = ["<h2>Decision graph</h2>",
            "<p>An arrow goes from an area to each area that uses its decision; the areas "
            "are decided in this order (each after the decisions it uses, otherwise in the "
            f"order of the manifest): <code>{_e(order)}</code>.</p>",
            graph_svg(rulebase)]
    facts = _facts(rulebase)
    if facts:
        body.append("<ul>" + "".join(f"<li>{_e(f)}</li>" for f in facts) + "</ul>")
    else:
        body.append("<p>No area uses another area's decision.</p>")
    return body


def graph_markdown(rulebase: Rulebase) -> list[str]:
    """The same, as Markdown: a Mermaid drawing, the order of decision and the edges."""
    out = ["## Decision graph", "", "```mermaid", "graph LR"]
    for area in rulebase.areas:
        out.append(f'  {area.id}["{area.id}"]')
    for edge in edges(rulebase):
        label = ", ".join(edge.fields)
        out.append(f"  {edge.used} -->|{label}| {edge.user}" if label
                   else f"  {edge.used} --> {edge.user}")
    out += ["```", "", "Order of decision: " + " → ".join(f"`{a.id}`"
                                                        for a in rulebase.decision_order), ""]
    out += [f"- {f}" for f in _facts(rulebase)] or ["No area uses another area's decision."]
    out.append("")
    return out
