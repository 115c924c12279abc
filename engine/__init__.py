"""lrsrules: check learner records against the LRS data standards, with the rules as data.

The stages, one folder each: ``packs`` (YAML with positions, shape check, loader) ->
``lang`` (parse, check, compile expressions) -> ``inputs`` (read records) -> ``run`` (records
to findings) -> ``report`` (write them). ``batch`` (LRS batch files) and ``authoring``
(tools for pack authors) are built on those. The library never prints.
"""
