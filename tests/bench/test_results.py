"""make bench's results files: goals judged from the figures, the comparison that flags a
regression, and bench/README.md's figures table generated from the latest file."""

from __future__ import annotations

import copy
import json

from tests.bench.bench_helpers import load_bench_module

benchkit = load_bench_module("benchkit")
results = load_bench_module("results")


def a_run(started: str, **benches: dict) -> dict:
    return {"started": started, "commit": "abc1234", "dirty": False,
            "machine": {"cores": 2, "memory_gib": 23.5, "python": "3.11.7"},
            "load_start": [0.5, 0.4, 0.3], "load_end": [1.5, 1.0, 0.5],
            "benches": {name: {"exit": 0, "last": last} for name, last in benches.items()}}


GOALS = (benchkit.Goal("labels_per_s", ">=", 1000), benchkit.Goal("ratio", ">=", 10),
         benchkit.Goal("non_2xx", "==", 0, check=True))


def labels_last(**figures) -> dict:
    values = {"labels_per_s": 1200, "ratio": 20.0, "non_2xx": 0, "workers": 2,
              "peak_rss_mb_100k": 130.0} | figures
    return {"bench": "labels", **values,
            **benchkit.judge(values, GOALS, {"peak_rss_mb_100k": benchkit.LOWER})}


def test_goals_are_judged_from_the_figures():
    last = labels_last(labels_per_s=900)
    assert last["goals"] == {"labels_per_s >= 1000": False, "ratio >= 10": True}
    assert last["checks"] == {"non_2xx == 0": True}
    assert last["goals_met"] is False
    assert last["better"] == {"labels_per_s": "higher", "ratio": "higher",
                              "peak_rss_mb_100k": "lower"}
    assert labels_last()["goals_met"] is True


def test_a_goal_without_its_figure_is_not_met():
    last = labels_last(ratio=None)
    assert last["goals"]["ratio >= 10"] is None
    assert last["goals_met"] is False


def test_a_failed_check_fails_the_goals():
    last = labels_last(non_2xx=3)
    assert last["checks"] == {"non_2xx == 0": False}
    assert last["goals_met"] is False


def test_compare_flags_what_moved_the_wrong_way_by_more_than_a_fifth():
    before = a_run("2026-12-01T00:00:00+00:00", labels=labels_last(labels_per_s=1500))
    after = a_run("2026-12-02T00:00:00+00:00", labels=labels_last(
        labels_per_s=1100,  # -27 %, higher is better: flagged (its goal is still met)
        ratio=17.0,  # -15 %: within the fifth
        peak_rss_mb_100k=100.0,  # -23 %, lower is better: an improvement
        workers=4))  # +100 %, no direction: shown, not flagged
    rows, flagged = results.compare(after, before)
    by_figure = {row[1]: row for row in rows}
    assert flagged == 1
    assert by_figure["labels_per_s"][2:] == ["1,500", "1,100", "-27%", "higher", "WORSE"]
    assert by_figure["ratio"][6] == ""
    assert by_figure["peak_rss_mb_100k"][4:] == ["-23%", "lower", ""]
    assert by_figure["workers"][4:] == ["+100%", "", ""]


def test_compare_flags_a_goal_met_before_and_not_now():
    before = a_run("2026-12-01T00:00:00+00:00", labels=labels_last())
    after = a_run("2026-12-02T00:00:00+00:00", labels=labels_last(labels_per_s=990, non_2xx=2))
    rows, flagged = results.compare(after, before)
    lost = [row for row in rows if row[-1] == "LOST"]
    assert lost == [["labels", "labels_per_s >= 1000", "met", "not met", "", "", "LOST"],
                    ["labels", "non_2xx == 0", "met", "not met", "", "", "LOST"]]
    assert flagged == 2  # 1,200 -> 990 is -17.5 %: within the fifth; non_2xx 0 -> 2 is new


def test_compare_flags_a_bench_that_failed():
    before = a_run("2026-12-01T00:00:00+00:00", labels=labels_last())
    after = copy.deepcopy(before)
    after["benches"]["labels"] = {"exit": 1, "last": None}
    rows, flagged = results.compare(after, before)
    assert flagged == 1
    assert rows == [["labels", "(run failed)", "", "exit 1", "", "", "FAILED"]]


def test_results_files_are_ordered_by_when_the_run_started(tmp_path):
    for name, started in (("2026-12-02-bbb.json", "2026-12-02T09:00:00+00:00"),
                          ("2026-12-02-aaa.json", "2026-12-02T18:00:00+00:00"),
                          ("2026-11-30-ccc.json", "2026-11-30T12:00:00+00:00")):
        (tmp_path / name).write_text(json.dumps(a_run(started)))
    assert [p.name for p in results.results_files(tmp_path)] == [
        "2026-11-30-ccc.json", "2026-12-02-bbb.json", "2026-12-02-aaa.json"]


def test_the_figures_table_shows_every_goal_with_its_verdict():
    table = results.figures_table(a_run("2026-12-02T00:00:00+00:00",
                                        labels=labels_last(labels_per_s=900)), "x.json")
    assert "| labels | `labels_per_s` | >= 1000 | 900 | **NOT met** |" in table
    assert "| labels | `non_2xx` | == 0 | 0 | met |" in table
    assert "| labels | `peak_rss_mb_100k` |  | 130 |  |" in table
    assert "commit `abc1234`" in table and "2 cores" in table


def test_the_readme_figures_are_those_of_the_latest_results_file():
    files = results.results_files()
    assert files, "bench/results holds no results file"
    readme = results.README.read_text()
    table = results.figures_table(results.load(files[-1]), files[-1].name)
    assert results.readme_with_table(readme, table) == readme, (
        "bench/README.md's figures are not the latest results file's: run "
        ".venv/bin/python bench/results.py table")
