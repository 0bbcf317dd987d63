"""Scenario files: the YAML front end, the schema, and the quantity and expression languages.

Subpackages and modules, in the order imports may flow (a later one may import an earlier
one, never the reverse):

1. the leaves, which import none of each other: :mod:`.yaml` (bytes → plain data plus
   positions), :mod:`.schema` (the file's structure as pydantic models),
   :mod:`.quantities` (quantity text → distributions in canonical units),
   :mod:`.expressions` (expression text → checked, compiled closures), and
   :mod:`.horizon` (a fixed horizon, or `until absorbed` with its cap);
2. :mod:`.checks` (static checks that read the schema and parse its text with both
   languages), :mod:`.provenance`, :mod:`.schema_errors`, :mod:`.recover` and
   :mod:`.editor_schema`;
3. :mod:`.load`, which runs every stage of checking a file and gathers all their
   diagnostics (the front door, :mod:`simulator.loading`, sits above the model layer and
   passes in the compiler's checks).

Importing this package imports nothing else, so a caller that needs only one language
(the CLI's start-up, the forecast records) pays only for that one.
"""

__all__: list[str] = []
