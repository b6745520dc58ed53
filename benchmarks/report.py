"""docs/benchmarks.md (a table between markers) and docs/benchmarks.svg (a chart), from results.json.

Only the part of the page between the markers is rewritten, so the prose around it (what
each figure means, the gaps and the plans) is kept by hand.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SVG = ROOT / "docs" / "benchmarks.svg"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

# (key, label, unit)
ROWS = [
    ("request_floor_p95_ms", "Request floor: a lead's bell count, p95 server time", "ms"),
    ("request_floor_cpu_p50_ms", "Request floor: web process CPU per request, p50", "ms"),
    ("request_floor_query_count", "Request floor: queries per request", ""),
    ("intake_ratio", "Intake: full form vs minimal insert (concerns/s ratio)", ""),
    ("queue_p95_ms", "Lead's queue, p95 server time", "ms"),
    ("queue_p50_ms", "Lead's queue, p50 server time", "ms"),
    ("queue_query_count", "Lead's queue, queries per request", ""),
    ("queue_sql_ratio", "Lead's queue p95 / bare SQL p95", "x"),
    ("queue_counts_p95_ms", "Lead's queue, its counts (loaded beside the page), p95 server time", "ms"),
    ("queue_variants_p95_ms", "Lead's queue, worst variant (each order, filter, search), p95", "ms"),
    ("queue_variants_sql_ratio", "Lead's queue, worst variant p95 / its bare rows query p95", "x"),
    ("queue_search_p95_ms", "Lead's queue, alleged-name search, p95 server time", "ms"),
    ("queue_total_p95_ms", "Lead's queue, how many match (loaded beside the page), worst variant, p95", "ms"),
    ("sweep_ratio", "Sweep, 100 due: all concerns / 1k concerns", "x"),
    ("alert_latency_p50_s", "Alert latency p50 (due to SMTP acceptance)", "s"),
    ("alert_latency_p99_s", "Alert latency p99 (due to SMTP acceptance)", "s"),
    ("alert_latency_10k_p99_s", "Alert latency p99, 10,000 due at once, 2 workers and 2 beats", "s"),
    ("verify_audit_events_per_s", "verify_audit throughput", "events/s"),
    ("audit_first_page_ms", "Audit trail first page, p95 server time", "ms"),
    ("audit_deep_page_ms", "Audit trail deep page (90% back), p95 server time", "ms"),
    ("web_peak_rss_mb", "Peak RSS of a gunicorn worker", "MiB"),
    ("worker_peak_rss_mb", "Peak RSS of a Celery worker process", "MiB"),
]

DEFAULT_PROSE = f"""# Benchmarks

`make bench` builds its own database of realistic size, measures the portal and writes
`benchmarks/results.json`; this page is updated from it (the table and the chart between the
markers below). Each figure is a ratio or a distribution measured in one run, so a noisy
machine still compares like with like.

