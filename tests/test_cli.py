"""The command line: exit codes, one-sentence errors, tables, the course report."""

import json
from pathlib import Path

import pytest

from dlnd import projects
from dlnd.app import cli
from dlnd.app.cli import main
from dlnd.app.course import run_course
from dlnd.core.errors import UsageError
from dlnd.core.project import Prediction


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_project_and_fits_the_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    for name, project in projects.PROJECTS.items():
        assert name in out and project.engine in out
        assert project.datasets or not project.data  # every dataset column filled
    assert "course target" in out
    assert max(len(line) for line in out.splitlines()) <= 140


@pytest.mark.parametrize("argv,message", [
    (["run", "bike-shar"], "unknown project 'bike-shar'; did you mean 'bike-sharing'?"),
    (["run", "bike-sharing", "--set", "hiden_nodes=3"], "did you mean 'hidden_nodes'?"),
    (["run", "bike-sharing", "--hiden-nodes", "3"], "did you mean --hidden-nodes?"),
    (["run", "bike-sharing", "--lr", "-1"], "'lr' must be > 0"),
    (["run", "bike-sharing", "--batch-size", "0"], "'batch_size' must be >= 1"),
    (["run", "bike-sharing", "--device", "tpu"], "device must be one of"),
    (["run", "bike-sharing", "--epochs", "ten"], "'epochs' must be int"),
    (["data", "verify", "imbd"], "unknown dataset 'imbd'; did you mean 'imdb'?"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2_with_one_sentence(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_debug_shows_the_traceback():
    from dlnd.core.errors import UsageError

    with pytest.raises(UsageError):
        main(["--debug", "run", "nope"])


def test_missing_data_offline_is_exit_1_and_no_run_dir(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path / "nothing"))
    code, _, err = run_cli(capsys, "run", "bike-sharing", "--quick", "--out", str(tmp_path / "r"))
    assert code == 1
    assert "'hour.csv'" in err and "https://archive.ics.uci.edu" in err
    assert str(tmp_path / "nothing" / "bike-sharing") in err
    assert not (tmp_path / "r").exists()


@pytest.mark.realdata
def test_run_resume_runs_and_config_file(capsys, hour_csv, tmp_path):
    cfg = tmp_path / "small.toml"
    cfg.write_text("epochs = 3\nhidden_nodes = 6\n")
    code, out, _ = run_cli(capsys, "run", "bike-sharing", "--config", str(cfg), "--set", "lr=0.5",
                           "--seed", "2", "--out", str(tmp_path / "runs"))
    assert code == 0 and "course target" in out
    run_dir = next((tmp_path / "runs" / "bike-sharing").iterdir())
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["config"] | {} == {**summary["config"], "epochs": 3, "hidden_nodes": 6,
                                      "lr": 0.5, "seed": 2}
    assert "hidden_nodes = 6" in (run_dir / "config.toml").read_text()

    code, _, err = run_cli(capsys, "run", "bike-sharing", "--resume", str(run_dir), "--lr", "1")
    assert code == 2 and "keeps its saved config" in err
    code, out, _ = run_cli(capsys, "run", "bike-sharing", "--resume", str(run_dir))
    assert code == 0  # resuming a finished run re-evaluates it

    code, out, _ = run_cli(capsys, "runs", "--out", str(tmp_path / "runs"))
    assert code == 0 and run_dir.name in out and "val_loss" in out


@pytest.mark.realdata
def test_data_commands(capsys, hour_csv):
    code, out, _ = run_cli(capsys, "data", "verify", "bike-sharing")
    assert code == 0 and "bike-sharing: intact" in out
    code, out, _ = run_cli(capsys, "data", "path", "bike-sharing")
    assert code == 0 and "hour.csv" in out
    code, out, _ = run_cli(capsys, "data", "list")
    assert code == 0 and "3/3" in out.splitlines()[2]


def test_data_verify_reports_corruption(capsys, tmp_path, monkeypatch):
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "letters_source.txt").write_text("not the course file\n")
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path))
    code, out, _ = run_cli(capsys, "data", "verify", "letters")
    assert code == 1 and "letters: CORRUPT" in out and "corrupt:" in out


@pytest.mark.realdata
def test_course_writes_the_table(hour_csv, tmp_path):
    rows, report = run_course(quick=True, out=tmp_path, verbose=False, only=["bike-sharing"])
    text = report.read_text()
    assert rows[0]["status"] == "completed"
    assert "| bike-sharing | val_loss | train loss < 0.09" in text
    assert rows[0]["summary"]["run_dir"] in text


