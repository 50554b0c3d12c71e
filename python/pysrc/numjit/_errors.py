"""numjit's exception classes.

Each numjit error becomes an exception that is both a ``numjit.NumjitError`` (with the
stable ``code``, ``message``, ``help``, ``span`` and ``expression``) and the built-in
class numexpr (or NumPy) raises for the same mistake, so existing ``except`` clauses
keep working. ``str(exc)`` is numjit's rendered report: the offending part of the
expression underlined and a help line.
"""


class NumjitError(Exception):
    """Base class of every error numjit raises about an expression or its inputs."""

    code = None
    message = None
    help = None
    span = None
    expression = None

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class ExpressionSyntaxError(NumjitError, SyntaxError, ValueError):
    """The text is not a numjit expression (E01xx). Also a ValueError: numexpr raises
    ValueError for constructs its sanitizer forbids."""


class BooleanOperatorError(NumjitError, SyntaxError, TypeError):
    """``and``/``or``/``not`` or a chained comparison on arrays (E0105, E0106);
    numexpr raises TypeError here."""


class UnknownNameError(NumjitError, KeyError):
    """A variable that is in neither dict nor the calling frame (E0201)."""


class ExpressionTypeError(NumjitError, TypeError):
    """Wrong function name or arity, or a cast ``out`` cannot take (E0202, E0203, E0403)."""


class UnsupportedOperandError(NumjitError, TypeError, NotImplementedError):
    """An operator or function the operands' dtypes do not support (E0301). numexpr
    raises NotImplementedError ("couldn't find matching opcode"), NumPy TypeError."""


class ExpressionValueError(NumjitError, ValueError):
    """Shapes that do not broadcast, a bad ``out``, bad arguments (E0204, E0205, E04xx,
    E0501, E06xx)."""


class NegativePowerError(NumjitError, ValueError):
    """Integers to negative integer powers (E0303, E0501), as NumPy."""


class LiteralOverflowError(NumjitError, OverflowError):
    """An integer literal out of range for the array it meets, or literal arithmetic
    that overflows (E0302, E0305), as NumPy 2."""


class LiteralZeroDivisionError(NumjitError, ZeroDivisionError):
    """Literal division by zero, which Python folds first (E0304)."""


class UnsupportedDtypeError(NumjitError, TypeError, ValueError):
    """An input of a dtype numjit has no kernels for (numexpr: ValueError)."""


class InternalError(NumjitError, RuntimeError):
    """A bug in numjit, reported instead of crashing (E0701)."""


_BY_CODE = {
    "E0105": BooleanOperatorError,
    "E0106": BooleanOperatorError,
    "E0201": UnknownNameError,
    "E0202": ExpressionTypeError,
    "E0203": ExpressionTypeError,
    "E0301": UnsupportedOperandError,
    "E0302": LiteralOverflowError,
    "E0303": NegativePowerError,
    "E0304": LiteralZeroDivisionError,
    "E0305": LiteralOverflowError,
    "E0403": ExpressionTypeError,
    "E0501": NegativePowerError,
    "E0701": InternalError,
}

_BINDING = {
    "dtype": UnsupportedDtypeError,
    "value": ExpressionValueError,
    "shape": ExpressionValueError,
    "type": ExpressionTypeError,
    "cast": ExpressionTypeError,
}


def _class_for(code):
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.startswith("E01"):
        return ExpressionSyntaxError
    return ExpressionValueError


def _from_numjit(code, rendered, message, help, span, expression):
    """Called by the extension: the exception for one numjit error."""
    exc = _class_for(code)(rendered.rstrip("\n"))
    exc.code = code
    exc.message = message
    exc.help = help
    exc.span = span
    exc.expression = expression
    if isinstance(exc, SyntaxError):
        exc.msg = rendered.rstrip("\n")
        if span is not None:
            exc.offset = span[0] + 1
            exc.end_offset = span[1] + 1
        exc.text = expression
        exc.lineno = 1
    return exc


def _from_binding(kind, message):
    """Called by the extension for errors of the binding itself (no expression span)."""
    exc = _BINDING[kind](message)
    exc.message = message.split("\n")[0]
    return exc
