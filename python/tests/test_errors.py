"""Errors: numexpr's exception classes, numjit's rendered message and code."""

import numpy as np
import pytest

import numjit


def test_syntax_error_is_syntax_and_value_error():
    with pytest.raises(SyntaxError) as e:
        numjit.evaluate("2 +")
    assert isinstance(e.value, ValueError) and isinstance(e.value, numjit.NumjitError)
    assert e.value.code.startswith("E01")
    assert "2 +" in str(e.value)


def test_missing_name_is_key_error_with_rendered_message():
    a = np.arange(3.0)  # noqa: F841
    with pytest.raises(KeyError) as e:
        numjit.evaluate("a + bb")
    assert e.value.code == "E0201"
    text = str(e.value)
    assert "error[E0201]" in text and "^^" in text and "help" in text
    assert "\\n" not in text  # not KeyError's repr of the message


def test_boolean_keywords_are_type_errors_with_fix():
    x = np.arange(3)
    with pytest.raises(TypeError) as e:
        numjit.evaluate("(x > 1) and (x < 9)", local_dict={"x": x})
    assert e.value.code == "E0106" and "&" in str(e.value)
    with pytest.raises(TypeError) as e:
        numjit.evaluate("x > 1 & x < 2", local_dict={"x": x})
    assert "(x > 1) & (x < 2)" in str(e.value)


def test_unknown_function_is_type_error():
    x = np.arange(3.0)  # noqa: F841
    with pytest.raises(TypeError) as e:
        numjit.evaluate("frobnicate(x)")
    assert e.value.code == "E0202"


def test_broadcast_error_is_value_error_with_spans():
    a, b = np.arange(3.0), np.arange(4.0)  # noqa: F841
    with pytest.raises(ValueError) as e:
        numjit.evaluate("a*b")
    assert e.value.code == "E0401" and "(3,)" in str(e.value) and "(4,)" in str(e.value)


def test_negative_integer_power_is_value_error():
    i = np.arange(1, 4)  # noqa: F841
    with pytest.raises(ValueError) as e:
        numjit.evaluate("i ** -1")
    assert e.value.code == "E0303"


def test_literal_zero_division():
    with pytest.raises(ZeroDivisionError):
        numjit.evaluate("1/0")


def test_unsupported_operand_is_type_and_not_implemented():
    z = np.ones(3, dtype=complex)  # noqa: F841
    with pytest.raises(TypeError) as e:
        numjit.evaluate("z < 1")
    assert isinstance(e.value, NotImplementedError) and e.value.code == "E0301"


@pytest.mark.parametrize("arr,hint", [
    (np.arange(3, dtype=np.uint8), "int32"),
    (np.arange(3, dtype=np.float16), "float32"),
    (np.arange(3, dtype=np.complex64), "complex128"),
    (np.array(["a", "b"]), "string"),
    (np.array([object()]), "numjit"),
])
def test_unsupported_dtypes_are_clear(arr, hint):
    with pytest.raises(TypeError) as e:
        numjit.evaluate("u + 1", local_dict={"u": arr})
    assert isinstance(e.value, ValueError)  # numexpr raises ValueError here
    assert "`u`" in str(e.value) and hint in str(e.value)


def test_validate_returns_errors():
    a = np.arange(3.0)  # noqa: F841
    assert isinstance(numjit.validate("a + missing"), KeyError)
    assert isinstance(numjit.validate("2+"), SyntaxError)
    assert numjit.validate("a + 1") is None
    np.testing.assert_array_equal(numjit.re_evaluate(), a + 1)
    # casting='safe' by default in validate: float64 into float32 is refused
    assert isinstance(numjit.validate("a + 1", out=np.empty(3, np.float32)), TypeError)
    assert isinstance(numjit.validate("a + 1", out=np.empty(4)), ValueError)
