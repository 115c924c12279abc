"""Reading learner records: ``decoding``, ``headings`` (matching headings to fields), the
``records`` every reader hands over, CSV (``readers``) and JSON Lines (``jsonlines``)."""
