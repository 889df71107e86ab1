"""The ``dlnd`` command line. Exit codes: 0 success, 1 failure, 2 usage or config error."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import inspect
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from dlnd import __version__, projects
from dlnd.app.course import format_table, metric_text, run_course
from dlnd.core import config as config_mod
from dlnd.core import datasets
from dlnd.core.errors import DlndError, InputNote, UsageError
from dlnd.core.project import check_resume, execute
from dlnd.core.runs import (
    OTHER_SETTINGS_VERDICT,
    QUICK_VERDICT,
    find_runs,
    read_meta,
    read_summary,
)
from dlnd.engine.memory import tune_allocator


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (exit code 2 via main) instead of printed and exited."""

    def error(self, message: str):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def add_config_flags(parser: argparse.ArgumentParser, config_cls: type) -> None:
    """One flag per config field (``hidden_nodes`` -> ``--hidden-nodes``), help from the field."""
    group = parser.add_argument_group("config (defaults shown; also --set key=value)")
    for name, type_name, default, help_text in config_mod.describe(config_cls):
        flag = "--" + name.replace("_", "-")
        help_text = help_text.replace("%", "%%")  # argparse formats help with %
        if type_name == "bool":
            group.add_argument(flag, dest=f"cfg.{name}", action=argparse.BooleanOptionalAction,
                               default=None, help=f"{help_text} (default: {default})")
        else:
            group.add_argument(flag, dest=f"cfg.{name}", metavar=type_name.upper(), default=None,
                               help=f"{help_text} (default: {default})")


