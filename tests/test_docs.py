"""Every command is documented: a one-line summary and a working example in its --help, and a mention
in README.md. The examples are run, so a renamed option or entity breaks this test, not a user.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from cli import app

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every (command path, command) below ``command``, the root included."""
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name], (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = [(path, command) for path, command in walk(ROOT) if not command.hidden]
NAMED = [(path, command) for path, command in COMMANDS if path]
HIDDEN = [(path, command) for path, command in walk(ROOT) if command.hidden]
EXPECTED = {(), ("validate",), ("stats",), ("search",), ("show",), ("neighbours",), ("path",), ("timeline",), ("build",),
            ("export",), ("export", "html"), ("export", "graphml"), ("export", "gexf"), ("export", "json"),
            ("export", "csv"), ("export", "ftm"), ("rank",), ("brokers",), ("clusters",), ("import",),
            ("import", "ftm"), ("dedupe",), ("xref",), ("conflicts",), ("serve",)}


def name_of(path: tuple[str, ...]) -> str:
    return " ".join(("tieline", *path))


def help_text(command: click.Command) -> str:
    return command.help or ""


def examples(command: click.Command) -> list[str]:
    """The commands after 'Example:' in a help text."""
    return [m.group(1).strip() for m in re.finditer(r"^\s*Example:\s*(.+)$", help_text(command), re.M)]


def test_the_command_tree_is_the_one_documented_here() -> None:
    assert {path for path, _ in COMMANDS} == EXPECTED
    assert [path for path, _ in HIDDEN] == [("neighbors",)]


XFAIL_NO_EXAMPLE: dict[tuple[str, ...], str] = {}


def _param(path: tuple[str, ...], command: click.Command) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=XFAIL_NO_EXAMPLE[path])] if path in XFAIL_NO_EXAMPLE else []
    return pytest.param(path, command, id=name_of(path), marks=marks)


@pytest.mark.parametrize(("path", "command"), [pytest.param(p, c, id=name_of(p)) for p, c in COMMANDS])
def test_help_has_a_one_line_summary(path: tuple[str, ...], command: click.Command) -> None:
    lines = help_text(command).strip().splitlines()
    assert lines, f"{name_of(path)} has no help text"
    summary = lines[0].strip()
    assert 10 <= len(summary) <= 100, summary
    assert summary.endswith(".") and not summary.startswith(("Example", "Usage")), summary
    assert len(lines) == 1 or lines[1].strip() == "", "the summary is one line, then a blank line"


@pytest.mark.parametrize(("path", "command"), [_param(p, c) for p, c in COMMANDS])
def test_help_has_an_example_of_that_command(path: tuple[str, ...], command: click.Command) -> None:
    found = examples(command)
    assert found, f"{name_of(path)} has no 'Example:' line"
    assert all(shlex.split(e)[:len(path) + 1] == ["tieline", *path] for e in found), found


@pytest.mark.parametrize(("path", "command"), [pytest.param(p, c, id=name_of(p)) for p, c in COMMANDS])
def test_help_shows_summary_and_example(invoke: Callable[..., Any], path: tuple[str, ...],
                                        command: click.Command) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.replace("│", " ").split())
    summary = help_text(command).strip().splitlines()[0]
    assert " ".join(summary.split()) in flat
    for example in examples(command):
        assert f"Example: {' '.join(example.split())}" in flat


ARGUMENT_HELP = {
    ("search",): ["A name, alias or part of one; misspellings are fine."],
    ("show",): ["Id, name or alias of the entity."],
    ("neighbours",): ["Id, name or alias of the entity."],
    ("path",): ["Where the path starts (id, name or alias).", "Where it ends."],
    ("brokers",): ["One side: an entity and its nationals.", "The other side."],
    ("import", "ftm"): ["FtM entity streams (.json, .ftm.json, .ijson, .gz); '-' for stdin."],
}