{START}
{END}
"""


def _fmt(value, unit: str) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip() if unit and unit != "x" else (f"{text}x" if unit == "x" else text)


def _score(value, target: str) -> float | None:
    """How far inside (< 1) or outside (> 1) its target a figure is."""
    if value is None or not target:
        return None
    op, limit = target.split()
    limit = float(limit)
    if op == "<=":
        return value / limit if limit else None
    return limit / value if value else None


def chart(results: dict) -> str:
    figures, targets = results["figures"], results.get("targets", {})
    bars = []
    for key, label, unit in ROWS:
        target = targets.get(key, {}).get("target", "")
        score = _score(figures.get(key), target)
        if score is not None:
            bars.append((label, score, targets[key]["met"], _fmt(figures.get(key), unit), target))
    width, left, bar_h, gap, top = 860, 360, 22, 12, 50
    scale_max = max([2.0, *[min(b[1], 4.0) for b in bars]])
    plot_w = width - left - 90
    height = top + len(bars) * (bar_h + gap) + 40
    x_of = lambda v: left + plot_w * min(v, scale_max) / scale_max  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="bench-title bench-desc" font-family="system-ui, sans-serif" font-size="13">',
        '<title id="bench-title">Benchmark figures against their targets</title>',
        '<desc id="bench-desc">Each bar is a figure divided by its target (for a minimum, the target divided by '
        "the figure): below 1, at the dashed line, the target is met.</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-weight="600">Figure / target (1.0 = the target; shorter is better)</text>',
        f'<text x="{left}" y="40" fill="#555">{escape(results["scale"]["name"])} scale, '
        f"{escape(results['date'][:10])}, {results['machine'].get('cpus')} CPUs</text>",
    ]
    for i, (label, score, is_met, shown, target) in enumerate(bars):
        y = top + i * (bar_h + gap)
        colour = "#1b7f3b" if is_met else "#b3261e"
        parts.append(f'<text x="{left - 10}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{max(x_of(score) - left, 1):.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        label_text = f"{escape(shown)} ({'met' if is_met else 'missed'}, {escape(target)})"
        if x_of(score) > left + plot_w * 0.55:  # a long bar carries its label inside
            parts.append(
                f'<text x="{x_of(score) - 6:.1f}" y="{y + 15}" text-anchor="end" fill="#ffffff">'
                f"{label_text}{' &#8594;' if score > scale_max else ''}</text>"
            )
        else:
            parts.append(f'<text x="{x_of(score) + 6:.1f}" y="{y + 15}">{label_text}</text>')
    one = x_of(1.0)
    parts.append(
        f'<line x1="{one:.1f}" y1="{top - 6}" x2="{one:.1f}" y2="{height - 30}" stroke="#222" stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{one:.1f}" y="{height - 14}" text-anchor="middle">target</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def table(results: dict) -> str:
    figures, targets = results["figures"], results.get("targets", {})
    machine, scale = results["machine"], results["scale"]
    lines = [
        f"Measured {results['date']} on {machine.get('cpus')} CPUs ({escape(machine.get('cpu', ''))}, "
        f"{machine.get('memory', '')}, load average {machine.get('load_average_at_start')} at the start), "
        f"PostgreSQL {machine.get('postgres')}, Python {machine.get('python')}. Scale `{scale['name']}`: "
        f"{scale['concerns']:,} concerns ({scale['open_concerns']:,} open), {scale['audit_events']:,} audit events. "
        f"`make bench` took {results.get('wall_seconds', 0) / 60:.1f} minutes of wall time"
        + (f" (load average {machine['load_average_at_end']} at the end)" if machine.get("load_average_at_end") else "")
        + f"; the runner and its subprocesses used {results.get('runner_cpu_seconds', '?')} s of CPU "
        "(PostgreSQL not counted).",
        "",
        "| Figure | Key | Value | Target | Met |",
        "|---|---|---|---|---|",
    ]
    for key, label, unit in ROWS:
        target = targets.get(key, {})
        met = target.get("met")
        lines.append(
            f"| {label} | `{key}` | {_fmt(figures.get(key), unit)} | {target.get('target', '')} | "
            f"{'' if met is None else ('yes' if met else '**no**')} |"
        )
    lines += [
        "",
        "![Figures against their targets](benchmarks.svg)",
        "",
        "Plans of the hot queries (`EXPLAIN (ANALYZE, BUFFERS)`, in `benchmarks/plans/`):",
        "",
        "| Query | Uses an index | Sequential scans | Execution |",
        "|---|---|---|---|",
    ]
    for name, plan in results.get("plans", {}).items():
        if not plan:
            lines.append(f"| {name} | not captured | | |")
            continue
        lines.append(
            f"| [{name}](../{plan['file']}) | {'yes' if plan['uses_index'] else '**no**'} | "
            f"{', '.join(plan['seq_scans']) or 'none'} | {plan['execution_ms']} ms |"
        )
    details = results.get("details", {})
    queue, intake, sweep = details.get("queue", {}), details.get("intake", {}), details.get("sweep", {})
    lines += ["", "Distributions behind the figures:", ""]
    if queue:
        lines.append(
            f"- Queue: {queue.get('open_concerns'):,} open concerns; page server time {queue['page_ms']}; "
            f"bare SQL of the page's rows {queue['bare_sql_ms']} (ms)."
        )
    if intake:
        lines.append(
            f"- Intake: {intake['full_form_per_s']} full forms/s vs {intake['minimal_insert_per_s']} "
            f"minimal inserts/s ({intake['client_threads']} client threads, gunicorn 2 workers x 4 "
            f"threads); server time full {intake['full_form_server_ms']}, minimal "
            f"{intake['minimal_server_ms']} (ms)."
        )
    if sweep:
        lines.append(
            f"- Sweep: {sweep['due_deadlines']} due deadlines, medians {sweep['small_median_ms']} ms "
            f"(1k concerns) and {sweep['big_median_ms']} ms ({sweep['concerns_big']:,} concerns); "
            f"runs {sweep['small_ms']} and {sweep['big_ms']}."
        )
    audit = details.get("audit_pages")
    if audit:
        lines.append(
            f"- Audit trail ({audit['events']:,} events): first page {audit['first_page_ms']}, deep page "
            f"(cursor {audit['deep_page_offset']:,} events back) {audit['deep_page_ms']} (ms)."
        )
    verify = details.get("verify_audit")
    if verify:
        lines.append(f"- verify_audit: {verify['events']:,} events in {verify['seconds']} s, chain intact.")
    latency = details.get("alert_latency")
    if latency:
        shown = {k: v for k, v in latency.items() if k != "raw"}
        lines.append(f"- Alert latency: {json.dumps(shown, default=str)}")
    variants = details.get("queue_variants")
    if variants:
        from benchmarks.queue_variants import markdown_table

        lines += [
            "",
            f"Lead's queue, every variant (worst: `{variants['worst_variant']}`; queries per request "
            f"{variants['query_counts']}):",
            "",
            markdown_table(variants),
            "",
        ]
        if any(len(row.get("queries") or []) > 1 for row in variants.get("variants", {}).values()):
            lines += [
                "A variant with two query counts had a request that also refreshed something the "
                "portal keeps for a minute: the lead's owner list for the filter (one statement "
                "more) or the session's activity in allauth's session list (three more). The "
                "page's own statements did not change.",
                "",
            ]
    phases = results.get("phases_s")
    if phases:
        lines.append(f"- Phases (s): {json.dumps(phases)}")
    return "\n".join(lines)


def _scale_words(scale: dict) -> str:
    return f"{scale['concerns']:,} concerns ({scale['open_concerns']:,} open), {scale['audit_events']:,} audit events"


def scale_table(other: dict, default: dict | None) -> str:
    """A run at another scale beside the default run: which figures stay flat as the data grows."""
    machine, scale = other["machine"], other["scale"]
    generated = other.get("details", {}).get("generated", {}).get("big", {})
    lines = [
        f"Measured {other['date']} on {machine.get('cpus')} CPUs ({escape(machine.get('cpu', ''))}). "
        f"Scale `{scale['name']}`: {_scale_words(scale)}. The run took "
        f"{other.get('wall_seconds', 0) / 60:.1f} minutes"
        + (f", {generated['seconds'] / 60:.1f} of them generating the data" if generated.get("seconds") else "")
        + f"; every figure is in `benchmarks/results-{scale['name']}.json`, every plan in "
        f"`benchmarks/plans/{scale['name']}/`.",
        "",
    ]
    reruns = other.get("reruns") or []
    if reruns:
        last = reruns[-1]
        lines[0] += (
            f" Measured again on the same data at {last['date']} (phases: {last['phases']}); "
            "each figure is from its latest measurement."
        )
    title = escape(scale["name"]).capitalize()
    if default:
        lines.append(f"Beside the default run of {default['date']} ({_scale_words(default['scale'])}):")
    lines += [
        "",
        f"| Figure | Key | Default | {title} | {title} / default | Target |",
        "|---|---|---|---|---|---|",
    ]
    base = (default or {}).get("figures", {})
    targets = other.get("targets", {})
    for key, label, unit in ROWS:
        value, before = other["figures"].get(key), base.get(key)
        ratio = f"{value / before:.2f}" if value is not None and before else ""
        lines.append(
            f"| {label} | `{key}` | {_fmt(before, unit)} | {_fmt(value, unit)} | {ratio} | "
            f"{targets.get(key, {}).get('target', '')} |"
        )
    variants = other.get("details", {}).get("queue_variants", {}).get("variants", {})
    if variants:
        before = (default or {}).get("details", {}).get("queue_variants", {}).get("variants", {})
        lines += [
            "",
            "Each queue variant's bare rows query (the part meant to stay flat as the data grows) and page, p95 ms:",
            "",
            f"| Variant | Rows query, default | Rows query, {scale['name']} | Page, default | Page, {scale['name']}"
            f" | How many match, default | How many match, {scale['name']} |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, row in variants.items():
            if row.get("skipped"):
                continue
            was = before.get(name, {})
            # A variant the default scale skipped (no rows there) has no page or query figure.
            was_page = was.get("p95_ms") or was.get("skipped", "")
            lines.append(
                f"| {name} | {was.get('bare_sql_p95_ms', '')} | {row['bare_sql_p95_ms']} | "
                f"{was_page} | {row['p95_ms']} | {was.get('total_p95_ms', '')} | "
                f"{row.get('total_p95_ms', '')} |"
            )
    plans = other.get("plans", {})
    unindexed = sorted(name for name, plan in plans.items() if plan and not plan["uses_index"])
    lines += [
        "",
        f"{len(plans)} plans captured; "
        + (f"without an index: {', '.join(unindexed)}." if unindexed else "every one reads an index."),
    ]
    phases = other.get("phases_s")
    if phases:
        lines.append(f"Phases (s): {json.dumps(phases)}")
    return "\n".join(lines)


def _replace_block(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        text = text.rstrip() + f"\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def write(results: dict) -> None:
    text = DOC.read_text() if DOC.exists() else DEFAULT_PROSE
    name = results["scale"]["name"]
    if name != "default":
        # Another scale's run is set beside the default one; the default's table and chart stay.
        default_file = ROOT / "benchmarks" / "results.json"
        default = json.loads(default_file.read_text()) if default_file.exists() else None
        start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
        DOC.write_text(_replace_block(text, start, end, scale_table(results, default)))
        return
    SVG.write_text(chart(results))
    DOC.write_text(_replace_block(text, START, END, table(results)))


if __name__ == "__main__":
    write(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "benchmarks" / "results.json").read_text()))
