"""Where reports go: standard output, a stream the user names (``/dev/null``, a pipe), or a
file written whole beside its target and renamed into place.

Every check is made before anything is written: an output that is an input, a folder, a
missing folder, a block device or a socket is refused with exit 2. A regular file is
never left half-written: the report goes to a temporary file in the same folder, which is
renamed over the target only once it is complete and on disk; on any error or signal the
temporary file is removed and the old target stays as it was. Character devices and
pipes are written straight to (renaming a file over ``/dev/null`` would replace the
device); a pipe without a reader is refused rather than waited on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import os
import signal
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from lrsrules.errors import EngineError, Location
from lrsrules.report.listing import Listing, listed
from lrsrules.report.progress import Progress
from lrsrules.report.reporters import Reporter, StatisticsReporter
from lrsrules.run.pipeline import Run

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# What the user can do about a failed write, by errno (the message says what happened).
_HINTS = {
    errno.ENOSPC: "free some space on that disk, or write the report elsewhere",
    errno.EDQUOT: "your disk quota is used up: free some space, or write the report elsewhere",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "that disk is read-only: write the report elsewhere",
    errno.EFBIG: "the report is too big for that disk: write it elsewhere, or use jsonl",
    errno.ENAMETOOLONG: "choose a shorter file name",
}
_NAME_CHARS = 64  # of the target's name kept in the temporary file's name


class OutputError(EngineError):
    """A report cannot be written where it was asked to go."""

    quote_source = False  # an output has no source line to show


class _Sink(io.FileIO):
    """A file descriptor whose write errors name the output (a broken pipe stays itself,
    so that the CLI can stop quietly)."""

    def __init__(self, fd: int, shown: str, *, closefd: bool = True, kept: bool = False
                 ) -> None:
        super().__init__(fd, "w", closefd=closefd)
        self.shown = shown
        self.kept = kept  # a temporary file: the target is left as it was

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _write_error(self.shown, exc, kept=self.kept) from exc


def _text(sink: _Sink, *, encoding: str = "utf-8", newline: str | None = "",
          line_buffering: bool = False) -> TextIO:
    # backslashreplace: a lone surrogate (a JSON input can hold one) is written as its
    # escape, which is also what JSON would have written, rather than ending the run.
    return io.TextIOWrapper(io.BufferedWriter(sink, 1 << 16), encoding=encoding,
                            errors="backslashreplace", newline=newline,
                            line_buffering=line_buffering)


@dataclasses.dataclass(eq=False)
class Output:
    """One report being written to ``stream``: ``commit`` puts it in place (a no-op but a
    flush for streams); ``discard`` drops it. ``folder`` is where the target lives (for
    spools that should use the target's disk), None for streams."""

    stream: TextIO
    shown: str
    folder: str | None = None
    temp: Path | None = None
    target: Path | None = None
    closes: bool = True
    done: bool = False

    def commit(self) -> None:
        if self.done:
            return
        try:
            self.stream.flush()
            if self.temp is not None and self.target is not None:
                os.fsync(self.stream.fileno())  # never an empty file in place after a crash
                self.stream.close()
                os.replace(self.temp, self.target)
            elif self.closes:
                self.stream.close()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _write_error(self.shown, exc, kept=self.temp is not None) from exc
        self.done = True

    def discard(self) -> None:
        if self.done:
            return
        self.done = True
        if self.closes or self.temp is not None:
            # The error that brought us here is the one to report.
            with contextlib.suppress(OSError, OutputError):
                self.stream.close()
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)


