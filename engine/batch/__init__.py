"""LRS batch files: ``layouts`` as data, the readers (``reader``, ``xmlreader``, ``parts``),
file-name and heading rules (``names``, ``headingdiff``), ``check`` and ``fix``."""
