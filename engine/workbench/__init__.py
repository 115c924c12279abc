"""The browser workbench (``lrsrules workbench``): read, edit, check, test and save rules.

A small ASGI app (Starlette, served by uvicorn on 127.0.0.1) for governance staff who edit
packs without a terminal. The web layer (``app``, ``security``) only composes the library:
``workspace`` asks the loader, the checker (``lrsrules check``'s ``lint_packs``), the pack
test runner, ``packdiff``, ``impact`` and ``explain`` about a pack file and an edit not yet
saved; ``splice`` writes the edit into the file. Starlette and Jinja2 are the
``lrsrules[workbench]`` extra: only ``app`` and ``security`` import them.
"""