def open_output(output: Path | None, *, inputs: Iterable[Path | str] = ()) -> Output:
    """Check ``output`` (None or ``-``: standard output) and open it for writing.

    Raises ``OutputError`` when it names one of ``inputs`` (files, or paths still to be
    written), a folder, a missing folder, a block device, a socket, a pipe nobody reads,
    or a place where no file can be created."""
    if output is None or str(output) == "-":
        return _stdout("standard output")
    shown = str(output)
    where = Location(shown)
    found = _stat(output, shown)
    mode = 0 if found is None else found.st_mode
    if found is not None and _same_as_fd(found, 1):  # /dev/stdout, /dev/fd/1 ...
        return _stdout(shown)
    if found is not None and _same_as_fd(found, 2):
        return _stderr(shown)
    if stat.S_ISDIR(mode):
        raise OutputError("the output is a folder", where,
                          hint=f"give a file name, e.g. {Path(shown) / 'report.txt'}")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return _stream(output, shown, fifo=stat.S_ISFIFO(mode))
    if found is not None and not stat.S_ISREG(mode):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket" \
            if stat.S_ISSOCK(mode) else "not a file"
        raise OutputError(f"the output is {kind}", where,
                          hint="write the report to a file, a pipe or standard output (-)")
    target = output.resolve()
    for source in inputs:
        if _same_file(target, found, Path(source)):
            raise OutputError("the output is an input file; it would be overwritten", where,
                              hint="write the report to another file")
    return _new_file(target, shown, found)


def with_case_files(files: Iterable[Path | str]) -> tuple[Path, ...]:
    """Pack files and the files of cases kept beside them (``tests/*.yaml``): every file a
    command on packs reads, none of which an output may replace."""
    found = [Path(name) for name in files]
    for name in list(found):
        folder = name.parent / "tests"
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    return tuple(dict.fromkeys(found))


@contextmanager
def pending_output(output: Path | None, *, inputs: Iterable[Path | str] = ()
                   ) -> Iterator[Output]:
    """``open_output`` as a context: what is not committed by the end is discarded."""
    opened: Output | None = None
    try:
        with signals_held():  # a signal between creating the temporary and here would leak it
            opened = open_output(output, inputs=inputs)
        yield opened
    finally:
        if opened is not None:
            opened.discard()


_HELD = frozenset({signal.SIGINT, signal.SIGTERM, *(
    [signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])})


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back while a file is created and handed over: one
    that arrives meanwhile is delivered on the way out, once the file is in the hands of
    the code that removes it."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextmanager
def report_stream(output: Path | None, *, inputs: Iterable[Path | str] = ()
                  ) -> Iterator[TextIO]:
    """Yield a text stream; a file appears only when the whole report was written."""
    with pending_output(output, inputs=inputs) as opened:
        yield opened.stream
        opened.commit()


def write_report(run: Run, format: Enum, output: Path | None, *, show_values: bool,
                 inputs: tuple[Path, ...], statistics: bool = False,
                 listing: Listing | None = None, color: str = "never",
                 quiet: bool = False) -> None:
    """Write ``run``'s findings and summary as ``format`` to ``output`` (or stdout).

    With ``statistics``, only the counts by rule and field (text, or json). ``listing`` says
    which findings are listed (all are counted); ``color`` (auto, always, never) whether a
    text report uses the terminal layout; a progress line goes to a terminal's standard
    error unless ``quiet``."""
    format_name = str(format.value)
    if statistics and format_name not in ("text", "json"):
        raise typer.BadParameter(f"--statistics prints text or json, not {format_name}",
                                 param_hint="'--format'")
    with run, pending_output(output, inputs=(*inputs, *run_inputs(run))) as opened:
        name = str(inputs[0]) if inputs else run.source.path
        with signals_held():  # a reporter half made (its spool) cannot be closed cleanly
            chosen = _reporter(opened, format_name, name, show_values=show_values,
                               statistics=statistics, color=color)
        with listed(chosen, None if statistics else listing) as reporter:
            reporter.start(dataclasses.replace(run.info, show_values=show_values))
            add = reporter.add
            shows = not quiet and _shows_progress(opened, reporter)
            # Workers may write their parts' findings for the report (run.rendering).
            renderer = reporter.part_renderer()
            with Progress(sys.stderr, run.records_read_and_bytes, enabled=shows):
                if renderer is None:
                    for finding in run:  # reading records may fail too: not the report's
                        try:
                            add(finding)
                        except OSError as exc:
                            raise spool_error(opened, exc) from exc
                else:
                    write = reporter.stream.write
                    for item in run.reported(renderer):
                        try:
                            if isinstance(item, str):
                                write(item)
                            else:
                                add(item)
                        except OSError as exc:
                            raise spool_error(opened, exc) from exc
            with spooling(opened):
                reporter.finish(run.summary)
        opened.commit()


