"""numjit.evaluate: numexpr's signature and behaviour, NumPy 2's results."""

import numpy as np
import pytest

import numjit

F = 1e-12


def test_caller_frame_lookup():
    a = np.arange(5.0)
    b = np.arange(5.0) * 2
    np.testing.assert_array_equal(numjit.evaluate("2*a + 3*b"), 2 * a + 3 * b)


G = np.arange(3.0)


def test_globals_lookup_and_local_precedence():
    np.testing.assert_array_equal(numjit.evaluate("G + 1"), G + 1)
    G2 = np.ones(3)  # noqa: F841  (found through the frame)
    np.testing.assert_array_equal(numjit.evaluate("G2 + G"), G + 1)
    np.testing.assert_array_equal(numjit.evaluate("G * 2", local_dict={"G": np.full(3, 5.0)}),
                                  np.full(3, 10.0))


def test_explicit_dicts():
    loc = {"x": np.arange(4, dtype=np.int32)}
    glob = {"y": np.int64(2)}
    r = numjit.evaluate("x * y", local_dict=loc, global_dict=glob)
    assert r.dtype == np.int64
    np.testing.assert_array_equal(r, np.arange(4) * 2)


def test_mapping_local_dict():
    class M:
        def __getitem__(self, k):
            if k == "q":
                return np.arange(3.0)
            raise KeyError(k)
    np.testing.assert_array_equal(numjit.evaluate("q*q", local_dict=M(), global_dict={}),
                                  np.arange(3.0) ** 2)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.float32, np.float64,
                                   np.complex128])
def test_dtypes_match_numpy(dtype):
    x = (np.arange(6) % 3).astype(dtype)
    y = (np.arange(6) % 2 + 1).astype(dtype)
    for ex in ["x + y", "x * y", "x == y"]:
        got = numjit.evaluate(ex, local_dict={"x": x, "y": y})
        want = eval(ex, {}, {"x": x, "y": y})
        assert got.dtype == want.dtype, ex
        np.testing.assert_array_equal(got, want)


def test_python_scalars_are_weak_literals():
    x = np.arange(4, dtype=np.float32)
    s = 2.5
    r = numjit.evaluate("x * s")
    assert r.dtype == np.float32  # NumPy 2 (NEP 50): a Python float does not upcast
    np.testing.assert_array_equal(r, x * s)
    i = np.arange(4, dtype=np.int32)
    k = 3
    assert numjit.evaluate("i * k").dtype == np.int32
    big = 3_000_000_000
    with pytest.raises(OverflowError) as e:
        numjit.evaluate("i * big")
    assert e.value.code == "E0302"


def test_numpy_scalars_are_strong():
    i = np.arange(4, dtype=np.int32)
    k = np.int64(3)
    assert numjit.evaluate("i * k").dtype == np.int64
    f = np.float64(2.0)
    x = np.arange(3, dtype=np.float32)
    assert numjit.evaluate("x * f").dtype == np.float64


def test_literal_value_changes_are_honoured():
    x = np.arange(3.0)
    for s in [1.0, 2.0, 3.0, 2.0]:
        np.testing.assert_array_equal(numjit.evaluate("x * s"), x * s)


def test_lists_go_through_asarray():
    a = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(numjit.evaluate("a * 2"), np.array(a) * 2)


@pytest.mark.parametrize("make", [
    lambda b: b[::2],
    lambda b: b[::-1],
    lambda b: b.reshape(10, 10).T,
    lambda b: np.asfortranarray(b.reshape(10, 10)),
    lambda b: b.reshape(10, 10)[::-3, 1::2],
    lambda b: np.broadcast_to(b[:10], (7, 10)),
])
def test_layouts_zero_copy_results(make):
    base = np.arange(100.0)
    x = make(base)
    np.testing.assert_array_equal(numjit.evaluate("x*2 + 1"), x * 2 + 1)


def test_odd_layouts_are_copied_correctly():
    rec = np.zeros(5, dtype=[("a", "i1"), ("b", "f8")])
    rec["b"] = np.arange(5)
    b = rec["b"]  # stride 9 bytes, unaligned
    np.testing.assert_array_equal(numjit.evaluate("b + 1"), np.arange(5) + 1.0)
    be = np.arange(5, dtype=">f8")
    np.testing.assert_array_equal(numjit.evaluate("be * 2"), np.arange(5) * 2.0)


def test_fortran_order_kept_with_order_k():
    x = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    r = numjit.evaluate("x + 1")
    assert r.flags.f_contiguous and not r.flags.c_contiguous
    np.testing.assert_array_equal(r, x + 1)
    assert numjit.evaluate("x + 1", order="C").flags.c_contiguous


