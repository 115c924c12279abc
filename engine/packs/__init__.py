"""Rule packs as data: YAML with positions, discovery, the shape check, the loader with its
includes and overlays, versions in force, and waiver files. Imports only ``lrsrules.errors``
and ``lrsrules.dates``."""
