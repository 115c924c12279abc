"""Where a finding is, as CI systems want it: the input's path relative to the working
folder (where a CI job checks out its repository), written with forward slashes."""

from __future__ import annotations

import os
from pathlib import Path, PurePath


def relative_path(path: str) -> str:
    """``path`` relative to the working folder when it lies inside it, else as given."""
    if not path or path.startswith("<"):  # "<stream>", "<input>": not a file
        return path
    try:
        shown = os.path.relpath(Path(path).resolve(), Path.cwd().resolve())
    except (OSError, ValueError):  # another drive (Windows), a working folder gone
        return PurePath(path).as_posix()
    if shown == os.pardir or shown.startswith(os.pardir + os.sep):
        return PurePath(path).as_posix()
    return PurePath(shown).as_posix()
