"""lrsrules: check learner records against the LRS data standards, with the rules as data.

    import lrsrules
    run = lrsrules.validate([{"ULN": "1000000042"}])      # a path, a file or mappings
    print(list(run), run.summary)

The stages, one folder each: ``packs`` (YAML with positions, shape check, loader) ->
``lang`` (parse, check, compile expressions) -> ``inputs`` (read records) -> ``run`` (the
one pipeline: records to findings, waivers, summary) -> ``report`` (write them). ``batch``
(LRS batch files) and ``authoring`` (tools for pack authors) are built on those; ``api``
is the small facade exported here. The library never prints.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrsrules.api import check_batch, is_valid, load_pack, validate
    from lrsrules.errors import EngineError, InputError, Location, PackError, Problem
    from lrsrules.findings import SEVERITIES, Finding
    from lrsrules.inputs.records import Record
    from lrsrules.packs.waivers import WaiverSet, load_waivers
    from lrsrules.run.findings import RunInfo, Summary
    from lrsrules.run.pipeline import Checked, Run
    from lrsrules.run.program import CompiledPack

# Where each name is defined: imported on first use (PEP 562), so that importing a part of
# lrsrules (the command line's start, a worker process) does not import all of it.
_DEFINED_IN = {
    "check_batch": "api", "is_valid": "api", "load_pack": "api", "validate": "api",
    "EngineError": "errors", "InputError": "errors", "Location": "errors",
    "PackError": "errors", "Problem": "errors",
    "SEVERITIES": "findings", "Finding": "findings",
    "Record": "inputs.records",
    "WaiverSet": "packs.waivers", "load_waivers": "packs.waivers",
    "RunInfo": "run.findings", "Summary": "run.findings",
    "Checked": "run.pipeline", "Run": "run.pipeline",
    "CompiledPack": "run.program",
}

__all__ = [
    "SEVERITIES",
    "Checked",
    "CompiledPack",
    "EngineError",
    "Finding",
    "InputError",
    "Location",
    "PackError",
    "Problem",
    "Record",
    "Run",
    "RunInfo",
    "Summary",
    "WaiverSet",
    "check_batch",
    "is_valid",
    "load_pack",
    "load_waivers",
    "validate",
]


if not TYPE_CHECKING:  # mypy reads the imports above, and flags a name that is not there
    def __getattr__(name: str) -> object:
        module = _DEFINED_IN.get(name)
        if module is None:
            raise AttributeError(f"module 'lrsrules' has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(f"lrsrules.{module}"), name)
        globals()[name] = value  # found directly from now on
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
