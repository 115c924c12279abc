"""Where reports go: stdout, or a file written atomically (never over an input file)."""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TextIO

from lrsrules.errors import InputError
from lrsrules.report.reporters import REPORTERS
from lrsrules.run.pipeline import Run


@contextmanager
def report_stream(output: Path | None, *, inputs: tuple[Path, ...] = ()) -> Iterator[TextIO]:
    """Yield a text stream; a file appears only when the whole report was written."""
    if output is None or str(output) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = output.resolve()
    for source in inputs:
        if source.exists() and target.exists() and source.resolve().samefile(target):
            raise InputError(f"--output {output} is an input file; it would be overwritten",
                             hint="write the report to another file")
    if target.is_dir():
        raise InputError(f"--output {output} is a directory", hint="give a file name")
    if not target.parent.is_dir():
        raise InputError(f"--output {output}: folder {target.parent} does not exist")
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_report(run: Run, format: Enum, output: Path | None, *, show_values: bool,
                 inputs: tuple[Path, ...]) -> None:
    """Write ``run``'s findings and summary as ``format`` to ``output`` (or stdout)."""
    with run, report_stream(output, inputs=inputs) as stream:
        reporter = REPORTERS[str(format.value)](stream, show_values=show_values,
                                                source_name=str(inputs[0]))
        reporter.start(dataclasses.replace(run.info, show_values=show_values))
        for finding in run:
            reporter.add(finding)
        reporter.finish(run.summary)
