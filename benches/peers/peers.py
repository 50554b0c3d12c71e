#!/usr/bin/env python3
"""Peers of `numjit bench --peers`: NumPy, numexpr and Numba on the same cases, measured in
the same run as numjit. `numjit bench` runs this script (embedded in the binary) as
`python - SPEC_JSON`; it can also be run by hand: `python benches/peers/peers.py SPEC_JSON`.

SPEC_JSON: {"quick": bool, "threads": N, "limit": 50, "iters": 100,
            "cases": [{"case": "poly_1e7", "family": "poly", "size": 10000000, "n": ...,
                       "bytes_per_elem": 16.0, "unit": "element"}, ...]}
Output: progress on stderr; the last stdout line is `NUMJIT_PEERS_JSON {"records": [...],
"notes": [...]}` with records in `numjit bench --json`'s format.

Engines: numpy (the plain expression, one temporary per operation, 1 thread); numexpr and
numba on 1 and N threads, both writing into a preallocated output (numexpr `out=`, a numba
`prange` loop over `out`), like numjit's fused engine. Inputs: uniform [0, 1) from
np.random.default_rng(20240611); not the same values as numjit's, the same distribution.
Timing: one warm-up call (compiles numba), one calibration call, then 7 repetitions (5 when
a call takes >= 0.1 s, 3 above 1 s; 3 with --quick) of as many calls as last 50 ms (20 ms).
Every peer's result is checked against NumPy's; disagreements are reported as notes.
"""
import json
import math
import sys
import time

import numpy as np

SEED = 20240611
DT, DCOEF = 0.1, 1.0
NOTES = []


def log(*a):
    print("peers:", *a, file=sys.stderr, flush=True)


class Cfg:
    quick = False
    threads = 2
    limit = 50
    iters = 100


def bench(fn):
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > 1.0:
        t1 = first
    else:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter() - t0
    if Cfg.quick:
        reps, target = 3, 0.02
    else:
        reps, target = (7 if t1 < 0.1 else 5 if t1 <= 1.0 else 3), 0.05
    number = max(1, int(target / max(t1, 1e-7)))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return float(np.median(times)), float(np.min(times))


def time_runs(reps, per, setup, run):
    times, state = [], None
    for _ in range(reps):
        state = setup()
        t0 = time.perf_counter()
        state = run(state)
        times.append((time.perf_counter() - t0) / per)
    return (float(np.median(times)), float(np.min(times))), state