def build_parser(project: projects.Project | None = None) -> Parser:
    parser = Parser(prog="dlnd", description="Deep Learning Nanodegree projects, runnable.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"dlnd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    sub.add_parser("list", help="the projects: what each teaches, its data and course target")

    run = sub.add_parser("run", help="train a project",
                         description="Train a project; config flags are listed with "
                                     "`dlnd run PROJECT --help`.")
    run.add_argument("project", help="project name (see `dlnd list`)")
    run.add_argument("--config", type=Path, help="TOML file of config values")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="set a config value (repeatable)")
    run.add_argument("--quick", action="store_true", help="tiny settings: end to end in seconds")
    run.add_argument("--out", type=Path, default=Path("runs"), help="runs directory")
    run.add_argument("--resume", type=Path, metavar="RUN_DIR",
                     help="continue an interrupted run from its last checkpoint")
    if project is not None:
        add_config_flags(run, project.config)
    parser.run_parser = run

    data = sub.add_parser("data", help="datasets: where they are, fetch, verify")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=Parser)
    data_sub.add_parser("list", help="every registered dataset and whether it is here")
    data_sub.add_parser("path", help="where a dataset's files are").add_argument("name")
    data_sub.add_parser("fetch", help="download a dataset (verified)").add_argument("name")
    data_sub.add_parser("use", help="remember a folder of datasets for every later command "
                        "(DLND_DATA_DIR still wins)").add_argument("folder", type=Path)
    data_sub.add_parser("verify", help="check files against their checksums").add_argument(
        "name", nargs="?")

    predict = sub.add_parser("predict", help="query a trained model (texts, image files ...)")
    predict.add_argument("run_dir", type=Path, help="a run directory, or a project's name for "
                         "its latest completed run")
    predict.add_argument("inputs", nargs="*", help="inputs; none: one per line of stdin")
    predict.add_argument("--out", type=Path, help="where to write the picture an answer comes "
                         "with (an attention map, a stylised image), for models that draw one")
    predict.add_argument("--story", type=Path, help="a text file the questions are about "
                         "(question-answering models)")

    generate = sub.add_parser("generate", help="sample from a trained generative model "
                              "(text, images)")
    generate.add_argument("run_dir", type=Path, help="a run directory of a generative project, "
                          "or its name (latest completed run)")
    generate.add_argument("--prime", default="", help="text to start from")
    generate.add_argument("--length", type=int, default=200, help="tokens to generate")
    generate.add_argument("--temperature", type=float, default=0.8,
                          help="< 1 sharper and safer, > 1 more surprising")
    generate.add_argument("--top-k", type=int, default=None,
                          help="sample only among the k likeliest tokens")
    generate.add_argument("--seed", type=int, default=0, help="same seed, same text")
    generate.add_argument("--n", type=int, default=None, help="images to draw (image models)")
    generate.add_argument("--out", type=Path, default=None,
                          help="where to write the image grid (image models)")
    generate.add_argument("--interpolate", action="store_true",
                          help="a row of images between two noise vectors (image models)")

    play = sub.add_parser("play", help="let a trained agent play its game and report the score")
    play.add_argument("run_dir", type=Path, help="a run directory of a reinforcement-learning "
                      "project, or its name (latest completed run)")
    play.add_argument("--episodes", type=int, default=10, help="episodes (games) to play")
    play.add_argument("--seed", type=int, default=0, help="seed of the first episode")
    play.add_argument("--gif", type=Path, default=None, help="write the first episode as a GIF")

    sweep = sub.add_parser("sweep", help="a grid or an Optuna search; every trial is a run",
                           description="Grid: --grid key=v1,v2 (repeat for more keys). Search: "
                           "--space key=low:high[:log] with --trials N. Restarting the same "
                           "command resumes the sweep; with --storage postgresql://... workers "
                           "on many machines join one study.")
    sweep.add_argument("project")
    sweep.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2")
    sweep.add_argument("--space", action="append", default=[], metavar="KEY=LOW:HIGH[:log]")
    sweep.add_argument("--trials", type=int, default=0, help="trials of a --space search")
    sweep.add_argument("--search", default="tpe", choices=["tpe", "random"])
    sweep.add_argument("--metric", default="", help="per-epoch metric (default: the project's)")
    sweep.add_argument("--direction", default="", choices=["", "minimize", "maximize"])
    sweep.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="config value for every trial")
    sweep.add_argument("--quick", action="store_true")
    sweep.add_argument("--workers", type=int, default=1, help="local worker processes")
    sweep.add_argument("--storage", default="", help="Optuna storage URL "
                       "(default sqlite:///OUT/sweeps.db)")
    sweep.add_argument("--name", default="", help="study name (default: from the settings)")
    sweep.add_argument("--prune", action=argparse.BooleanOptionalAction, default=None,
                       help="stop unpromising trials early (default: yes for a --space search, "
                       "no for a full --grid)")
    sweep.add_argument("--heartbeat", type=int, default=10, metavar="SECONDS",
                       help="a trial whose worker is silent for 3x this is failed and retried")
    sweep.add_argument("--out", type=Path, default=Path("runs"))

    compare = sub.add_parser("compare", help="overlay runs' curves; diff their configs")
    compare.add_argument("run_dirs", type=Path, nargs="+")
    compare.add_argument("--png", type=Path, help="where to write the figure "
                         "(default: runs/compare-<time>.png)")

    runs_cmd = sub.add_parser("runs", help="past runs with their key metric and pass/fail")
    runs_cmd.add_argument("project", nargs="?")
    runs_cmd.add_argument("--out", type=Path, default=Path("runs"))

    course = sub.add_parser("course", help="run every project and write runs/course.md")
    course.add_argument("--quick", action="store_true", help="tiny settings for every project")
    course.add_argument("--out", type=Path, default=Path("runs"))
    course.add_argument("--only", action="append", metavar="PROJECT",
                        help="run only this project (repeatable)")
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse twice for ``run``: the project's config flags exist once the project is known."""
    try:  # first pass without --help, so that `dlnd run PROJECT --help` shows PROJECT's flags
        args, _ = build_parser().parse_known_args([a for a in argv if a not in ("-h", "--help")])
    except UsageError:
        args = build_parser().parse_args(argv)
    if args.command == "predict":  # inputs may come after flags: predict RUN --story s.txt "Q?"
        args, extra = build_parser().parse_known_args(argv)
        flags = [a for a in extra if a.startswith("-")]
        if flags:
            raise UsageError(f"unrecognized arguments: {' '.join(flags)} "
                             f"(see `dlnd predict --help`)")
        args.inputs += extra
        return args
    if args.command != "run":
        return build_parser().parse_args(argv)
    parser = build_parser(projects.get(args.project))
    args, extra = parser.parse_known_args(argv)
    if extra:
        flags = list(parser.run_parser._option_string_actions)
        close = difflib.get_close_matches(extra[0].split("=")[0], flags, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(f"unrecognized arguments: {' '.join(extra)}{hint} "
                         f"(see `dlnd run {args.project} --help`)")
    return args


def cmd_list(args) -> int:
    rows = [[p.name, p.teaches, ", ".join(p.datasets) or "built in", p.target_text, p.engine,
             ", ".join(p.offers) or "-"] for p in projects.PROJECTS.values()]
    width = shutil.get_terminal_size().columns  # COLUMNS, else the terminal, else 80
    print(format_table(["project", "teaches", "dataset", "course target", "engine", "offers"],
                       rows, max_width=width), end="")
    return 0


def cmd_run(args) -> int:
    project = projects.get(args.project)
    flags = {k[4:]: v for k, v in vars(args).items() if k.startswith("cfg.") and v is not None}
    sets = config_mod.parse_assignments(args.set)
    if args.resume is not None:
        changes = {**flags, **sets, **({"config": 1} if args.config else {}),
                   **({"quick": 1} if args.quick else {})}
        check_resume(project, args.resume, changes)
        summary = execute(project, None, resume=args.resume)
    else:
        cfg = project.make_config(quick=args.quick, config_file=args.config, sets=sets,
                                  overrides=flags)
        summary = execute(project, cfg, out=args.out, quick=args.quick)
    print_summary(summary)
    return 130 if summary["status"] == "interrupted" else 0


def print_summary(summary: dict) -> None:
    metrics = "  ".join(f"{k}={v:.4g}" for k, v in summary["metrics"].items())
    print(f"{summary['project']}: {metrics}")
    verdict = summary_verdict(summary)
    if summary["status"] == "interrupted":
        print(f"interrupted - resume with: dlnd run {summary['project']} --resume "
              f"{summary['run_dir']}")
    elif verdict == QUICK_VERDICT:
        print(f"quick run (tiny settings: checks the pipeline, not scored against the course "
              f"target: {summary['target']})")
    elif verdict == OTHER_SETTINGS_VERDICT:
        print(f"not scored: the course target is about other settings ({summary['target']})")
    else:
        print(f"course target: {summary['target']} -> {verdict.upper()}")
    print(f"run directory: {summary['run_dir']}  ({summary['wall_s']:.1f} s on "
          f"{summary['device']})")


def summary_verdict(summary: dict) -> str:
    """The verdict of a summary, also for summaries written before verdicts were recorded."""
    return summary.get("verdict") or ("pass" if summary["passed"] else "fail")


def cmd_data(args) -> int:
    if args.data_command == "list":
        rows = []
        for name, ds in datasets.registry().items():
            statuses = datasets.status(name, check=False)
            present = sum(s.path is not None for s in statuses)
            where = next((str(s.path.parent) for s in statuses if s.path is not None), "-")
            rows.append([name, f"{present}/{len(statuses)}", where, ds.description])
        print(format_table(["dataset", "files here", "where", "description"], rows), end="")
        return 0
    if args.data_command == "path":
        statuses = datasets.status(args.name, check=False)
        for s in statuses:
            print(s.path if s.path else f"missing: {s.file.name} ({s.file.url or 'no download'})")
        return 0 if all(s.path or s.file.optional for s in statuses) else 1
    if args.data_command == "use":
        folder = datasets.use_data_dir(args.folder)
        print(f"datasets will be looked for in {folder} (saved in {datasets.settings_file()})")
        return 0
    if args.data_command == "fetch":
        for file in datasets.get(args.name).files:
            try:
                print(datasets.path(args.name, file.name))
            except DlndError:
                if not file.optional:
                    raise
                print(f"skipped optional {file.name}: not available", file=sys.stderr)
        return 0
    names = [args.name] if args.name else list(datasets.registry())
    failed = False
    for name in names:
        statuses = datasets.status(name)
        ok = datasets.intact(statuses)
        corrupt = any(s.state == "corrupt" for s in statuses)
        missing = [s for s in statuses if s.state == "missing"]
        state = "intact" if ok else ("CORRUPT" if corrupt else "missing")
        if ok and missing:
            state += f" ({len(missing)} optional file(s) missing)"
        print(f"{name}: {state}")
        for s in statuses:
            if s.state != "ok" and not (s.state == "missing" and ok):
                print(f"  {s.state}: {s.path or s.file.name} {s.detail}".rstrip())
        failed |= corrupt or (not ok and args.name is not None)
    return 1 if failed else 0


def latest_run(name: Path, out: Path = Path("runs")) -> Path:
    """``name`` itself when it is a directory; a project's name stands for that project's
    latest completed run under ``out``, so ``dlnd predict sentiment-rnn "..."`` works right
    after ``dlnd run sentiment-rnn``."""
    if name.is_dir() or str(name) not in projects.PROJECTS:
        return name
    completed = [d for d in find_runs(out, str(name))
                 if (read_summary(d) or {}).get("status") == "completed"]
    if not completed:
        raise UsageError(f"no completed {name} run under {out}/: train one with "
                         f"`dlnd run {name}`, or give a run directory")
    return completed[-1]


def model_offering(run_dir: Path, offer: str):
    """The trained model of a run (a directory, or a project's name for its latest completed
    run), which must offer ``offer`` (one of ``OFFERS``)."""
    run_dir = latest_run(run_dir)
    project = projects.get(read_meta(run_dir)["project"])
    if offer not in project.offers:
        able = [n for n, p in projects.PROJECTS.items() if offer in p.offers]
        raise UsageError(f"{project.name} models do not {offer}; projects whose models do: "
                         + (", ".join(able) or "none yet"))
    return project.load(run_dir)


def read_stdin_lines() -> list[str]:
    """Non-empty lines of stdin, decoded as UTF-8 whatever the locale (bytes that are not UTF-8
    are replaced, and the user is told)."""
    data = sys.stdin.buffer.read()
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        print("dlnd: note: stdin is not UTF-8; undecodable bytes were replaced by \ufffd",
              file=sys.stderr)
    return [line for line in text.splitlines() if line.strip()]


def cmd_predict(args) -> int:
    model = model_offering(args.run_dir, "predict")
    inputs = args.inputs or read_stdin_lines()
    if not inputs:
        raise UsageError("no inputs: give them as arguments or one per line on stdin")
    options = {k: v for k, v in (("out", args.out), ("story", args.story)) if v is not None}
    for prediction in call_with_options(model.predict, "predict", options, inputs):
        print(prediction)
    return 0


def call_with_options(method, command: str, options: dict, *args):
    """``method(*args, **options)``, refusing with a usage error an option that this project's
    model does not take (e.g. ``--story`` for an image classifier)."""
    accepted = inspect.signature(method).parameters
    refused = sorted(k for k in options if k not in accepted)
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        raise UsageError(f"this model's {command} takes no {flags}")
    return method(*args, **options)


MAX_GENERATED = 100_000  # tokens: about a novel's chapter; more is a typo, not a wish
MAX_IMAGES = 1_024  # a 32x32 grid; more is unreadable in one picture
TEMPERATURES = (0.01, 100.0)  # below, sampling is greedy in all but name; above, noise


def cmd_generate(args) -> int:
    if not 1 <= args.length <= MAX_GENERATED:
        raise UsageError(f"--length must be between 1 and {MAX_GENERATED:,}")
    if args.top_k is not None and args.top_k < 1:
        raise UsageError("--top-k must be >= 1")
    low, high = TEMPERATURES
    if not low <= args.temperature <= high:  # also refuses nan and inf
        raise UsageError(f"--temperature must be between {low} and {high:g} (lower is more "
                         f"predictable; --top-k 1 picks the likeliest token every time)")
    if not 0 <= args.seed < 2**32:
        raise UsageError("--seed must be between 0 and 2**32 - 1")
    model = model_offering(args.run_dir, "generate")
    if getattr(model, "draws_images", False):  # an image model: a grid (or a row) to a file
        if args.n is not None and not 1 <= args.n <= MAX_IMAGES:
            raise UsageError(f"--n must be between 1 and {MAX_IMAGES:,}")
        out = model.generate(n=args.n or 64, out=args.out, seed=args.seed,
                             interpolate=args.interpolate)
        print(f"wrote {out}")
        return 0
    if args.n is not None or args.out is not None or args.interpolate:
        raise UsageError("--n, --out and --interpolate are for image models; this one writes "
                         "text")
    settings = {"prime": args.prime, "length": args.length, "temperature": args.temperature,
                "top_k": args.top_k, "seed": args.seed}
    stream = getattr(model, "stream", None)  # the text as it is sampled, where a model can
    pieces = stream(**settings) if stream is not None else iter([model.generate(**settings)])
    try:
        for piece in pieces:
            sys.stdout.write(piece)
            sys.stdout.flush()  # a long text shows as it is written, not at the end
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (`| head`) has what it wanted: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


MAX_EPISODES = 10_000


def cmd_play(args) -> int:
    if not 1 <= args.episodes <= MAX_EPISODES:
        raise UsageError(f"--episodes must be between 1 and {MAX_EPISODES:,}")
    if not 0 <= args.seed < 2**32:
        raise UsageError("--seed must be between 0 and 2**32 - 1")
    model = model_offering(args.run_dir, "play")
    results = model.play(episodes=args.episodes, seed=args.seed, gif=args.gif)
    print(", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in results.items()))
    if args.gif is not None:
        print(f"wrote {args.gif}")
    return 0


def cmd_sweep(args) -> int:
    from dlnd.app.sweep import SweepSpec, parse_grid, parse_space, run_sweep

    if args.workers < 1 or args.heartbeat < 1:
        raise UsageError("--workers and --heartbeat must be >= 1")
    spec = SweepSpec(project=args.project, grid=parse_grid(args.grid),
                     space=parse_space(args.space), trials=args.trials, search=args.search,
                     metric=args.metric, direction=args.direction,
                     fixed=config_mod.parse_assignments(args.set), quick=args.quick,
                     prune=args.prune, out=str(args.out), storage=args.storage,
                     name=args.name, heartbeat_s=args.heartbeat)
    result = run_sweep(spec, workers=args.workers)
    best = result["best"]
    if best:
        print(f"best: trial {best['trial']} {best['params']} -> {best['value']:.4g}")
    print(f"{len(result['rows'])} trials in {result['wall_s']:.1f} s; report: "
          f"{result['summary']}  plot: {result['plot']}")
    return 0


def cmd_compare(args) -> int:
    from dlnd.app.compare import compare_runs

    table, png = compare_runs(args.run_dirs, args.png)
    print(table, end="")
    print(f"curves: {png}")
    return 0


def cmd_runs(args) -> int:
    rows = []
    for path in find_runs(args.out, args.project):
        try:
            meta = read_meta(path)
            summary = read_summary(path)
        except DlndError as exc:  # list the good runs; say what is wrong with this one
            rows.append([str(path), "?", f"damaged: {exc}", "-", "-", "-", "-"])
            continue
        project = projects.PROJECTS.get(meta["project"])
        metric = project.primary_metric if project else "-"
        if summary is None:
            rows.append([str(path), meta["project"], "incomplete", metric, "-", "-", "-"])
            continue
        rows.append([str(path), meta["project"], summary["status"], metric,
                     metric_text(summary, metric), summary_verdict(summary),
                     f"{summary['wall_s']:.1f} s"])
    if not rows:
        print(f"no runs under {args.out}" + (f" for {args.project}" if args.project else ""))
        return 0
    print(format_table(["run", "project", "status", "metric", "value", "target", "wall"], rows),
          end="")
    return 0


def cmd_course(args) -> int:
    try:
        rows, report = run_course(quick=args.quick, out=args.out, only=args.only)
    except KeyboardInterrupt:
        print(f"course interrupted; report so far: {args.out / 'course.md'}")
        return 130
    for row in rows:
        if row["status"] == "skipped":
            print(f"skipped {row['project']}: {row['reason']}")
        else:
            s = row["summary"]
            print(f"{row['project']}: {row['metric']}={metric_text(s, row['metric'])} "
                  f"{summary_verdict(s)}")
    ran = [r for r in rows if r["status"] != "skipped"]
    scored = [r for r in ran if summary_verdict(r["summary"]) in ("pass", "fail")]
    passed = sum(summary_verdict(r["summary"]) == "pass" for r in scored)
    score = f"{passed} of {len(scored)} meet the course target" if scored else \
        "quick runs: checked end to end, not scored"
    print(f"{len(ran)} projects ran ({score}); report: {report.parent / 'course.html'}")
    return 0 if all(r["status"] != "failed" for r in rows) else 1


COMMANDS = {"list": cmd_list, "run": cmd_run, "data": cmd_data, "runs": cmd_runs,
            "predict": cmd_predict, "generate": cmd_generate, "play": cmd_play,
            "course": cmd_course,
            "sweep": cmd_sweep,
            "compare": cmd_compare}


@contextlib.contextmanager
def notes_as_lines() -> Iterator[None]:
    """Show each :class:`InputNote` warning (e.g. a prime word the model never saw) as one
    ``dlnd: note: ...`` line on stderr, every time, instead of Python's warning format."""
    with warnings.catch_warnings():  # restores the filters and showwarning afterwards
        original = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, InputNote):
                print(f"dlnd: note: {message}", file=sys.stderr)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.simplefilter("always", InputNote)
        warnings.showwarning = show
        yield


def trains_on_the_engine(args: argparse.Namespace) -> bool:
    """Whether the command trains NumPy-engine projects, for which the process's malloc is tuned
    (``tune_allocator``); torch manages its own memory, and translation trained 10% slower with
    the tuned settings (28.7 s against 31.4 s an epoch). ``course`` starts with the engine's
    projects."""
    if args.command == "course":
        return True
    name = getattr(args, "project", None)
    return name in projects.PROJECTS and projects.PROJECTS[name].engine == "numpy"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # bare `dlnd`: what it can do, not an error
        build_parser().print_help()
        return 0
    debug = "--debug" in argv
    try:
        args = parse(argv)
        if trains_on_the_engine(args):
            tune_allocator()  # a process of dlnd's own: the engine's allocator settings may apply
        with notes_as_lines():
            return COMMANDS[args.command](args)
    except DlndError as exc:
        if debug:
            raise
        print(f"dlnd: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dlnd: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
