"""Rule packs as data: YAML with positions, discovery, the shape check, the loader with its
includes and overlays, versions in force, and waiver files. Imports only the base modules
(``errors``, ``findings``, ``dates``)."""