def rows_cols(n):
    rows = max(1, int(math.floor(math.sqrt(n * 1.6) + 0.5)))
    return rows, max(1, n // rows)


def check(spec, engine, got, want):
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        NOTES.append(f"{spec['case']} {engine}: shape {got.shape} vs NumPy's {want.shape}")
    elif want.dtype.kind in "biu":
        bad = int(np.count_nonzero(got != want))
        if bad:
            NOTES.append(f"{spec['case']} {engine}: {bad} element(s) differ from NumPy's")
    else:
        rtol = 1e-4 if np.float32 in (got.dtype, want.dtype) else 1e-7
        if not np.allclose(got, want, rtol=rtol, atol=1e-12):
            NOTES.append(f"{spec['case']} {engine}: not allclose(rtol={rtol}) to NumPy's")


def record(out, spec, engine, threads, t, per_call_elems=None):
    n = per_call_elems or spec["n"]
    med, mn = t[0] * 1e9 / n, t[1] * 1e9 / n
    bpe = spec["bytes_per_elem"]
    out.append(dict(case=spec["case"], n=spec["n"], engine=engine, threads=threads,
                    median_ns_per_elem=med, min_ns_per_elem=mn,
                    gb_per_s=(bpe / med) if bpe else None, unit=spec["unit"]))
    log(f"{spec['case']:24s} {engine:8s} {threads}T  median {med:9.3f} ns/elem")


def inputs(spec):
    fam, n = spec["family"], spec["size"]
    rng = np.random.default_rng(SEED)
    if fam in ("triad",):
        return dict(a=rng.random(n), b=rng.random(n), c=rng.random(n))
    if fam == "temporaries":
        return dict(a=rng.random(n), b=rng.random(n))
    if fam == "poly_f32":
        return dict(x=rng.random(n, dtype=np.float32))
    if fam == "bcast_row":
        r, c = rows_cols(n)
        return dict(a=rng.random((r, c)), b=rng.random(c))
    if fam == "bcast_col":
        r, c = rows_cols(n)
        return dict(a=rng.random((r, c)), c=rng.random((r, 1)))
    if fam == "strided":
        return dict(x=rng.random(2 * n)[::2])
    if fam == "complex":
        z = rng.random(n) + 1j * rng.random(n)
        c = rng.random(n) + 1j * rng.random(n)
        return dict(z=z, c=c)
    return dict(x=rng.random(n))


NUMPY = {
    "poly": lambda d: ((.25 * d["x"] + .75) * d["x"] - 1.5) * d["x"] - 2,
    "poly_f32": lambda d: ((.25 * d["x"] + .75) * d["x"] - 1.5) * d["x"] - 2,
    "triad": lambda d: d["a"] * d["b"] + d["c"],
    "temporaries": lambda d: 2 * d["a"] - 4.5 * d["b"] + np.sin(d["a"]) + np.cos(d["b"]),
    "trig": lambda d: np.sin(d["x"]) ** 2 + np.cos(d["x"]) ** 2,
    "gauss": lambda d: np.exp(-(d["x"] - 0.5) ** 2 / 0.02),
    "select": lambda d: np.where(d["x"] > 0.5, 2 * d["x"], np.sqrt(d["x"])),
    "bcast_row": lambda d: d["a"] + d["b"],
    "bcast_col": lambda d: d["a"] * d["c"],
    "strided": lambda d: d["x"] * 2 + 1,
    "complex": lambda d: d["z"] * d["z"] + d["c"],
    "sum": lambda d: (d["x"] ** 2).sum(),
}
NUMEXPR = {
    "poly": "((.25*x + .75)*x - 1.5)*x - 2",
    "poly_f32": "((.25*x + .75)*x - 1.5)*x - 2",
    "triad": "a*b + c",
    "temporaries": "2*a - 4.5*b + sin(a) + cos(b)",
    "trig": "sin(x)**2 + cos(x)**2",
    "gauss": "exp(-(x - 0.5)**2 / 0.02)",
    "select": "where(x > 0.5, 2*x, sqrt(x))",
    "bcast_row": "a + b",
    "bcast_col": "a * c",
    "strided": "x*2 + 1",
    "complex": "z*z + c",
    "sum": "sum(x**2)",
}


def numba_kernels():
    import numba
    from numba import njit, prange
    kw = dict(parallel=True, fastmath=False, cache=False)

    @njit(**kw)
    def poly(x, out):
        for i in prange(x.shape[0]):
            v = x[i]
            out[i] = ((.25 * v + .75) * v - 1.5) * v - 2

    @njit(**kw)
    def poly_f32(x, out):
        for i in prange(x.shape[0]):
            v = x[i]
            out[i] = ((np.float32(.25) * v + np.float32(.75)) * v - np.float32(1.5)) * v - np.float32(2)

    @njit(**kw)
    def triad(a, b, c, out):
        for i in prange(a.shape[0]):
            out[i] = a[i] * b[i] + c[i]

    @njit(**kw)
    def temporaries(a, b, out):
        for i in prange(a.shape[0]):
            out[i] = 2 * a[i] - 4.5 * b[i] + math.sin(a[i]) + math.cos(b[i])

    @njit(**kw)
    def trig(x, out):
        for i in prange(x.shape[0]):
            s, c = math.sin(x[i]), math.cos(x[i])
            out[i] = s * s + c * c

    @njit(**kw)
    def gauss(x, out):
        for i in prange(x.shape[0]):
            t = x[i] - 0.5
            out[i] = math.exp(-(t * t) / 0.02)

    @njit(**kw)
    def select(x, out):
        for i in prange(x.shape[0]):
            v = x[i]
            out[i] = 2 * v if v > 0.5 else math.sqrt(v)

    @njit(**kw)
    def bcast_row(a, b, out):
        for i in prange(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = a[i, j] + b[j]

    @njit(**kw)
    def bcast_col(a, c, out):
        for i in prange(a.shape[0]):
            ci = c[i, 0]
            for j in range(a.shape[1]):
                out[i, j] = a[i, j] * ci

    @njit(**kw)
    def strided(x, out):
        for i in prange(x.shape[0]):
            out[i] = x[i] * 2 + 1

    @njit(**kw)
    def complex_(z, c, out):
        for i in prange(z.shape[0]):
            out[i] = z[i] * z[i] + c[i]

    @njit(**kw)
    def sum_(x):
        s = 0.0
        for i in prange(x.shape[0]):
            s += x[i] * x[i]
        return s

    @njit(**kw)
    def diff_periodic(g, out, c):
        n, m = g.shape
        for i in prange(n):
            up = i - 1 if i > 0 else n - 1
            dn = i + 1 if i < n - 1 else 0
            for j in range(m):
                lf = j - 1 if j > 0 else m - 1
                rt = j + 1 if j < m - 1 else 0
                x = g[i, j]
                out[i, j] = x + c * (g[up, j] + g[dn, j] + g[i, lf] + g[i, rt] - 4 * x)

    @njit(**kw)
    def diff_fixed(g, out, c):
        n, m = g.shape
        for i in prange(1, n - 1):
            for j in range(1, m - 1):
                x = g[i, j]
                out[i, j] = x + c * (g[i - 1, j] + g[i + 1, j] + g[i, j - 1] + g[i, j + 1] - 4 * x)

    @njit(**kw)
    def mandel(c, limit, out):
        h, w = c.shape
        for i in prange(h):
            for j in range(w):
                z = 0j
                k = 0
                while k < limit and abs(z) <= 2:
                    z = z * z + c[i, j]
                    k += 1
                out[i, j] = k

    k = dict(poly=poly, poly_f32=poly_f32, triad=triad, temporaries=temporaries, trig=trig,
             gauss=gauss, select=select, bcast_row=bcast_row, bcast_col=bcast_col,
             strided=strided, complex=complex_, sum=sum_, diff_periodic=diff_periodic,
             diff_fixed=diff_fixed, mandel=mandel)
    return numba, k


def args_of(fam, d):
    return {"triad": ("a", "b", "c"), "temporaries": ("a", "b"), "bcast_row": ("a", "b"),
            "bcast_col": ("a", "c"), "complex": ("z", "c")}.get(fam, ("x",))


def elementwise(spec, ne, nb, out_records):
    fam = spec["family"]
    d = inputs(spec)
    want = NUMPY[fam](d)
    record(out_records, spec, "numpy", 1, bench(lambda: NUMPY[fam](d)))
    threads = sorted({1, Cfg.threads})
    if ne is not None:
        expr = NUMEXPR[fam]
        for t in threads:
            ne.set_num_threads(t)
            if fam == "sum":
                fn = lambda: ne.evaluate(expr, local_dict=d)
                got = fn()
            else:
                out = np.empty_like(ne.evaluate(expr, local_dict=d))
                fn = lambda: ne.evaluate(expr, local_dict=d, out=out)
                fn()
                got = out
            check(spec, f"numexpr {t}T", got, want)
            record(out_records, spec, "numexpr", t, bench(fn))
    if nb is not None:
        numba, k = nb
        args = [d[a] for a in args_of(fam, d)]
        for t in threads:
            numba.set_num_threads(t)
            if fam == "sum":
                fn = lambda: k["sum"](*args)
                got = fn()
            else:
                out = np.empty_like(want)
                fn = lambda: k[fam](*args, out)
                fn()
                got = out
            check(spec, f"numba {t}T", got, want)
            record(out_records, spec, "numba", t, bench(fn))


def init_grid(spec):
    n = spec["size"]
    periodic = spec["family"] == "diffusion_periodic"
    g = np.zeros((n, n))
    lo, hi = int(n * .4), int(n * .5)
    if periodic:
        g[lo:hi, lo:hi] = 0.005
    else:
        g[lo:hi, lo:hi] = 0.005
        g[0, :] = 1.0
    return g


def diffusion(spec, ne, nb, out_records):
    periodic = spec["family"] == "diffusion_periodic"
    it = Cfg.iters
    reps = 3 if Cfg.quick else (5 if spec["size"] < 1000 else 3)
    dt, D = DT, DCOEF

    def np_step(g):
        if periodic:
            return g + dt * D * (np.roll(g, 1, 0) + np.roll(g, -1, 0) + np.roll(g, 1, 1)
                                 + np.roll(g, -1, 1) - 4 * g)
        nxt = g.copy()
        nxt[1:-1, 1:-1] = g[1:-1, 1:-1] + dt * D * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2]
                                                     + g[1:-1, 2:] - 4 * g[1:-1, 1:-1])
        return nxt

    def np_run(g, k=it):
        for _ in range(k):
            g = np_step(g)
        return g
    np_run(init_grid(spec), 2)
    t, want = time_runs(reps, it, lambda: init_grid(spec), np_run)
    record(out_records, spec, "numpy", 1, t)
    threads = sorted({1, Cfg.threads})
    if ne is not None:
        expr = "g + dt*D*(up + dn + lf + rt - 4*g)"

        def setup():
            g0 = init_grid(spec)
            if periodic:
                P = np.zeros((g0.shape[0] + 2,) * 2)
                P[1:-1, 1:-1] = g0
            else:
                P = g0
            return P, P.copy()

        def views(A):
            return dict(g=A[1:-1, 1:-1], up=A[:-2, 1:-1], dn=A[2:, 1:-1], lf=A[1:-1, :-2],
                        rt=A[1:-1, 2:], D=D, dt=dt)

        def run(s, k=it):
            P, Q = s
            vP, vQ = views(P), views(Q)
            for _ in range(k):
                if periodic:
                    P[0, 1:-1] = P[-2, 1:-1]
                    P[-1, 1:-1] = P[1, 1:-1]
                    P[1:-1, 0] = P[1:-1, -2]
                    P[1:-1, -1] = P[1:-1, 1]
                ne.evaluate(expr, local_dict=vP, out=vQ["g"])
                P, Q, vP, vQ = Q, P, vQ, vP
            return P[1:-1, 1:-1] if periodic else P
        for t_ in threads:
            ne.set_num_threads(t_)
            run(setup(), 2)
            t, got = time_runs(reps, it, setup, run)
            check(spec, f"numexpr {t_}T", got, want)
            record(out_records, spec, "numexpr", t_, t)
    if nb is not None:
        numba, k = nb
        kern = k["diff_periodic" if periodic else "diff_fixed"]

        def run_nb(s, k=it):
            g, o = s
            for _ in range(k):
                kern(g, o, dt * D)
                g, o = o, g
            return g
        for t_ in threads:
            numba.set_num_threads(t_)
            run_nb((init_grid(spec), init_grid(spec)), 2)
            t, got = time_runs(reps, it, lambda: (init_grid(spec), init_grid(spec)), run_nb)
            check(spec, f"numba {t_}T", got, want)
            record(out_records, spec, "numba", t_, t)


