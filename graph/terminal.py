"""THE rules for the process's own streams and arguments, whatever the terminal, the locale or the pipe.

- **Arguments** are decoded as the terminal sent them: bytes that are valid UTF-8 are read as UTF-8
  even when the locale says ASCII or Latin-1 (``search Зеленский`` under ``LC_ALL=C``); others keep
  the locale's reading (:func:`decoded_arguments`).
- **Output** degrades to what the stream's encoding can show, never a ``UnicodeEncodeError``:
  ``→`` becomes ``->``, ``…`` ``...``, other letters their ASCII transliteration (``Зеленский`` →
  ``Zelenskiy``), anything else ``?`` (:func:`prepare_streams`). ``--json`` writes ``\\uXXXX`` escapes
  instead, so the data stays exact (:func:`shows_all`).
- **A closed stdout** (``>&-``): /dev/null holds descriptor 1, so no file tieline opens can take
  it, and an answer written there raises :class:`StdoutClosed` (exit 4, one line on stderr); a
  command that prints nothing on stdout (``export --out``) works as usual.
- **A broken pipe** (``tieline show X | head -c 1``): tieline stops writing, says nothing, and
  exits 141 (:data:`BROKEN_PIPE`, 128 + SIGPIPE, as a Unix tool killed by the signal does), whatever the command.
"""

from __future__ import annotations

import codecs
import io
import os
import sys

__all__ = ["BROKEN_PIPE", "StdoutClosed", "prepare_streams", "decoded_arguments", "shows_all", "degraded"]

BROKEN_PIPE = 141
"""The exit code when stdout's reader went away before the answer was written (128 + SIGPIPE)."""

_HANDLER = "tieline-degrade"
_PLAIN = {"→": "->", "←": "<-", "↔": "<->", "…": "...", "–": "-", "—": "--", "‘": "'", "’": "'", "“": '"',
          "”": '"', "·": ".", "•": "*", "␤": "\\n", "✓": "v", "✗": "x", "≤": "<=", "≥": ">=", "×": "x",
          "\u00a0": " "}
"""Punctuation tieline prints, as ASCII."""


class StdoutClosed(OSError):
    """The answer was written to a stdout that was closed when tieline started (``>&-``)."""


def degraded(char: str) -> str:
    """``char`` as ASCII a reader understands: punctuation spelled out, letters transliterated, else ``?``."""
    if char in _PLAIN:
        return _PLAIN[char]
    try:
        from anyascii import anyascii  # only on a terminal that cannot show the character

        return anyascii(char) or "?"
    except ImportError:
        return "?"


def _degrade(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what the encoding cannot hold, degraded (:func:`degraded`)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = "".join(degraded(char) for char in error.object[error.start:error.end])
    try:  # a transliteration the encoding still cannot hold (rare): question marks
        text.encode(error.encoding)
    except (UnicodeError, LookupError):
        text = "?" * (error.end - error.start)
    return text, error.end


class _Closed(io.TextIOBase):
    """What ``sys.stdout`` is when descriptor 1 was closed: writing to it raises :class:`StdoutClosed`."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, descriptor: int):
        super().__init__()
        self._descriptor = descriptor
        self.buffer = self  # exports write bytes to ``sys.stdout.buffer``

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._descriptor

    def write(self, text: object) -> int:
        raise StdoutClosed(9, "stdout is closed")  # EBADF

    def flush(self) -> None:
        pass


def _hold(descriptor: int) -> bool:
    """Open /dev/null on ``descriptor`` when it is closed (so nothing else gets it); True when it was."""
    try:
        os.fstat(descriptor)
        return False
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    if null != descriptor:
        os.dup2(null, descriptor)
        os.close(null)
    return True


def prepare_streams() -> None:
    """Make stdin, stdout and stderr safe for any terminal, locale or closed descriptor (module doc)."""
    closed = [_hold(descriptor) for descriptor in (0, 1, 2)]
    if closed[1] or sys.stdout is None:
        sys.stdout = _Closed(1)
    if closed[2] or sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    for stream in (sys.stdout, sys.stderr):
        if not shows_all(stream) and hasattr(stream, "reconfigure"):
            _register()
            stream.reconfigure(errors=_HANDLER)


def _register(done: list[bool] = []) -> None:  # noqa: B006 - registered once per process
    if not done:
        codecs.register_error(_HANDLER, _degrade)
        done.append(True)


def shows_all(stream: object) -> bool:
    """Whether ``stream`` can show any character (its encoding is a UTF)."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def decoded_arguments(argv: list[str]) -> list[str]:
    """The command-line arguments, each read as UTF-8 when its bytes are UTF-8 (module doc)."""
    return [_as_sent(argument) for argument in argv]


def _as_sent(argument: str) -> str:
    if argument.isascii():
        return argument
    try:
        raw = os.fsencode(argument)
    except UnicodeError:
        return argument
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return argument
