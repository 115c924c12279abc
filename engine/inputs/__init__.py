"""Reading learner records: ``decoding``, ``headings`` (matching headings to fields), the
``records`` every reader hands over, CSV and file objects (``readers``), JSON Lines
(``jsonlines``) and Python mappings (``mappings``), with ``keys`` matching keyed records to
fields."""