def test_course_skips_projects_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path / "nothing"))
    needing_data = [n for n, p in projects.PROJECTS.items() if p.data]
    rows, report = run_course(quick=True, out=tmp_path, verbose=False, only=needing_data)
    assert len(rows) == len(needing_data) and all(r["status"] == "skipped" for r in rows)
    assert "skipped" in report.read_text() and "put it in" in report.read_text()


def test_course_only_with_a_typo_is_a_usage_error_and_keeps_the_report(hour_csv, tmp_path,
                                                                        capsys):
    run_course(quick=True, out=tmp_path, verbose=False, only=["bike-sharing"])
    before = (tmp_path / "course.md").read_text()
    assert main(["course", "--quick", "--out", str(tmp_path), "--only", "bike-sharin"]) == 2
    assert "did you mean 'bike-sharing'" in capsys.readouterr().err
    assert (tmp_path / "course.md").read_text() == before


def test_a_partial_course_updates_its_rows_and_erases_none(hour_csv, tmp_path, monkeypatch):
    run_course(quick=True, out=tmp_path, verbose=False, only=["bike-sharing"])
    monkeypatch.setenv("DLND_DATA_DIR", str(tmp_path / "nothing"))
    rows, report = run_course(quick=True, out=tmp_path, verbose=False, only=["mnist-mlp"])
    assert {r["project"] for r in rows} == {"mnist-mlp", "bike-sharing"}
    text = report.read_text()
    assert "| bike-sharing |" in text and "| mnist-mlp |" in text


def test_ctrl_c_in_a_course_project_stops_the_course_with_130(tmp_path, monkeypatch, capsys):
    from dlnd.app import course

    ran = []

    def interrupted(project, cfg, **kwargs):
        ran.append(project.name)
        return {"status": "interrupted", "run_dir": str(tmp_path / project.name),
                "metrics": {}, "passed": False, "wall_s": 0.1}

    monkeypatch.setattr(course, "execute", interrupted)
    code = main(["course", "--quick", "--out", str(tmp_path), "--only", "perceptron",
                 "--only", "bike-sharing"])
    assert code == 130 and len(ran) == 1
    assert "interrupted" in (tmp_path / "course.md").read_text()


def test_version_and_bare_dlnd_show_help_not_an_error(capsys):
    assert main([]) == 0
    assert "usage: dlnd" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.startswith("dlnd ")


