"""docs/benchmarks.md from the results: the default run's table, and a run at another scale set
beside it without touching the default's table, chart or the prose around them."""

import json

from benchmarks import report


def _results(name: str, concerns: int, queue_ms: float) -> dict:
    return {
        "date": "2026-11-30T12:00:00+00:00",
        "machine": {"cpus": 2, "cpu": "A CPU"},
        "scale": {"name": name, "concerns": concerns, "open_concerns": 100_000, "audit_events": concerns * 10},
        "figures": {"queue_p95_ms": queue_ms, "sweep_ratio": 1.1},
        "targets": {"queue_p95_ms": {"target": "<= 60.0", "met": queue_ms <= 60}},
        "plans": {"queue": {"uses_index": True, "seq_scans": [], "execution_ms": 1.0, "file": "x"}},
        "details": {
            "generated": {"big": {"seconds": 600}},
            "queue_variants": {
                "worst_variant": "chase",
                "query_counts": [12],
                "variants": {
                    "chase": {
                        "query": "?chase=on",
                        "p95_ms": queue_ms,
                        "p50_ms": queue_ms,
                        "bare_sql_p95_ms": queue_ms / 10,
                        "ratio": 10.0,
                        "queries": [12],
                        "index_backed": True,
                    },
                    "closed": {"query": "?status=closed", "skipped": "no closed concerns"},
                },
            },
        },
        "wall_seconds": 1800,
    }


def test_a_large_run_is_set_beside_the_default_one(tmp_path, monkeypatch):
    doc, svg, bench = tmp_path / "benchmarks.md", tmp_path / "benchmarks.svg", tmp_path / "benchmarks"
    bench.mkdir()
    monkeypatch.setattr(report, "DOC", doc)
    monkeypatch.setattr(report, "SVG", svg)
    monkeypatch.setattr(report, "ROOT", tmp_path)
    doc.write_text(f"# Benchmarks\n\nProse kept by hand.\n\n{report.START}\n{report.END}\n\nMore prose.\n")
    default = _results("default", 100_000, 40.0)
    (bench / "results.json").write_text(json.dumps(default))
    report.write(default)
    default_page = doc.read_text()
    assert "| Lead's queue, p95 server time | `queue_p95_ms` | 40 ms |" in default_page

    report.write(_results("large", 1_000_000, 50.0))

    page = doc.read_text()
    assert page.startswith(default_page.rstrip())  # the default table and the prose are as they were
    large = page.split("<!-- bench:large:start -->", 1)[1].split("<!-- bench:large:end -->", 1)[0]
    assert "| Lead's queue, p95 server time | `queue_p95_ms` | 40 ms | 50 ms | 1.25 | <= 60.0 |" in large
    assert "1,000,000 concerns" in large and "10.0 of them generating the data" in large
    assert "every one reads an index" in large
    assert "| chase | 4.0 | 5.0 | 40.0 | 50.0 |" in large
    assert "| closed |" not in large

    rerun = _results("large", 1_000_000, 45.0)  # measured again on the same data: it replaces the first
    rerun["reruns"] = [{"date": "2026-11-30T17:00:00+00:00", "phases": "queue,intake", "errors": {}}]
    report.write(rerun)
    assert "Measured again on the same data at 2026-11-30T17:00:00+00:00 (phases: queue,intake)" in doc.read_text()
    assert doc.read_text().count("<!-- bench:large:start -->") == 1
    assert "| 40 ms | 45 ms | 1.12 |" in doc.read_text()


def test_a_variant_only_the_large_run_measures_says_why_the_default_has_no_figure(tmp_path, monkeypatch):
    """The closed list has no rows at the default scale: beside its large figures, the default's
    column says so instead of "None"."""
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    monkeypatch.setattr(report, "DOC", tmp_path / "benchmarks.md")
    monkeypatch.setattr(report, "SVG", tmp_path / "benchmarks.svg")
    monkeypatch.setattr(report, "ROOT", tmp_path)
    (tmp_path / "benchmarks.md").write_text(f"# Benchmarks\n\n{report.START}\n{report.END}\n")
    default = _results("default", 100_000, 40.0)
    default["details"]["queue_variants"]["variants"]["closed"].update(p95_ms=None, total_p95_ms=5.0)
    (bench / "results.json").write_text(json.dumps(default))
    report.write(default)
    large = _results("large", 1_000_000, 50.0)
    large["details"]["queue_variants"]["variants"]["closed"] = {
        **large["details"]["queue_variants"]["variants"]["chase"],
        "query": "?status=closed",
        "total_p95_ms": 7.0,
    }
    report.write(large)
    large_block = (tmp_path / "benchmarks.md").read_text().split("<!-- bench:large:start -->", 1)[1]
    assert "| closed |  | 5.0 | no closed concerns | 50.0 | 5.0 | 7.0 |" in large_block
    assert "| None |" not in large_block
