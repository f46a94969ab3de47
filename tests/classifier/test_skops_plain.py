"""Reading model files without skops: the same objects, and only plain ones."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import numpy as np
import pytest
from skops.io import dump, load

from moderation.classifier import DEFAULT_MODEL_PATH, skops_plain
from moderation.classifier.artifact import _read, save

ROOT = Path(__file__).resolve().parents[2]


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types, dtypes, shapes and key order throughout."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and a.flags.writeable == b.flags.writeable
            and bool(np.array_equal(a, b))
        )
    return bool(a == b)


def test_the_shipped_model_file_reads_as_skops_reads_it() -> None:
    """Every parameter of the shipped model, read without skops, is what
    skops.io.load gives: same keys in the same order, types, dtypes, values."""
    # when
    plain = skops_plain.load(DEFAULT_MODEL_PATH)
    # then
    assert _same(plain, load(DEFAULT_MODEL_PATH, trusted=[]))


def test_a_file_parley_writes_reads_as_skops_reads_it(tmp_path: Path) -> None:
    """Everything a model file may hold (nested dicts, lists and tuples, plain
    values, arrays of several dtypes, int keys, one array under two keys) reads
    the same, and what skops shares stays shared."""
    # given a file written by the installed skops, the way a model is saved
    shared = np.arange(6, dtype=np.float32).reshape(2, 3)
    params = {
        "n_bits": 19,
        "ratio": 0.25,
        "name": "tox",
        "none": None,
        "flags": [True, False],
        "range": (2, 5),
        "nested": {"inner": [1, "two", 3.0], 7: "int key"},
        "f16": np.linspace(-1, 1, 11).astype(np.float16),
        "f64": np.eye(3),
        "i32": np.array([[1, -2], [3, 4]], dtype=np.int32),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "shared": shared,
        "again": shared,
    }
    path = tmp_path / "m.skops"
    save(params, path, card={})
    # when
    plain = skops_plain.load(path)
    # then
    by_skops = load(path, trusted=[])
    assert _same(plain, by_skops)
    assert plain["shared"] is plain["again"]
    assert by_skops["shared"] is by_skops["again"]


@pytest.mark.parametrize(
    "stored",
    [
        {"a set": {1, 2}},
        {"a numpy scalar": np.float64(1.5)},
        {"an object array": np.array(["a", 1], dtype=object)},
        {"a float key": {1.5: "x"}},
    ],
    ids=["set", "numpy-scalar", "object-array", "float-key"],
)
def test_anything_else_is_left_to_skops(tmp_path: Path, stored: Any) -> None:
    """A file holding anything but dicts, lists, tuples, plain values and
    numeric arrays is not read here; the model loader hands it to skops."""
    # given
    path = tmp_path / "other.skops"
    dump(stored, path)
    # when / then
    with pytest.raises(skops_plain.NotPlain):
        skops_plain.load(path)
    if "a set" in stored:
        assert _read(path) == {"a set": {1, 2}}


def test_another_skops_protocol_is_left_to_skops(tmp_path: Path) -> None:
    """A file of another skops protocol is not read here."""
    # given a file that claims protocol 1
    path = tmp_path / "old.skops"
    dump({"n_bits": 19}, path)
    with ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    schema["protocol"] = 1
    with ZipFile(path, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    # when / then
    with pytest.raises(skops_plain.NotPlain, match="protocol 1"):
        skops_plain.load(path)


# Run in a fresh interpreter: this test process has imported skops already.
_PROBE = """
import json, sys
from moderation.classifier import DEFAULT_MODEL_PATH, load_model
model = load_model(DEFAULT_MODEL_PATH)
model.score(["you are an idiot", "thanks for the article"])
model.explain("you are an idiot")
print(json.dumps(sorted(m for m in ("sklearn", "skops") if m in sys.modules)))
"""


def test_a_scoring_process_imports_neither_sklearn_nor_skops() -> None:
    """Loading the shipped model, scoring and explaining need numpy and scipy
    alone: scikit-learn and skops are for training and evaluation."""
    # when
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
