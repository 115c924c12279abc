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

from lrsrules.api import check_batch, is_valid, load_pack, validate
from lrsrules.errors import EngineError, InputError, Location, PackError, Problem
from lrsrules.findings import SEVERITIES, Finding
from lrsrules.inputs.records import Record
from lrsrules.packs.waivers import WaiverSet, load_waivers
from lrsrules.run.findings import RunInfo, Summary
from lrsrules.run.pipeline import Checked, Run
from lrsrules.run.program import CompiledPack

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
