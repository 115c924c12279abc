"""lrsrules engine: load rule packs, compile them once, run them over learner records.

Stages, one module each: ``yamlsource`` (YAML with positions) -> ``schema`` (shape check)
-> ``loader`` (includes, lists, ids) -> ``parser`` (expressions to ``nodes``) -> ``checker``
(names, arity, types) -> ``compiler`` (one fast callable per pack) -> ``runner`` (records to
``findings``) -> ``reporters``.  The engine never prints.
"""
