"""NumExpr / numjit.compile: fixed input types, positional calls, pickling."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

import numjit


def test_numexpr_signature_and_call():
    f = numjit.NumExpr("2*a + 3*b*c", [("a", np.double), ("b", np.double), ("c", np.double)])
    x = f(np.array([1.0, 2, 3]), np.array([4.0, 5, 6]), np.array([7.0, 8, 9]))
    np.testing.assert_array_equal(x, [86.0, 124.0, 168.0])
    assert f.input_names == ("a", "b", "c")
    np.testing.assert_array_equal(f.run(np.ones(2), np.ones(2), np.ones(2)), [5.0, 5.0])


def test_numexpr_type_table():
    # numexpr's table: Python float is float32, int is int32; NumPy types as named
    f = numjit.NumExpr("a + b", [("a", float), ("b", np.float32)])
    assert f.signature == [("a", "float32"), ("b", "float32")]
    assert f.dtype == np.float32
    g = numjit.compile("a + b", {"a": float, "b": "int32"})  # NumPy's table
    assert g.signature == [("a", "float64"), ("b", "int32")]


def test_default_types_and_order():
    f = numjit.NumExpr("y - x")
    assert f.input_names == ("x", "y")  # sorted, float64
    np.testing.assert_array_equal(f(np.ones(2), np.full(2, 3.0)), [2.0, 2.0])


def test_inputs_converted_under_casting():
    f = numjit.NumExpr("2.0*a + 3.0*c", [("a", np.double), ("c", np.double)])
    a = np.arange(100).reshape(10, 10)[::2]  # int64, strided
    c = np.arange(10)
    np.testing.assert_array_equal(f(a, c), 2.0 * a + 3.0 * c)
    np.testing.assert_array_equal(f(3.0, 4.0), 18.0)
    g = numjit.NumExpr("a + 1", [("a", np.int32)])
    with pytest.raises(TypeError):
        g(np.arange(3.0))  # float64 → int32 is not 'safe'


def test_signature_must_match_names():
    with pytest.raises(ValueError):
        numjit.NumExpr("a + b", [("a", np.double)])
    with pytest.raises(ValueError):
        numjit.NumExpr("a", [("a", np.double)])(np.ones(2), np.ones(2))


def test_out_and_keywords():
    f = numjit.NumExpr("a * 2", [("a", np.double)])
    out = np.empty(3)
    r = f(np.arange(3.0), out=out, order="K", casting="safe", ex_uses_vml=False)
    assert r is out
    np.testing.assert_array_equal(out, [0.0, 2.0, 4.0])


def test_pickle_round_trip_in_process():
    f = numjit.compile("where(m, a, -a)", [("m", np.bool_), ("a", np.float32)])
    g = pickle.loads(pickle.dumps(f))
    assert g.signature == f.signature and g.source == f.source
    m = np.array([True, False, True])
    a = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(g(m, a), f(m, a))


def test_pickle_round_trip_across_processes():
    f = numjit.NumExpr("a*a + b", [("a", np.int64), ("b", np.int64)])
    code = (
        "import pickle, sys, numpy as np\n"
        "f = pickle.loads(sys.stdin.buffer.read())\n"
        "print(f(np.arange(4), np.ones(4, dtype=np.int64)).tolist())\n"
    )
    p = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(f),
                       capture_output=True, check=True)
    assert p.stdout.decode().strip() == "[1, 2, 5, 10]"


def test_explain_and_repr():
    f = numjit.compile("a + 1", [("a", np.float64)])
    assert "source: a + 1" in f.explain()
    assert "float64" in repr(f)
    assert numjit.disassemble(f) == f.explain()