@pytest.mark.parametrize("flags, message", [
    (["--temperature", "nan"], "--temperature must be between"),
    (["--temperature", "1e-300"], "--temperature must be between"),
    (["--seed", str(2**64)], "--seed must be between 0 and 2**32 - 1"),
    (["--seed", "-1"], "--seed must be between"),
    (["--length", str(10**9)], "--length must be between 1 and 100,000"),
])
def test_generate_refuses_values_that_would_crash_or_run_for_hours(flags, message, tmp_path,
                                                                   capsys):
    assert main(["generate", str(tmp_path), *flags]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("out", ["file", "file/under", "/proc/dlnd-runs"])
def test_an_out_that_cannot_hold_runs_is_one_sentence(out, tmp_path, hour_csv, capsys):
    (tmp_path / "file").write_text("x")
    out = tmp_path / out
    assert main(["run", "bike-sharing", "--quick", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot make a run directory under" in err and len(err.splitlines()) == 1


def test_resume_of_a_file_or_config_of_a_directory_is_one_sentence(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["run", "bike-sharing", "--resume", str(tmp_path / "f")]) == 2
    assert "is not a dlnd run directory (it is a file)" in capsys.readouterr().err
    assert main(["run", "bike-sharing", "--config", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_bytes(b"epochs = 3\n\xff\xfe")
    assert main(["run", "bike-sharing", "--config", str(tmp_path / "bad.toml")]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_data_use_remembers_the_data_folder_for_later_commands(hour_csv, tmp_path, capsys,
                                                              monkeypatch):
    folder = hour_csv.parent.parent
    monkeypatch.delenv("DLND_DATA_DIR")
    assert main(["data", "path", "bike-sharing"]) == 1  # nowhere to be found yet
    capsys.readouterr()
    assert main(["data", "use", str(folder)]) == 0
    assert str(folder.resolve()) in capsys.readouterr().out
    assert main(["data", "path", "bike-sharing"]) == 0
    assert "hour.csv" in capsys.readouterr().out
    assert main(["data", "use", str(tmp_path / "nope")]) == 2


def test_quick_runs_are_labelled_not_scored_everywhere(capsys, hour_csv, tmp_path):
    code, out, _ = run_cli(capsys, "run", "bike-sharing", "--quick", "--out", str(tmp_path))
    assert code == 0 and "quick run (tiny settings" in out and "FAIL" not in out
    code, out, _ = run_cli(capsys, "runs", "--out", str(tmp_path))
    assert "quick - not scored" in out and " fail" not in out
    code, out, _ = run_cli(capsys, "course", "--quick", "--out", str(tmp_path), "--only",
                           "bike-sharing")
    assert code == 0 and out.strip().splitlines()[-1] == (
        f"1 projects ran (quick runs: checked end to end, not scored); report: "
        f"{tmp_path / 'course.html'}")
    assert "quick - not scored" in (tmp_path / "course.md").read_text()


def test_predict_refuses_an_option_the_model_does_not_take(tmp_path, monkeypatch, capsys):
    class Classifier:
        def predict(self, inputs):
            raise AssertionError("not called with an option it does not take")

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: Classifier())
    story = tmp_path / "story.txt"
    story.write_text("Mary went to the kitchen.\n")
    assert cli.main(["predict", str(tmp_path), "Where is Mary?", "--story", str(story)]) == 2
    assert capsys.readouterr().err == "dlnd: error: this model's predict takes no --story\n"


def test_predict_passes_the_options_a_model_takes(tmp_path, monkeypatch, capsys):
    seen = {}

    class Reader:
        def predict(self, inputs, story=None, out=None):
            seen.update(inputs=inputs, story=story, out=out)
            return [Prediction(inputs[0], "kitchen", 1.0)]

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: Reader())
    story = tmp_path / "story.txt"
    assert cli.main(["predict", str(tmp_path), "Where is Mary?", "--story", str(story)]) == 0
    assert seen == {"inputs": ["Where is Mary?"], "story": story, "out": None}
    assert capsys.readouterr().out == "Where is Mary?: kitchen (100.0%)\n"
    # the questions may also follow the flags, as the babi README writes them
    assert cli.main(["predict", str(tmp_path), "--story", str(story), "Where is Mary?"]) == 0
    assert seen["inputs"] == ["Where is Mary?"] and seen["story"] == story
    assert cli.main(["predict", str(tmp_path), "--stroy", str(story), "Where?"]) == 2
    assert "unrecognized arguments: --stroy" in capsys.readouterr().err


def test_text_generators_refuse_image_options(tmp_path, monkeypatch, capsys):
    class TextModel:
        def generate(self, **settings):
            raise AssertionError("not called")

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: TextModel())
    assert cli.main(["generate", str(tmp_path), "--n", "16"]) == 2
    assert "for image models" in capsys.readouterr().err


def test_play_prints_the_agents_scores(tmp_path, monkeypatch, capsys):
    class Agent:
        def play(self, episodes, seed, gif):
            return {"mean_return": 500.0, "episodes": episodes}

    monkeypatch.setattr(cli, "model_offering", lambda run_dir, offer: Agent())
    assert cli.main(["play", str(tmp_path), "--episodes", "3"]) == 0
    assert capsys.readouterr().out == "mean_return 500, episodes 3\n"
    assert cli.main(["play", str(tmp_path), "--episodes", "0"]) == 2


def fake_run(out, project, name, status):
    run_dir = out / project / name
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"project": project}))
    if status:
        (run_dir / "summary.json").write_text(json.dumps(
            {"status": status, "passed": None, "metrics": {}, "wall_s": 1.0}))
    return run_dir


def test_a_project_name_stands_for_its_latest_completed_run(tmp_path, capsys):
    out = tmp_path / "runs"
    with pytest.raises(UsageError, match="no completed sentiment-ngrams run under"):
        cli.latest_run(Path("sentiment-ngrams"), out)
    fake_run(out, "sentiment-ngrams", "20261129T100000Z-aaaaaa", "completed")
    latest = fake_run(out, "sentiment-ngrams", "20261129T110000Z-bbbbbb", "completed")
    fake_run(out, "sentiment-ngrams", "20261129T120000Z-cccccc", "interrupted")
    fake_run(out, "sentiment-ngrams", "20261129T130000Z-dddddd", None)  # still running
    assert cli.latest_run(Path("sentiment-ngrams"), out) == latest
    assert cli.latest_run(latest, out) == latest  # a directory is itself
    assert cli.latest_run(Path("no-such-dir"), out) == Path("no-such-dir")  # read_meta says why


def test_only_commands_that_train_engine_projects_tune_the_allocator():
    # mallopt is process-wide; torch projects trained slower with the engine's settings
    assert cli.trains_on_the_engine(cli.parse(["run", "bike-sharing", "--quick"]))
    assert cli.trains_on_the_engine(cli.parse(["course", "--quick"]))
    assert not cli.trains_on_the_engine(cli.parse(["run", "translation", "--quick"]))
    assert not cli.trains_on_the_engine(cli.parse(["list"]))
