"""The ``lrsrules`` command line: a thin typer front end over the ``lrsrules`` library."""
