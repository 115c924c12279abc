"""Test-session settings shared by every test module."""

from __future__ import annotations

import os
import tempfile

# The command line keeps prepared packs in the user's cache folder: tests (and the
# processes they start) use a folder of their own, never the developer's.
os.environ["LRSRULES_CACHE_DIR"] = tempfile.mkdtemp(prefix="lrsrules-test-cache-")
