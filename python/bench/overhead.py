"""Per-call overhead on small arrays: numjit vs numexpr vs NumPy, same run.

    python bench/overhead.py [--n 1000] [--repeat 15]

Prints the median time per call (µs) over `repeat` timing windows of `number` calls
each, for the polynomial and `2*a + 3*b`, with and without `out=`, with an explicit
local_dict and with caller-frame lookup. One thread (set_num_threads(1)) for both
libraries: at these sizes neither uses its pool.
"""

import argparse
import statistics
import timeit

import numpy as np

import numjit

try:
    import numexpr
except ImportError:  # numexpr is optional here
    numexpr = None


def med_us(stmt, glb, number, repeat):
    t = timeit.Timer(stmt, globals=glb)
    t.timeit(number)  # warm up (compile, caches)
    return statistics.median(x / number * 1e6 for x in t.repeat(repeat, number))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--number", type=int, default=20000)
    args = ap.parse_args()
    n = args.n
    rng = np.random.default_rng(0)
    a, b, x = rng.random(n), rng.random(n), rng.random(n)
    out = np.empty(n)
    ld = dict(a=a, b=b, x=x)
    poly = "((.25*x + .75)*x - 1.5)*x - 2"
    numjit.set_num_threads(1)
    if numexpr is not None:
        numexpr.set_num_threads(1)
    g = dict(np=np, numjit=numjit, numexpr=numexpr, a=a, b=b, x=x, out=out, ld=ld, poly=poly,
             f=numjit.compile("2*a + 3*b", [("a", "float64"), ("b", "float64")]))
    rows = [
        ("2*a+3*b, local_dict", "numjit.evaluate('2*a + 3*b', local_dict=ld)",
         "numexpr.evaluate('2*a + 3*b', local_dict=ld)", "2*a + 3*b"),
        ("2*a+3*b, frame lookup", "numjit.evaluate('2*a + 3*b')",
         "numexpr.evaluate('2*a + 3*b')", None),
        ("2*a+3*b, out=", "numjit.evaluate('2*a + 3*b', local_dict=ld, out=out)",
         "numexpr.evaluate('2*a + 3*b', local_dict=ld, out=out)", None),
        ("poly, local_dict", "numjit.evaluate(poly, local_dict=ld)",
         "numexpr.evaluate(poly, local_dict=ld)", "((.25*x + .75)*x - 1.5)*x - 2"),
        ("poly, out=", "numjit.evaluate(poly, local_dict=ld, out=out)",
         "numexpr.evaluate(poly, local_dict=ld, out=out)", None),
        ("compiled 2*a+3*b (f(a, b))", "f(a, b)", None, None),
        ("re_evaluate (after the above)", "numjit.re_evaluate(local_dict=ld)",
         "numexpr.re_evaluate(local_dict=ld)", None),
    ]
    print(f"n = {n}, median µs per call over {args.repeat} windows of {args.number} calls")
    print(f"{'case':32s} {'numjit':>8s} {'numexpr':>8s} {'numpy':>8s}")
    for name, nj, ne, npy in rows:
        if name.startswith("re_evaluate"):
            numjit.evaluate("2*a + 3*b", local_dict=ld)
            if numexpr is not None:
                numexpr.evaluate("2*a + 3*b", local_dict=ld)
        t_nj = med_us(nj, g, args.number, args.repeat)
        t_ne = med_us(ne, g, args.number, args.repeat) if (ne and numexpr) else float("nan")
        t_np = med_us(npy, g, args.number, args.repeat) if npy else float("nan")
        print(f"{name:32s} {t_nj:8.2f} {t_ne:8.2f} {t_np:8.2f}")


if __name__ == "__main__":
    main()