def _reporter(opened: Output, format_name: str, name: str, *, show_values: bool,
              statistics: bool, color: str) -> Reporter:
    """The reporter that writes ``format_name`` to ``opened``: the counts alone with
    ``statistics``, the terminal layout for text on a terminal (see ``terminal_style``)."""
    if statistics:
        return StatisticsReporter(opened.stream, as_json=format_name == "json")
    style = terminal_style(color, opened.stream) if format_name == "text" else None
    if style is None:
        from lrsrules.report.formats import reporter_class  # each imported when used

        return reporter_class(format_name)(opened.stream, show_values=show_values,
                                           source_name=name, spool_dir=opened.folder)
    from lrsrules.report.terminal import TerminalReporter  # rich, only for a terminal

    return TerminalReporter(opened.stream, colour=style == "colour", show_values=show_values,
                            source_name=name, spool_dir=opened.folder)


def terminal_style(color: str, stream: TextIO) -> str | None:
    """How a text report looks on ``stream``: None for today's plain lines (piped, a file,
    ``never``), "colour" or "plain" for the terminal layout with or without colour.

    ``always`` wins over the environment; with ``auto``, FORCE_COLOR (set, not 0) makes any
    stream a terminal and NO_COLOR (non-empty) keeps the layout but drops the colour."""
    if color == "never":
        return None
    if color == "always":
        return "colour"
    forced = os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false")
    if not (_isatty(stream) or forced):
        return None
    return "plain" if os.environ.get("NO_COLOR") else "colour"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def _shows_progress(opened: Output, reporter: Reporter) -> bool:
    # Only a terminal reads a progress line; not one the report itself goes to as it is
    # written (lines would tear it), nor standard error when the report goes there.
    err = sys.stderr
    if err is None or not _isatty(err) or opened.stream is err:
        return False
    return not (reporter.streams and _isatty(opened.stream))


def spool_error(opened: Output, exc: OSError, folder: str | None = None
                ) -> OutputError | OSError:
    """What to raise for ``exc``, raised while a report was put in ``opened`` or in its
    spool, kept in ``folder`` (default: the output's); the stream's own errors are
    already ``OutputError``s."""
    if isinstance(exc, BrokenPipeError):
        return exc
    if not (where := folder or opened.folder):
        import tempfile  # imported when needed: start-up is most of a small run

        where = tempfile.gettempdir()
    return _write_error(opened.shown, exc, kept=opened.temp is not None,
                        what=f"the report cannot be held in folder {where} until it is "
                        "complete")


@contextmanager
def spooling(opened: Output, folder: str | None = None) -> Iterator[None]:
    """Errors of a report's spool, named as ``spool_error`` names them."""
    try:
        yield
    except OSError as exc:
        raise spool_error(opened, exc, folder) from exc


def run_inputs(run: Run) -> tuple[str, ...]:
    """The files a run reads besides its records: the pack's, the waivers, the layout."""
    files = list(run.compiled.pack.files)
    if run.waivers is not None and run.waivers.path:
        files.append(run.waivers.path)
    # A batch run has imported lrsrules.batch.check; a validate run need not import it.
    batch = sys.modules.get("lrsrules.batch.check")
    if batch is not None and isinstance(run.source, batch.BatchRecords):
        files.append(run.source.batch.layout.path)
    return tuple(files)


# --- the kinds of output --------------------------------------------------------------------