@pytest.mark.parametrize("path", sorted(ARGUMENT_HELP), ids=name_of)
def test_help_explains_each_argument(invoke: Callable[..., Any], path: tuple[str, ...]) -> None:
    """What an argument means is shown in --help (click 8.5 silently dropped it under typer 0.24)."""
    flat = " ".join(invoke(*path, "--help", env={"COLUMNS": "200"}).stdout.replace("│", " ").split())
    for text in ARGUMENT_HELP[path]:
        assert text in flat


def test_hidden_aliases_name_their_command() -> None:
    for path, command in HIDDEN:
        assert help_text(command) == "Same as neighbours."
        assert ("neighbours",) in {p for p, _ in COMMANDS}
        same = ROOT.commands["neighbours"]
        assert [p.opts for p in command.params] == [p.opts for p in same.params]


@pytest.mark.parametrize("path", [pytest.param(p, id=name_of(p)) for p, _ in NAMED])
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    readme = README.read_text(encoding="utf-8")
    assert re.search(rf"`{re.escape(name_of(path))}[ `]", readme), f"README.md does not mention `{name_of(path)}`"


def test_readme_mentions_the_alias_and_exit_codes() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "`neighbors`" in readme
    for code in ("0", "1", "2", "3", "4"):
        assert re.search(rf"\b{code}\b", readme)
    assert "TIELINE_DATA" in readme


# --- the examples work ------------------------------------------------------------------------------

def readme_examples() -> list[str]:
    """`tieline …` commands in README.md: code-block lines and backticked table examples."""
    readme = README.read_text(encoding="utf-8")
    found = re.findall(r"^(tieline [^\n#]+?)\s*$", readme, re.M)
    found += re.findall(r"\| `(tieline [^`]+)` \|\s*$", readme, re.M)
    return sorted(set(found))


def help_examples() -> list[str]:
    return sorted({e for _, c in COMMANDS for e in examples(c)})


def run_example(invoke: Callable[..., Any], example: str) -> Any:
    command = example.split(" | ")[0]  # the part before a pipe is ours
    args = shlex.split(command)
    assert args[0] == "tieline"
    if args[1:2] == ["serve"]:  # a server runs until stopped: on a free port, for a second
        args += ["--port", "0", "--stop-after", "1"]
    if args[1:4] == ["import", "ftm", "-"]:  # a stream on stdin: a real one, the politicians extract
        return invoke(*args[1:], input=(REPO / "tests" / "fixtures" / "xref" / "politicians.ftm.json").read_bytes())
    return invoke(*args[1:])


@pytest.fixture
def in_a_copy_of_the_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a scratch folder whose data/ is the bundled data, so examples write only there; peps/ is
    a politicians extract imported from tests/fixtures/xref (for `tieline xref peps`)."""
    (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    from graph.ftm import import_ftm

    import_ftm(REPO / "tests" / "fixtures" / "xref" / "politicians.ftm.json", tmp_path / "peps")
    (tmp_path / "tests").symlink_to(REPO / "tests", target_is_directory=True)  # the second story of examples
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("example", help_examples())
def test_help_examples_run(invoke: Callable[..., Any], in_a_copy_of_the_repo: Path, example: str) -> None:
    result = run_example(invoke, example)
    assert result.exit_code == 0, (example, result.stderr)
    assert result.stdout or result.stderr


def test_readme_has_examples() -> None:
    assert len(readme_examples()) >= 10


@pytest.mark.parametrize("example", readme_examples())
def test_readme_examples_run(invoke: Callable[..., Any], in_a_copy_of_the_repo: Path, example: str) -> None:
    result = run_example(invoke, example)
    assert result.exit_code == 0, (example, result.stderr)


def test_the_layout_names_every_module_and_no_other() -> None:
    """README "Layout" is the tree: each module of graph/ (a package by its folder) is there, and nothing else."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```", 2)[1]
    listed = set(re.findall(r"^(graph/\S+|cli\.py)", layout, re.M))
    package = REPO / "graph"
    packages = {f"graph/{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    modules = {f"graph/{p.name}" for p in package.glob("*.py") if p.name != "__init__.py"}
    assert listed == modules | packages | {"cli.py"}