def mandel(spec, ne, nb, out_records):
    g, limit = spec["size"], Cfg.limit
    x = np.linspace(-2.0, 0.5, g)
    y = np.linspace(-1.25, 1.25, g)
    c = x[None, :] + 1j * y[:, None]
    reps = 3 if Cfg.quick else (5 if g < 500 else 3)

    def np_counts():
        z = np.zeros_like(c)
        n = np.zeros(c.shape, np.int32)
        for _ in range(limit):
            m = abs(z) <= 2
            n = n + m
            z = np.where(m, z * z + c, z)
        return n
    want = np_counts()
    record(out_records, spec, "numpy", 1, time_runs(reps, 1, lambda: None, lambda s: np_counts())[0])
    threads = sorted({1, Cfg.threads})
    if ne is not None:
        def ne_counts():
            z = np.zeros_like(c)
            n = np.zeros(c.shape, np.int32)
            ld = dict(z=z, n=n, c=c)
            for _ in range(limit):
                ne.evaluate("n + (real(abs(z)) <= 2)", local_dict=ld, out=n)
                ne.evaluate("where(real(abs(z)) <= 2, z*z + c, z)", local_dict=ld, out=z)
            return n
        for t_ in threads:
            ne.set_num_threads(t_)
            got = ne_counts()
            check(spec, f"numexpr {t_}T", got, want)
            record(out_records, spec, "numexpr", t_,
                   time_runs(reps, 1, lambda: None, lambda s: ne_counts())[0])
    if nb is not None:
        numba, k = nb
        out = np.empty(c.shape, np.int32)
        for t_ in threads:
            numba.set_num_threads(t_)
            k["mandel"](c, limit, out)
            check(spec, f"numba {t_}T", out.copy(), want)
            record(out_records, spec, "numba", t_,
                   time_runs(reps, 1, lambda: None, lambda s: k["mandel"](c, limit, out))[0])


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    spec = json.loads(sys.argv[1])
    Cfg.quick = bool(spec.get("quick", False))
    Cfg.threads = int(spec.get("threads", 2))
    Cfg.limit = int(spec.get("limit", 50))
    Cfg.iters = int(spec.get("iters", 100))
    try:
        import numexpr as ne
    except ImportError:
        ne = None
        NOTES.append("numexpr is not installed: pip install -r benches/peers/requirements.txt")
    try:
        nb = numba_kernels()
    except ImportError:
        nb = None
        NOTES.append("numba is not installed: pip install -r benches/peers/requirements.txt")
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    if ne is not None:
        versions["numexpr"] = ne.__version__
    if nb is not None:
        versions["numba"] = nb[0].__version__
    NOTES.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    records = []
    for case in spec["cases"]:
        fam = case["family"]
        try:
            if fam.startswith("diffusion"):
                diffusion(case, ne, nb, records)
            elif fam == "mandel":
                mandel(case, ne, nb, records)
            elif fam in NUMPY:
                elementwise(case, ne, nb, records)
        except Exception as e:  # one peer failing must not lose the others' results
            NOTES.append(f"{case['case']}: {type(e).__name__}: {e}")
    print("NUMJIT_PEERS_JSON " + json.dumps(dict(records=records, notes=NOTES)))


if __name__ == "__main__":
    main()
