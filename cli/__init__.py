"""The ``lrsrules`` command line: a thin typer front end over ``lrsrules.engine``."""
