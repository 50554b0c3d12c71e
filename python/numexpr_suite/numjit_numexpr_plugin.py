"""pytest plugin: runs numexpr's own test suite (numexpr/tests/test_numexpr.py, shipped
inside the numexpr package) against numjit.

The suite imports ``evaluate``, ``re_evaluate``, ``validate``, ``NumExpr``, ``E``,
``disassemble`` and the ``numexpr`` module by name; after collection this plugin rebinds
those names in the test module to numjit's (``evaluate`` is numjit's own function, so
caller-frame lookup is exercised exactly as with numexpr). Expressions built with
numexpr's ``E`` are turned back into text for numjit. Subprocesses the suite starts
(``python -c "import numexpr ..."``) get a shim on PYTHONPATH that makes ``numexpr`` be
``numjit``, so they test numjit too.

At the end it prints the failures grouped by reason (numjit's error code and message
shape, or the assertion), and the skips with their reasons.
"""

import collections
import os
import re
import sys
import tempfile
import types

import numjit
import numjit.utils

_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "truediv": "/", "floordiv": "//",
        "pow": "**", "mod": "%", "lshift": "<<", "rshift": ">>", "and": "&", "or": "|",
        "xor": "^", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=", "lt": "<", "le": "<="}


def numexpr_node_to_text(node):
    """numexpr's ExpressionNode tree → numjit expression text."""
    t = getattr(node, "astType", None)
    if t == "variable":
        return node.value
    if t == "constant":
        v = node.value
        return repr(v.item() if hasattr(v, "item") else v)
    if t == "raw":
        return repr(node.value)
    if t == "op":
        kids = [numexpr_node_to_text(c) for c in node.children]
        if node.value in _OPS and len(kids) == 2:
            return f"({kids[0]} {_OPS[node.value]} {kids[1]})"
        if node.value == "neg":
            return f"(-{kids[0]})"
        if node.value == "invert":
            return f"(~{kids[0]})"
        if node.value in ("real", "imag"):
            return f"{node.value}({kids[0]})"
        return f"{node.value}({', '.join(kids)})"
    raise TypeError(f"not a numexpr expression: {node!r}")


def _source(ex):
    return ex if isinstance(ex, (str, numjit.expressions.Expr)) else numexpr_node_to_text(ex)


class NumExpr:
    """numexpr.NumExpr(ex, signature=(), sanitize=None, **kwargs) → numjit.NumExpr."""

    def __new__(cls, ex, signature=(), sanitize=None, **kwargs):
        src = _source(ex)
        if not isinstance(src, str):
            src = str(src)
        return numjit.NumExpr(src, list(signature) or None, **kwargs)


def _numexpr_proxy():
    import numexpr
    ns = types.ModuleType("numexpr_as_numjit")
    for k in dir(numjit):
        if not k.startswith("__"):
            setattr(ns, k, getattr(numjit, k))
    ns.utils = numjit.utils
    ns.NumExpr = NumExpr
    ns.__version__ = numjit.__version__
    ns.necompiler = numexpr.necompiler  # only test_ex_uses_vml reads it (numexpr's VML)
    return ns


def _patch(mod):
    if getattr(mod, "_numjit_patched", False):
        return
    mod._numjit_patched = True
    mod.evaluate = numjit.evaluate
    mod.re_evaluate = numjit.re_evaluate
    mod.validate = numjit.validate
    mod.NumExpr = NumExpr
    mod.disassemble = numjit.disassemble
    mod.use_vml = numjit.use_vml
    mod.detect_number_of_cores = numjit.detect_number_of_cores
    mod.numexpr = _numexpr_proxy()


def pytest_configure(config):
    shim = tempfile.mkdtemp(prefix="numjit-as-numexpr-")
    with open(os.path.join(shim, "numexpr.py"), "w") as f:
        f.write("import sys, numjit\nsys.modules['numexpr'] = numjit\n")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = shim + (os.pathsep + old if old else "")
    config._numjit_failures = []
    config._numjit_skips = []


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        mod = getattr(item, "module", None)
        if mod is not None and mod.__name__.endswith("test_numexpr"):
            _patch(mod)


_CODE = re.compile(r"error\[(E\d{4})\]: ([^\n]*)")


def _reason(text):
    m = _CODE.search(text)
    if m:
        code, msg = m.groups()
        if code == "E0202":
            fn = re.search(r"`([^`]+)`", msg)
            return f"{code} unknown function `{fn.group(1) if fn else '?'}`"
        msg = re.sub(r"`[^`]*`", "`…`", msg)
        msg = re.sub(r"\(\d[^)]*\)", "(…)", msg)
        return f"{code} {msg}"
    lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
    first = lines[0][2:].strip() if lines else text.strip().splitlines()[-1]
    first = re.sub(r"0x[0-9a-f]+", "0x…", first)
    return first[:120]


def pytest_runtest_logreport(report):
    cfg = _config[0] if _config else None
    if cfg is None:
        return
    if report.failed:
        cfg._numjit_failures.append((report.nodeid, _reason(str(report.longrepr))))
    elif report.skipped and report.when in ("setup", "call"):
        cfg._numjit_skips.append((report.nodeid, str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)))


_config = []


def pytest_sessionstart(session):
    _config.append(session.config)


def _test_name(nodeid):
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"\[.*", "[…]", name)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    fails = config._numjit_failures
    if fails:
        tr.section(f"numjit: {len(fails)} failures grouped by reason")
        by = collections.defaultdict(list)
        for nodeid, reason in fails:
            by[reason].append(nodeid)
        for reason, ids in sorted(by.items(), key=lambda kv: -len(kv[1])):
            names = collections.Counter(_test_name(i) for i in ids)
            shown = ", ".join(f"{n}×{c}" if c > 1 else n for n, c in names.most_common(6))
            more = "" if len(names) <= 6 else f", … ({len(names) - 6} more tests)"
            tr.write_line(f"{len(ids):5d}  {reason}\n       {shown}{more}")
    skips = config._numjit_skips
    if skips:
        tr.section(f"numjit: {len(skips)} skips grouped by reason")
        by = collections.Counter(re.sub(r"'[^']*' not implemented for", "'…' not implemented for",
                                        re.sub(r"\(scalar=.*\)", "", r)) for _, r in skips)
        for reason, n in by.most_common(20):
            tr.write_line(f"{n:5d}  {reason[:150]}")
