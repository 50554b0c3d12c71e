"""``E``: build expressions with Python operators (``2*E.a + E.b``), as numexpr's
``numexpr.E``. The objects only build text; ``NumExpr``/``evaluate`` compile it."""


class Expr:
    __slots__ = ("__numjit_source__",)

    def __init__(self, text):
        self.__numjit_source__ = text

    def __str__(self):
        return self.__numjit_source__

    def __repr__(self):
        return f"E({self.__numjit_source__!r})"

    def __bool__(self):
        raise TypeError("use & | ~ instead of and/or/not on expressions")


def _text(x):
    if isinstance(x, Expr):
        return x.__numjit_source__
    if isinstance(x, (bool, int, float, complex)):
        return repr(x)
    raise TypeError(f"cannot use {type(x).__name__} in an expression")


def _binary(op):
    def f(self, other):
        return Expr(f"({_text(self)} {op} {_text(other)})")

    def r(self, other):
        return Expr(f"({_text(other)} {op} {_text(self)})")
    return f, r


for _name, _op in [("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"),
                   ("floordiv", "//"), ("mod", "%"), ("pow", "**"), ("lshift", "<<"),
                   ("rshift", ">>"), ("and", "&"), ("or", "|"), ("xor", "^")]:
    _f, _r = _binary(_op)
    setattr(Expr, f"__{_name}__", _f)
    setattr(Expr, f"__r{_name}__", _r)
for _name, _op in [("lt", "<"), ("le", "<="), ("eq", "=="), ("ne", "!="), ("gt", ">"),
                   ("ge", ">=")]:
    setattr(Expr, f"__{_name}__", _binary(_op)[0])
Expr.__neg__ = lambda self: Expr(f"(-{_text(self)})")
Expr.__pos__ = lambda self: self
Expr.__invert__ = lambda self: Expr(f"(~{_text(self)})")
Expr.__hash__ = None


class _Names:
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Expr(name)


E = _Names()
