"""A request's query string read as the command line reads the same question, and errors as HTTP.

The parameters are not declared here: each ``/api/NAME`` takes the options of the command ``NAME``
(its click command, built by typer from ``cli.py`` and :mod:`graph.commandline`), named as the
options (``min-certainty``, ``as-of``, ``relation``…), parsed and checked by click itself. A view
filter added to the command line is therefore answered by the server with no change here. Only
the command's positional arguments get names (:data:`ARGUMENTS`), and the server bounds a few
options (:data:`BOUNDS`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote

import click

from .. import render
from ..commandline import view_spec
from ..errors import AmbiguousEntity, EntityNotFound, TielineError, UsageError, exit_code
from ..fields import suggest
from ..questions import QUESTIONS, Answer
from ..view import ViewSpec

__all__ = ["ARGUMENTS", "BOUNDS", "Asked", "Busy", "Questions", "http_status", "error_json", "json_body"]

ARGUMENTS: dict[str, dict[str, str]] = {
    "search": {"q": "text"}, "show": {"entity": "entity"}, "neighbours": {"entity": "entity"},
    "path": {"from": "source", "to": "target"}, "timeline": {"entity": "entities"}}
"""Each question's positional arguments: query parameter → the command's argument."""

SERVER_OWN = frozenset({"data", "no_cache", "as_json"})
"""Options the server decides itself: which data, read how, printed how."""

BOUNDS: dict[str, int] = {"depth": 3, "limit": 500, "routes": 20, "max_hops": 12, "avoid": 50, "entities": 50}
"""The most a request may ask (an option's value, or how many values a repeatable one has)."""

MAX_TEXT = 200
"""The longest text a parameter may hold (a search, a name)."""

_TRUE, _FALSE = frozenset({"", "1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


class Busy(TielineError):
    """The server cannot answer now: another question holds it, or this one ran past its time."""


STATUS_OF_EXIT = {1: 200, 2: 400, 3: 503, 4: 500}
"""HTTP status of each exit code of graph/errors.py: no result is still an answer (the same JSON the
CLI prints), a usage error is the request's fault, invalid data makes the server unable to answer."""

STATUS_OF_ERROR: tuple[tuple[type[TielineError], int], ...] = ((EntityNotFound, 404), (AmbiguousEntity, 409),
                                                               (Busy, 503))
"""Errors whose status says more than their exit code's (the first match wins)."""


def http_status(error: TielineError) -> int:
    """The HTTP status of ``error``: the one place exit codes become statuses."""
    return next((status for kind, status in STATUS_OF_ERROR if isinstance(error, kind)),
                STATUS_OF_EXIT.get(exit_code(error), 400))


def error_json(error: TielineError) -> dict[str, Any]:
    """The body of an error: its exit code, kind and message as the CLI prints it, and any candidates."""
    body: dict[str, Any] = {"exit_code": exit_code(error), "kind": type(error).__name__,
                            "message": "\n".join(render.error_message(error))}
    if isinstance(error, AmbiguousEntity):
        body["candidates"] = [c._asdict() for c in error.candidates]
    elif isinstance(error, EntityNotFound):
        body["candidates"] = [{"id": i, "name": n} for i, n in error.candidates]
    return {"error": body}


def json_body(value: Any) -> bytes:
    """``value`` as ``--json`` prints it, byte for byte (typer.echo ends it with a newline)."""
    return (render.json_text(value) + "\n").encode("utf-8")


class Asked(NamedTuple):
    """A question as parsed: which, its own arguments and the view."""

    name: str
    question: Callable[..., Answer]
    arguments: dict[str, Any]
    view: ViewSpec

    def answer(self, compiled: Any) -> Answer:
        return self.question(compiled, self.view, **self.arguments)


def no_result_header(answer: Answer) -> dict[str, str]:
    """Why the question has no answer (the CLI's message on stderr, exit 1), percent-encoded."""
    return {} if answer.missing is None else {"tieline-no-result": quote(answer.missing(), safe=" ,.:;'()")}


class Questions:
    """The questions of ``/api/NAME``, parsed with the click commands of the same name."""

    def __init__(self, commands: Mapping[str, click.Command]):
        self.commands = {name: commands[name] for name in QUESTIONS}
        self.options = {name: _options(command) for name, command in self.commands.items()}

    def parse(self, name: str, items: Sequence[tuple[str, str]]) -> Asked:
        """The question ``name`` with the query string's ``items``; UsageError as the CLI would say it."""
        if name not in self.commands:
            raise UsageError(f"no question {name!r}{suggest(name, list(self.commands))}; "
                             f"known: {', '.join(self.commands)}")
        command = self.commands[name]
        try:
            context = command.make_context(name, self._argv(name, items), resilient_parsing=False)
        except click.ClickException as exc:
            raise UsageError(exc.format_message()) from None
        params = context.params
        question = QUESTIONS[name]
        own = {p.name: p.default for p in list(inspect.signature(question).parameters.values())[2:]}
        arguments = {key: (default if params.get(key) is None else
                           tuple(params[key]) if isinstance(params[key], list) else params[key])
                     for key, default in own.items() if key in params}
        _check_bounds(name, params)
        view = view_spec({k: v for k, v in params.items() if k not in own and k not in SERVER_OWN})
        return Asked(name, question, arguments, view)

    def _argv(self, name: str, items: Sequence[tuple[str, str]]) -> list[str]:
        """The command line that asks the same: options first, then ``--`` and the arguments."""
        given: dict[str, list[str]] = {}
        for key, value in items:
            if len(value) > MAX_TEXT:
                raise UsageError(f"{key}: at most {MAX_TEXT} characters here")
            given.setdefault(key, []).append(value)
        aliases, options = ARGUMENTS[name], self.options[name]
        argv: list[str] = []
        for key, values in given.items():
            if key in aliases:
                continue
            option = options.get(key)
            if option is None:
                known = [*aliases, *options]
                raise UsageError(f"{name} takes no parameter {key!r}{suggest(key, known)}; it takes {', '.join(known)}")
            argv.extend(_option_argv(key, option, values))
        positional: list[str] = []
        for param in self.commands[name].params:
            if isinstance(param, click.Argument):
                key = next(k for k, target in aliases.items() if target == param.name)
                values = given.get(key, [])
                if param.nargs == 1 and len(values) > 1:
                    raise UsageError(f"{key} given {len(values)} times: {name} takes one")
                positional.extend(values)
        return [*argv, "--", *positional]


def _options(command: click.Command) -> dict[str, click.Option]:
    """A command's options by their long name without ``--``, but those the server decides."""
    found = {}
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in SERVER_OWN:
            long = [opt for opt in param.opts if opt.startswith("--")]
            if long:
                found[long[0][2:]] = param
    return found


def _option_argv(key: str, option: click.Option, values: list[str]) -> list[str]:
    """The command-line words of one option given ``values`` in the query string."""
    if not option.multiple and len(values) > 1 and option.nargs == 1:
        raise UsageError(f"{key} given {len(values)} times: give it once")
    if option.is_flag:
        words = []
        for value in values:
            if value.lower() not in _TRUE | _FALSE:
                raise UsageError(f"{key}={value!r}: write {key}=1 or {key}=0")
            if value.lower() in _TRUE:
                words.append(f"--{key}")
        return words[:1]
    if option.nargs > 1:  # --between FROM TO: between=FROM&between=TO, or between=FROM,TO
        parts = values[0].split(",") if len(values) == 1 else values
        if len(parts) != option.nargs:
            raise UsageError(f"{key} takes {option.nargs} values: {key}=A&{key}=B (or {key}=A,B)")
        return [f"--{key}", *parts]
    return [f"--{key}={value}" for value in values]


def _check_bounds(name: str, params: Mapping[str, Any]) -> None:
    """UsageError when a request asks for more than the server answers (:data:`BOUNDS`)."""
    for key, most in BOUNDS.items():
        value = params.get(key)
        size = len(value) if isinstance(value, (list, tuple)) else value
        if isinstance(size, int) and not isinstance(size, bool) and size > most:
            raise UsageError(f"{name}: {key.replace('_', '-')} {size} is more than this server answers "
                             f"(at most {most}: it bounds every request)")
