"""Reading a model's ``.skops`` file without importing skops.

``skops.io`` imports scikit-learn for the loaders of scikit-learn's own types,
about 100 MB resident, into a worker that needs neither: a model file holds
one dict of numpy arrays and plain values (:func:`artifact.save`). This reader
knows exactly those parts of skops' format (protocol 2, the one skops 0.16
writes) and nothing else:

* ``DictNode`` of ``builtins.dict`` whose keys are ``str`` or ``int``;
* ``ListNode`` and ``TupleNode`` of ``builtins.list`` and ``builtins.tuple``;
* ``JsonNode`` holding a string, a number, a boolean or None;
* ``NdArrayNode`` of ``numpy.ndarray`` stored as a ``.npy`` member, read with
  ``allow_pickle=False`` (no object arrays);
* an object stored once and referred to again by its ``__id__``.

Every one of them is a type skops itself loads with ``trusted=[]``, and the
result is the same object skops would build (tested). Anything else raises
:class:`NotPlain`, and the caller hands the file to ``skops.io.load``, which
decides. The file's hash is checked against its card before either reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import numpy as np

PROTOCOL = 2
_PLAIN = (str, int, float, bool, type(None))
_JSON_KINDS = frozenset(f"builtins.{t.__name__}" for t in _PLAIN)
_KEY_TYPES: dict[str, type] = {"str": str, "int": int}


class NotPlain(Exception):
    """The file holds something this reader does not read; skops may."""


def load(path: Path) -> Any:
    """The object stored in the ``.skops`` file at ``path``."""
    with ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
        if not isinstance(schema, dict) or schema.get("protocol") != PROTOCOL:
            raise NotPlain(f"protocol {_get(schema, 'protocol')!r}")
        return _Reader(archive).read(schema)


def _get(state: Any, key: str) -> Any:
    return state.get(key) if isinstance(state, dict) else None


class _Reader:
    def __init__(self, archive: ZipFile) -> None:
        self.archive = archive
        # skops builds an object once per ``__id__``; a later node with the same
        # id (a CachedNode, or the same state written again) is that object.
        self.seen: dict[int, Any] = {}

    def read(self, state: Any) -> Any:
        if not isinstance(state, dict):
            raise NotPlain(f"a node that is a {type(state).__name__}")
        saved_id = state.get("__id__")
        if saved_id is not None and saved_id in self.seen:
            return self.seen[saved_id]
        loader = state.get("__loader__")
        kind = f"{state.get('__module__')}.{state.get('__class__')}"
        if loader == "JsonNode" and kind in _JSON_KINDS:
            value = json.loads(state["content"])
            if not isinstance(value, _PLAIN):
                raise NotPlain(f"JSON content of type {type(value).__name__}")
        elif loader == "NdArrayNode" and kind == "numpy.ndarray":
            value = self._array(state)
        elif loader == "ListNode" and kind == "builtins.list":
            value = [self.read(item) for item in state["content"]]
        elif loader == "TupleNode" and kind == "builtins.tuple":
            value = tuple(self.read(item) for item in state["content"])
        elif loader == "DictNode" and kind == "builtins.dict":
            value = self._dict(state)
        else:
            raise NotPlain(f"{loader} of {kind}")
        if saved_id is not None:
            self.seen[saved_id] = value
        return value

    def _array(self, state: dict[str, Any]) -> Any:
        if state.get("type") != "numpy":
            raise NotPlain(f"an array stored as {state.get('type')!r}")
        # Read from the compressed member in small chunks: never the whole
        # member as bytes beside the array made from it.
        with self.archive.open(state["file"]) as member:
            return np.lib.format.read_array(member, allow_pickle=False)

    def _dict(self, state: dict[str, Any]) -> dict[Any, Any]:
        key_types = state["key_types"]
        if _get(key_types, "__loader__") != "ListNode":
            raise NotPlain("dict keys without a list of their types")
        types = []
        for key_type in key_types["content"]:
            name = _get(key_type, "__class__")
            if (
                _get(key_type, "__loader__") != "TypeNode"
                or _get(key_type, "__module__") != "builtins"
                or name not in _KEY_TYPES
            ):
                raise NotPlain(f"a dict key of type {name!r}")
            types.append(_KEY_TYPES[name])
        content = state["content"]
        if not isinstance(content, dict) or len(types) != len(content):
            raise NotPlain("dict keys and their types do not match")
        return {
            key_type(key): self.read(value)
            for key_type, (key, value) in zip(types, content.items(), strict=True)
        }
