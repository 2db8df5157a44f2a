"""The HTML pages: semantic markup rendered on the server from the reader's dicts; the page's script
(``static/dashboard.js``) then applies live events to it. Every value is escaped."""

import json
from html import escape
from typing import Any

from podium.dashboard import svg, views


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, organization: str, channel: str, data: dict[str, Any]) -> str:
    """A whole document: header with navigation and the live-stream indicator, ``body``, and the
    page's data for the script (JSON, with ``<`` escaped so it cannot close the script element)."""
    payload = json.dumps(data).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — podium</title>
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/dashboard.js" defer></script>
</head>
<body>
<header>
<nav aria-label="main"><a href="/" class="brand">podium</a> <a href="/">Plans</a>
<a href="/ledger">Ledger</a></nav>
<p class="who">as <strong>{_e(organization)}</strong> on channel <strong>{_e(channel)}</strong>
<span id="live" role="status" class="live off">○ live updates: connecting</span></p>
</header>
<main>
<h1>{_e(title)}</h1>
{body}
</main>
<script type="application/json" id="page-data">{payload}</script>
</body>
</html>
"""


def progress(groups: dict[str, int], total: int) -> str:
    """A bar of the task counts by status group, with the counts in words for screen readers."""
    words = ", ".join(f"{count} {group.label}" for group in views.GROUPS if (count := groups.get(group.name)))
    spans = "".join(
        f'<span class="seg status-{group.name}" style="width:{100 * count / total:.2f}%" '
        f'title="{count} {group.label}"></span>'
        for group in views.GROUPS
        if total and (count := groups.get(group.name))
    )
    done = groups.get("done", 0)
    return (
        f'<div class="progress" role="img" aria-label="{_e(words or "no task")}">{spans}</div>'
        f'<span class="progress-text">{done}/{total} done</span>'
    )


def plan_row(plan: dict[str, Any]) -> str:
    key = plan["key"]
    return (
        f'<tr id="plan-{_e(key)}" data-key="{_e(key)}">'
        f'<td><a href="/plans/{_e(key)}">{_e(plan["name"] or key[:8])}</a></td>'
        f"<td>{_e(plan['owner'])}</td>"
        f'<td class="state plan-{_e(plan["state"])}">{_e(plan["state"])}</td>'
        f'<td class="bar">{progress(plan["groups"], plan["total"])}</td>'
        f"<td>{_e(plan['start'] or '—')}</td><td>{_e(plan['end'] or '—')}</td></tr>"
    )


def plans_page(plans: list[dict[str, Any]]) -> str:
    if not plans:
        return '<p id="no-plans">No compute plan in this channel yet.</p>'
    rows = "".join(plan_row(plan) for plan in plans)
    return (
        '<table id="plans"><caption>Compute plans, newest first</caption><thead><tr>'
        '<th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Status</th>'
        '<th scope="col">Progress</th><th scope="col">Started</th><th scope="col">Ended</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def legend() -> str:
    items = "".join(
        f'<li><span class="swatch status-{g.name}" aria-hidden="true"></span>'
        f"{_e(g.symbol)} {_e(g.label)}</li>"
        for g in views.GROUPS
    )
    return f'<ul class="legend" aria-label="status legend">{items}</ul>'


def aggregate_table(view: dict[str, Any]) -> str:
    """Counts by rank by status group (large plans), each cell with its number."""
    head = "".join(f'<th scope="col">{_e(views.group_of_name(name).label)}</th>' for name in view["groups"])
    rows = "".join(
        f'<tr data-rank="{row["rank"]}"><th scope="row">{row["rank"]}</th><td>{row["total"]}</td>'
        + "".join(
            f'<td class="count status-{name}" data-group="{name}">{row["counts"][name]}</td>'
            for name in view["groups"]
        )
        + "</tr>"
        for row in view["ranks"]
    )
    orgs = "".join(
        f'<tr><th scope="row">{_e(row["organization"])}</th><td>{row["total"]}</td>'
        + "".join(f"<td>{row['counts'][name]}</td>" for name in view["groups"])
        + "</tr>"
        for row in view["organizations"]
    )
    return (
        '<table id="aggregate" class="aggregate"><caption>Tasks by rank and status (too many tasks '
        f'to draw one by one)</caption><thead><tr><th scope="col">Rank</th><th scope="col">Tasks</th>{head}'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        '<table class="aggregate"><caption>Tasks by organization and status</caption><thead><tr>'
        f'<th scope="col">Organization</th><th scope="col">Tasks</th>{head}</tr></thead>'
        f"<tbody>{orgs}</tbody></table>"
    )


def plan_summary(plan: dict[str, Any]) -> str:
    counts = "".join(
        f'<li class="status-{g.name}">{_e(g.symbol)} {_e(g.label)}: '
        f'<span data-count="{g.name}">{plan["groups"].get(g.name, 0)}</span></li>'
        for g in views.GROUPS
    )
    return (
        f'<section id="summary" aria-label="plan summary"><dl>'
        f"<dt>Owner</dt><dd>{_e(plan['owner'])}</dd>"
        f'<dt>Status</dt><dd id="plan-state" class="plan-{_e(plan["state"])}">{_e(plan["state"])}</dd>'
        f'<dt>Tasks</dt><dd id="plan-total">{plan["total"]}</dd>'
        f"<dt>Started</dt><dd>{_e(plan['start'] or '—')}</dd>"
        f'<dt>Ended</dt><dd id="plan-end">{_e(plan["end"] or "—")}</dd></dl>'
        f'<ul class="counts">{counts}</ul>{progress(plan["groups"], plan["total"])}</section>'
    )


def plan_page(view: dict[str, Any]) -> str:
    plan = view["plan"]
    links = f'<p><a href="/plans/{_e(plan["key"])}/performances">Performances of this plan</a></p>'
    if "aggregate" in view:
        body = aggregate_table(view["aggregate"])
    else:
        body = (
            '<p class="hint">Select a task (click, or Tab then Enter) to see its inputs, outputs, '
            "events and failure report.</p>"
            f'<div class="graph-box">{svg.graph(view["graph"])}</div>'
        )
    details = (
        '<section id="details" aria-live="polite" aria-label="task details">'
        "<p>No task selected.</p></section>"
    )
    return plan_summary(plan) + links + legend() + body + details


def performances_page(plan_key: str, metrics: list[views.Metric]) -> str:
    back = f'<p><a href="/plans/{_e(plan_key)}">Back to the plan</a></p>'
    if not metrics:
        return back + '<p id="no-performances">No performance registered for this plan yet.</p>'
    sections = []
    for metric in metrics:
        rounds = sorted({x for series in metric.series for x, _ in series.points})
        head = "".join(f'<th scope="col">{x:g}</th>' for x in rounds)
        rows = "".join(
            f'<tr><th scope="row">{_e(series.organization)}</th>'
            + "".join(f"<td>{dict(series.points).get(x, float('nan')):.4f}</td>" for x in rounds)
            + "</tr>"
            for series in metric.series
        )
        sections.append(
            f'<section class="metric"><h2>{_e(metric.name)}</h2>{svg.chart(metric)}'
            f"<table><caption>{_e(metric.name)} by organization (rows) and round (columns)</caption>"
            f'<thead><tr><th scope="col">Organization</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
            "</section>"
        )
    return back + '<div id="charts">' + "".join(sections) + "</div>"


def ledger_page(ledger: dict[str, Any], result: dict[str, Any] | None) -> str:
    head = ledger["head"]
    verified = ledger["verified"]
    if verified is None:
        mine = "<dd>not known here (no agent cursor under this organization's home)</dd>"
    elif "error" in verified:
        mine = f"<dd>unreadable cursor: {_e(verified['error'])}</dd>"
    else:
        mine = (
            f'<dd>position <span id="verified-position">{verified["position"]}</span>, hash '
            f"<code>{_e(verified['hash'])}</code></dd>"
        )
    return (
        '<section aria-label="ledger heads"><dl>'
        f"<dt>Channel</dt><dd>{_e(ledger['channel'])}</dd>"
        f'<dt>Channel head</dt><dd>position <span id="head-position">{head["position"]}</span>, '
        f'hash <code id="head-hash">{_e(head["hash"])}</code></dd>'
        f"<dt>Head verified by {_e(ledger['organization'])}'s agent</dt>{mine}</dl></section>"
        '<form method="post" action="/ledger/verify" id="verify-form">'
        '<button type="submit" id="verify">Verify now</button> '
        "<span>(re-checks the whole hash chain from the first event)</span></form>"
        f'<section id="verification" aria-live="polite">{verification(result)}</section>'
    )


def verification(result: dict[str, Any] | None) -> str:
    if result is None:
        return ""
    if result["ok"]:
        return (
            f'<p class="ok">✓ OK — {_e(result["reason"])}; verified head: position '
            f"{result['head_position']}, hash <code>{_e(result['head_hash'])}</code></p>"
        )
    return (
        f'<p class="broken">✗ BROKEN at position {_e(result["first_bad_position"])}: '
        f"{_e(result['reason'])}; last good head: position {result['head_position']}</p>"
    )


def error_page(message: str) -> str:
    return f'<p class="error" role="alert">{_e(message)}</p><p><a href="/">Back to the plans</a></p>'
