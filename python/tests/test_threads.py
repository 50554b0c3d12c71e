"""Threads: settings, environment variables, many Python threads at once, fork."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import numjit


def run_py(code, **env):
    e = dict(os.environ)
    for k in ("NUMJIT_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS",
              "NUMEXPR_MAX_THREADS"):
        e.pop(k, None)
    e.update(env)
    p = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                       check=True)
    return p.stdout.strip()


def test_set_get_num_threads():
    old = numjit.get_num_threads()
    assert numjit.set_num_threads(3) == old
    assert numjit.get_num_threads() == 3
    numjit.set_num_threads(old)
    with pytest.raises(ValueError):
        numjit.set_num_threads(0)
    with pytest.raises(ValueError):
        numjit.set_num_threads(numjit.MAX_THREADS + 1)


def test_environment_variables_at_import():
    show = "import numjit; print(numjit.nthreads, numjit.get_num_threads(), numjit.MAX_THREADS)"
    assert run_py(show, NUMEXPR_NUM_THREADS="3", OMP_NUM_THREADS="5") == "3 3 64"
    assert run_py(show, OMP_NUM_THREADS="5") == "5 5 64"
    assert run_py(show, NUMEXPR_MAX_THREADS="4", NUMEXPR_NUM_THREADS="9") == "4 4 4"
    assert run_py(show, NUMJIT_NUM_THREADS="2", NUMEXPR_NUM_THREADS="3") == "2 2 64"
    cores = numjit.detect_number_of_cores()
    assert run_py(show, OMP_NUM_THREADS="") == f"{min(cores, 16)} {min(cores, 16)} 64"


def test_many_python_threads_at_once_are_correct():
    # Small arrays run on each caller; big ones queue into the one shared pool.
    xs = [np.linspace(0, k + 1, n) for k, n in enumerate([1000, 300_000] * 8)]
    want = [((.25 * x + .75) * x - 1.5) * x - 2 for x in xs]
    got = [None] * len(xs)
    barrier = threading.Barrier(len(xs))

    def work(i):
        barrier.wait()
        x = xs[i]
        for _ in range(20):
            got[i] = numjit.evaluate("((.25*x + .75)*x - 1.5)*x - 2")

    ts = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_shared_compiled_object_across_threads():
    f = numjit.NumExpr("a * b + 1", [("a", np.double), ("b", np.double)])
    results = {}

    def work(i):
        a = np.full(50_000, float(i))
        for _ in range(30):
            results[i] = f(a, a)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i, r in results.items():
        np.testing.assert_array_equal(r, np.full(50_000, i * i + 1.0))


def test_no_oversubscription_from_many_callers():
    # However many Python threads evaluate big arrays at once, numjit's own workers
    # number exactly get_num_threads(): count the live `numjit-*` threads by name.
    code = r"""
import threading, numpy as np, numjit, os
numjit.set_num_threads(2)
x = np.linspace(0, 1, 2_000_000)
def work():
    for _ in range(5):
        numjit.evaluate("x*x + 1")
ts = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print(sum(n.startswith("numjit-") for n in names))
"""
    if not os.path.exists("/proc/self/task"):
        pytest.skip("needs Linux /proc to count threads")
    assert run_py(code) == "2"


def test_thread_limit_runs_on_the_calling_thread():
    x = np.linspace(0, 1, 1_000_000)
    with numjit.thread_limit(1):
        r = numjit.evaluate("x*2")
    np.testing.assert_array_equal(r, x * 2)
    with pytest.raises(ValueError):
        with numjit.thread_limit(0):
            pass


def test_validate_re_evaluate_are_per_thread():
    barrier = threading.Barrier(4)
    exprs = ["a + b", "a - b", "a * b", "a / b"]
    ok = [False] * 4

    def work(i):
        a = np.full(100_000, i + 1.0)
        b = np.full(100_000, (i + 1) * 2.0)
        assert numjit.validate(exprs[i], local_dict={"a": a, "b": b}) is None
        barrier.wait()
        r = numjit.re_evaluate(local_dict={"a": a, "b": b})
        ok[i] = np.array_equal(r, eval(exprs[i]))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(ok)


def test_re_evaluate_reuses_live_out_only():
    a = np.array([1.0, 2.0, 3.0])
    out = np.zeros(3)
    assert numjit.evaluate("a + 1", out=out) is out
    a = np.array([4.0, 5.0, 6.0])  # noqa: F841
    assert numjit.re_evaluate() is out
    np.testing.assert_array_equal(out, [5.0, 6.0, 7.0])


def test_fork_after_the_pool_exists():
    code = r"""
import os, numpy as np, numjit
numjit.set_num_threads(2)
x = np.linspace(0, 1, 2_000_000)
numjit.evaluate("x + 1")          # builds the worker pool
pid = os.fork()
if pid == 0:
    ok = np.array_equal(numjit.evaluate("x * 3"), x * 3)   # needs a pool in the child
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    assert run_py(code) == "0"
