"""Inline SVG, rendered on the server: the task graph of a plan and the performance charts.

Every task node is a keyboard-focusable ``<g>`` (``tabindex=0``, ``role=button``) whose label says
its status in words; its shape follows the status group too (rounded box, dashed for waiting, thick
border for failed), so the graph reads without colour.
"""

from html import escape
from typing import Any, Final

from podium.dashboard.views import NODE_HEIGHT, NODE_WIDTH, Metric

PALETTE: Final = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
MARKERS: Final = ("circle", "square", "diamond", "triangle")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def task_node(node: dict[str, Any]) -> str:
    """One task: a box with its status symbol and word and its short key (updated live by the JS)."""
    key, x, y = node["key"], node["x"], node["y"]
    name = f"task {key[:8]} at {node['worker']}, rank {node['rank']}: {node['label']}"
    return (
        f'<g class="task status-{_attr(node["group"])}" id="task-{_attr(key)}" data-key="{_attr(key)}" '
        f'data-status="{_attr(node["status"])}" tabindex="0" role="button" aria-label="{_attr(name)}" '
        f'transform="translate({x},{y})">'
        f"<title>{escape(name)}</title>"
        f'<rect width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6"/>'
        f'<text x="8" y="16" class="key">{escape(key[:8])}</text>'
        f'<text x="8" y="32" class="state">{escape(node["symbol"])} {escape(node["label"])}</text>'
        "</g>"
    )


def graph(view: dict[str, Any]) -> str:
    """The plan's task graph from ``views.layout``: lanes, edges, then nodes."""
    width, height = view["width"], view["height"]
    positions = {node["key"]: (node["x"], node["y"]) for node in view["nodes"]}
    parts = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="group" aria-label="task graph by rank and organization">'
    ]
    for index, lane in enumerate(view["lanes"]):
        parts.append(
            f'<g class="lane lane-{index % 2}"><rect x="0" y="{lane["y"]}" width="{width}" '
            f'height="{lane["height"]}"/><text x="8" y="{lane["y"] + 20}" class="lane-label">'
            f"{escape(lane['organization'])}</text></g>"
        )
    for parent, child in view["edges"]:
        (x1, y1), (x2, y2) = positions[parent], positions[child]
        parts.append(
            f'<line class="edge" x1="{x1 + NODE_WIDTH}" y1="{y1 + NODE_HEIGHT // 2}" '
            f'x2="{x2}" y2="{y2 + NODE_HEIGHT // 2}"/>'
        )
    parts.extend(task_node(node) for node in view["nodes"])
    parts.append("</svg>")
    return "".join(parts)


def _marker(kind: str, x: float, y: float, color: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{color}"/>'
    if kind == "diamond":
        corners = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{corners}" fill="{color}"/>'
    if kind == "triangle":
        corners = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{corners}" fill="{color}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>'


def chart(metric: Metric, width: int = 640, height: int = 320) -> str:
    """A line chart of ``metric``: x the round, y the value, one line (colour and marker) per
    organization, each point labelled with its value, and a legend."""
    left, right, top, bottom = 56, 170, 20, 40
    points = [point for series in metric.series for point in series.points]
    xs = [x for x, _ in points] or [0.0]
    ys = [y for _, y in points] or [0.0]
    x_min, x_max = min(xs), max(xs)
    y_min, y_max = min(*ys, 0.0), max(*ys, 1e-9)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (plot_w * (x - x_min) / (x_max - x_min) if x_max > x_min else plot_w / 2)

    def sy(y: float) -> float:
        return top + plot_h - plot_h * (y - y_min) / (y_max - y_min)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(metric.name)} per round">',
        f"<title>{escape(metric.name)} per round and organization</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>',
        f'<text x="{left - 6}" y="{sy(y_max) + 4:.1f}" text-anchor="end">{y_max:.3g}</text>',
        f'<text x="{left - 6}" y="{sy(y_min) + 4:.1f}" text-anchor="end">{y_min:.3g}</text>',
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">round</text>',
    ]
    for x in sorted(set(xs)):
        parts.append(f'<text x="{sx(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{x:g}</text>')
    for index, series in enumerate(metric.series):
        color, marker = PALETTE[index % len(PALETTE)], MARKERS[index % len(MARKERS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in series.points)
        parts.append(
            f'<g class="series" data-organization="{_attr(series.organization)}">'
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
        for x, y in series.points:
            parts.append(
                f'<g class="point" data-round="{x:g}" data-value="{y:.6g}">'
                f"<title>{escape(series.organization)} round {x:g}: {y:.4f}</title>"
                f"{_marker(marker, sx(x), sy(y), color)}"
                f'<text x="{sx(x):.1f}" y="{sy(y) - 8:.1f}" text-anchor="middle" class="value">{y:.3f}</text>'
                "</g>"
            )
        legend_y = top + 10 + index * 20
        parts.append(
            f"{_marker(marker, width - right + 16, legend_y, color)}"
            f'<text x="{width - right + 26}" y="{legend_y + 4}">{escape(series.organization)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
