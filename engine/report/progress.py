"""A progress line on a terminal while a run reads a big input: records read, records a
second, and how far through the file (from the bytes its reader has taken).

It is drawn by a thread of its own a few times a second, from two numbers the run keeps
anyway, so the run itself does no work for it; it appears only once a run has read
``after_records`` records, and is wiped before the report's summary is written. The
caller decides whether the stream is a terminal that nothing else is writing to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

# Records read so far, and (bytes read, size) of the input when known.
Counts = Callable[[], tuple[int, tuple[int, int] | None]]

AFTER_RECORDS = 5_000  # smaller runs end before a progress line would help
_EVERY = 0.2  # seconds between redraws
_BAR = 24  # characters of the bar
_CLEAR = "\r\x1b[K"


class Progress:
    """Use as a context manager around the loop that reads the run; a no-op unless
    ``enabled``."""

    def __init__(self, stream: TextIO | None, counts: Counts, *, enabled: bool,
                 after_records: int = AFTER_RECORDS) -> None:
        self._stream = stream
        self._counts = counts
        self._enabled = enabled and stream is not None
        self._after = after_records
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        self._started = 0.0
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        self._marks = ("█", "░") if encoding.startswith("utf") else ("#", "-")

    def __enter__(self) -> Progress:
        if self._enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="lrsrules-progress",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self._write(_CLEAR)

    def _run(self) -> None:
        while not self._stop.wait(_EVERY):
            records, read = self._counts()
            if records < self._after:
                continue
            line = progress_line(records, read, time.monotonic() - self._started, self._marks)
            if not self._write(_CLEAR + line):
                return
            self._drawn = True

    def _write(self, text: str) -> bool:
        stream = self._stream
        try:
            if stream is not None:
                stream.write(text)
                stream.flush()
                return True
        except (OSError, ValueError):  # standard error closed or gone: stop drawing
            pass
        return False


def progress_line(records: int, read: tuple[int, int] | None, seconds: float,
                  marks: tuple[str, str] = ("#", "-")) -> str:
    """The line drawn: a bar and percentage when the input's size is known, then the
    records read and the rate."""
    rate = f"{records / seconds:,.0f} records/s" if seconds > 0 else ""
    counted = f"{records:,} records"
    if read is None or read[1] <= 0:
        return f"checking: {counted}  {rate}".rstrip()
    share = min(read[0] / read[1], 1.0)
    done = round(share * _BAR)
    bar = marks[0] * done + marks[1] * (_BAR - done)
    return f"{bar} {share:4.0%}  {counted}  {rate}".rstrip()
