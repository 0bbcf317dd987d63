"""The YAML front end: scenario bytes → plain data plus the source position of every value.

Its modules, in the order a file passes through them:

* :mod:`._source` checks the bytes (size, encoding, control characters), so PyYAML only
  ever sees checked text;
* :mod:`._builder` builds plain ``dict``/``list``/``str``/``None`` data from PyYAML's
  event stream, refusing tags, anchors, aliases, deep nesting and duplicate keys;
* :mod:`._syntax` turns PyYAML's syntax errors into located diagnostics;
* :mod:`._document` holds the result (:class:`YamlDocument`) and the entry points.

Imports flow one way: this subpackage uses only :mod:`simulator.errors` and PyYAML; it
knows nothing of the scenario schema, quantities or expressions, which read its output.
"""

from simulator.scenario.yaml._builder import MAX_DEPTH
from simulator.scenario.yaml._document import (
    PartialParse,
    YamlDocument,
    load_yaml,
    load_yaml_file,
    parse_partial,
)
from simulator.scenario.yaml._source import MAX_BYTES, decode_source, read_limited

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "PartialParse",
    "YamlDocument",
    "decode_source",
    "load_yaml",
    "load_yaml_file",
    "parse_partial",
    "read_limited",
]
