"""Running a pack: ``program`` (a pack prepared to run), ``runner`` (records to findings),
``findings``, ``waiving`` (waivers applied to a run), ``fixes`` and ``pipeline`` (the one run
every command and the library API use); ``cache`` keeps prepared packs on disk, pickled
by ``packpickle``."""
