"""numjit: NumPy-style array expressions compiled to fused SIMD machine code.

A drop-in for numexpr's API (``evaluate``, ``re_evaluate``, ``validate``, ``NumExpr``,
``set_num_threads`` …) with NumPy 2's semantics::

    >>> import numpy as np, numjit
    >>> x = np.linspace(0, 1, 5)
    >>> numjit.evaluate("((.25*x + .75)*x - 1.5)*x - 2")
    array([-2.        , -2.32421875, -2.53125   , -2.59765625, -2.5       ])

See python/README.md for the differences from numexpr.
"""

import contextlib as _contextlib
import os as _os

from . import _numjit
from ._errors import (BooleanOperatorError, ExpressionSyntaxError, ExpressionTypeError,
                      ExpressionValueError, InternalError, LiteralOverflowError,
                      LiteralZeroDivisionError, NegativePowerError, NumjitError,
                      UnknownNameError, UnsupportedDtypeError, UnsupportedOperandError)
from ._numjit import NumExpr, compile, evaluate, input_names, re_evaluate, validate
from .expressions import E
from .utils import (MAX_THREADS, _init_num_threads, detect_number_of_cores,
                    detect_number_of_threads, get_num_threads, get_vml_version,
                    set_num_threads, set_vml_accuracy_mode, set_vml_num_threads)

__version__ = "0.1.0"

#: numjit has no Intel VML; kernels are its own.
use_vml = False
#: Elements per kernel call (numexpr's block size is 1024).
__BLOCK_SIZE1__ = 8192

ncores = detect_number_of_cores()
nthreads = _init_num_threads()


@_contextlib.contextmanager
def thread_limit(n):
    """Within the block, evaluations started *from this thread* use at most ``n`` of
    numjit's worker threads (``1``: run on the calling thread). ``numjit.dask`` wraps
    every chunk in ``thread_limit(1)``, so Dask's own threads are not oversubscribed."""
    n = int(n)
    if n < 1:
        raise ValueError(f"thread_limit needs n >= 1, not {n}")
    old = _numjit._set_thread_limit(n)
    try:
        yield
    finally:
        _numjit._set_thread_limit(old)


def disassemble(nex):
    """numexpr prints its bytecode; numjit has none. Returns the stages numjit has
    (source, syntax tree, typed IR, Cranelift IR) as text."""
    return nex.explain()


def print_versions():
    import sys

    import numpy
    print(f"numjit {__version__}, NumPy {numpy.__version__}, Python {sys.version.split()[0]}, "
          f"{get_num_threads()} threads (cores: {ncores})")


# The worker pool does not survive fork(): the child builds a new one when it needs it.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_numjit._reset_after_fork)

__all__ = [
    "evaluate", "re_evaluate", "validate", "NumExpr", "compile", "E", "disassemble",
    "input_names", "set_num_threads", "get_num_threads", "detect_number_of_cores",
    "detect_number_of_threads", "thread_limit", "use_vml", "set_vml_num_threads",
    "set_vml_accuracy_mode", "get_vml_version", "ncores", "nthreads", "MAX_THREADS",
    "NumjitError", "ExpressionSyntaxError", "BooleanOperatorError", "UnknownNameError",
    "ExpressionTypeError", "UnsupportedOperandError", "ExpressionValueError",
    "NegativePowerError", "LiteralOverflowError", "LiteralZeroDivisionError",
    "UnsupportedDtypeError", "InternalError",
]