def _stdout(shown: str) -> Output:
    stream = sys.stdout
    if stream is None:
        raise OutputError("standard output is closed", Location(shown),
                          hint="give a file with --output")
    stream.flush()
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation: a stream in memory (tests)
        return Output(stream, shown, closes=False)
    # Our own wrapper of fd 1, so that a full disk is reported by name, not as a crash.
    sink = _Sink(fd, shown, closefd=False)
    return Output(_text(sink, encoding=stream.encoding, newline=None,
                        line_buffering=bool(stream.line_buffering)), shown)


def _stderr(shown: str) -> Output:
    stream = sys.stderr
    if stream is None:
        raise OutputError("standard error is closed", Location(shown),
                          hint="give a file with --output")
    stream.flush()
    return Output(stream, shown, closes=False)


def _stream(output: Path, shown: str, *, fifo: bool) -> Output:
    # Non-blocking open: a pipe nobody reads fails at once (ENXIO) instead of hanging.
    flags = os.O_WRONLY | os.O_CLOEXEC | (os.O_NONBLOCK if fifo else 0)
    try:
        fd = os.open(output, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError("the output is a pipe that nobody reads", Location(shown),
                              hint="start its reader first") from None
        raise OutputError(f"the output cannot be opened: {_reason(exc)}", Location(shown),
                          hint=_HINTS.get(exc.errno or 0)) from None
    if fifo:
        os.set_blocking(fd, True)
    return Output(_text(_Sink(fd, shown)), shown)


def _new_file(target: Path, shown: str, existing: os.stat_result | None) -> Output:
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"the output's folder {folder} {what}", Location(shown),
                          hint="a file stands where the folder should be: give another path"
                          if folder.exists() else f"create the folder first (mkdir -p {folder})")
    import tempfile  # imported when a report goes to a file: start-up is most of a small run

    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:_NAME_CHARS]}.", suffix=".tmp",
                                    dir=folder)
    except OSError as exc:
        raise OutputError(f"no file can be created in folder {folder}: {_reason(exc)}",
                          Location(shown),
                          hint=_HINTS.get(exc.errno or 0)) from None
    temp = Path(name)
    try:
        _set_mode(fd, existing)
        stream = _text(_Sink(fd, shown, kept=True))
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    return Output(stream, shown, folder=str(folder), temp=temp, target=target)


def _set_mode(fd: int, existing: os.stat_result | None) -> None:
    """mkstemp makes files 0600: give a new report the mode the umask allows, and a
    replaced one the mode (and owner, when we may) of the file it replaces, so a report
    someone made private stays private."""
    if existing is None:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, existing.st_uid, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _umask() -> int:
    # Linux shows it without changing it; elsewhere, set a strict one for the moment it
    # takes to read the old (a file another thread made meanwhile would be private).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


# --- checks -----------------------------------------------------------------------------------

def _stat(output: Path, shown: str) -> os.stat_result | None:
    try:
        return output.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new file (_new_file says what is wrong with its folder)
    except OSError as exc:
        raise OutputError(f"the output cannot be looked at: {_reason(exc)}", Location(shown),
                          hint=_HINTS.get(exc.errno or 0)) from None


def _same_as_fd(found: os.stat_result, fd: int) -> bool:
    try:
        return os.path.samestat(found, os.fstat(fd))
    except OSError:
        return False


def _same_file(target: Path, found: os.stat_result | None, source: Path) -> bool:
    try:
        if source.resolve() == target:
            return True
        return found is not None and os.path.samestat(found, source.stat())
    except OSError:
        return False  # an input that cannot be looked at is not this output


def _reason(exc: OSError) -> str:
    code = errno.errorcode.get(exc.errno or 0)
    text = exc.strerror or type(exc).__name__
    return f"{text.lower()} ({code})" if code else text.lower()


def _write_error(shown: str, exc: OSError, *, kept: bool = False,
                 what: str = "the report cannot be written") -> OutputError:
    # A file is written whole or not at all; a stream may have had part of the report.
    outcome = (f"the report was not saved, and any earlier {Path(shown).name} is as it was"
               if kept else "what was written there is incomplete")
    return OutputError(f"{what}: {_reason(exc)}; {outcome}", Location(shown),
                       hint=_HINTS.get(exc.errno or 0))