def test_broadcasting():
    a = np.arange(12.0).reshape(3, 4)
    c = np.arange(4.0)
    d = np.arange(3.0).reshape(3, 1)
    np.testing.assert_array_equal(numjit.evaluate("a + c*d"), a + c * d)


def test_out_in_place_and_returned():
    x = np.arange(10.0)
    out = np.empty(10)
    r = numjit.evaluate("x*x", out=out)
    assert r is out
    np.testing.assert_array_equal(out, x * x)
    numjit.evaluate("x + 3", out=x)
    np.testing.assert_array_equal(x, np.arange(10.0) + 3)


def test_out_overlapping_input_reversed():
    x = np.arange(10.0)
    numjit.evaluate("y * 2", local_dict={"y": x[::-1]}, out=x)
    np.testing.assert_array_equal(x, np.arange(10.0)[::-1] * 2)


def test_out_strided_view():
    big = np.zeros((4, 6))
    x = np.ones((4, 3))
    numjit.evaluate("x + 1", out=big[:, ::2])
    np.testing.assert_array_equal(big[:, ::2], 2.0)
    np.testing.assert_array_equal(big[:, 1::2], 0.0)


def test_out_casting_rules():
    x = np.arange(4.0)
    o32 = np.empty(4, dtype=np.float32)
    numjit.evaluate("x + 1", out=o32)
    np.testing.assert_array_equal(o32, np.arange(4) + 1)
    oi = np.empty(4, dtype=np.int64)
    with pytest.raises(TypeError):
        numjit.evaluate("x + 1", out=oi)
    numjit.evaluate("x + 1.5", out=oi, casting="unsafe")
    np.testing.assert_array_equal(oi, (x + 1.5).astype(np.int64))
    with pytest.raises(TypeError):
        numjit.evaluate("x + 1", out=o32, casting="safe")


def test_out_broadcast_into_larger():
    b = np.arange(3.0)
    out = np.zeros((2, 3))
    numjit.evaluate("b * 2", out=out)
    np.testing.assert_array_equal(out, np.broadcast_to(b * 2, (2, 3)))
    numjit.evaluate("7", out=out)  # numexpr #145: a constant broadcast into out
    np.testing.assert_array_equal(out, 7.0)


def test_out_of_other_dtype_and_unaligned():
    a = np.empty(5, dtype=np.uint8)[1:].view(np.int32)  # unaligned int32
    numjit.evaluate("3", out=a)
    np.testing.assert_array_equal(a, 3)
    o8 = np.zeros(3, dtype=np.int8)
    numjit.evaluate("x + 1", local_dict={"x": np.arange(3, dtype=np.int32)}, out=o8)
    np.testing.assert_array_equal(o8, [1, 2, 3])


def test_out_readonly_and_wrong_shape():
    x = np.arange(3.0)
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        numjit.evaluate("x + 1", out=ro)
    with pytest.raises(ValueError):
        numjit.evaluate("x + 1", out=np.zeros(4))


def test_constant_expression_is_0d():
    r = numjit.evaluate("1 + 2")
    assert r.shape == () and r.dtype == np.int64 and r == 3


def test_empty_arrays():
    a0 = np.array([], dtype=np.int32).reshape(0, 2, 4)
    a1 = np.array([], dtype=np.float64).reshape(0, 2, 4)
    r = numjit.evaluate("a0 + a1")
    assert r.shape == (0, 2, 4) and r.dtype == np.float64


def test_large_array_parallel_matches_numpy():
    x = np.linspace(-1, 1, 1_000_003)
    want = ((.25 * x + .75) * x - 1.5) * x - 2
    for n in (1, 2):
        numjit.set_num_threads(n)
        np.testing.assert_array_equal(numjit.evaluate("((.25*x + .75)*x - 1.5)*x - 2"), want)


def test_numexpr_keywords_accepted_and_checked():
    x = np.arange(3.0)
    for opt in ("none", "moderate", "aggressive"):
        numjit.evaluate("x", optimization=opt, truediv=False, sanitize=True)
    with pytest.raises(ValueError):
        numjit.evaluate("x", optimization="max")
    with pytest.raises(ValueError):
        numjit.evaluate("x", bogus=1)
    with pytest.raises(ValueError):
        numjit.evaluate(b"x")
    with pytest.raises(ValueError):
        numjit.evaluate("x", order="Q")


def test_e_expressions():
    a = np.arange(3.0)
    b = np.ones(3)
    ex = 2.0 * numjit.E.a + 3 * numjit.E.b
    np.testing.assert_array_equal(numjit.evaluate(ex), 2 * a + 3 * b)
