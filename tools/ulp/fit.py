#!/usr/bin/env python3
"""Derives the polynomial coefficients used by src/vmath (dev-only; CI never runs it).

    /work/venv-corpus/bin/pip install mpmath
    /work/venv-corpus/bin/python tools/ulp/fit.py

Each polynomial is a Chebyshev interpolant (near-minimax) of the stated function on
the stated interval, computed in 60-digit arithmetic with mpmath, then rounded to the
nearest double. It prints Rust constants and each fit's max absolute error.
"""
import mpmath as mp

mp.mp.dps = 60


def fit(name, f, a, b, n):
    coeffs, err = mp.chebyfit(f, [a, b], n, error=True)
    coeffs = list(reversed(coeffs))  # lowest degree first
    print(f"// {name}: degree {n - 1} on [{mp.nstr(a, 6)}, {mp.nstr(b, 6)}], max error {mp.nstr(err, 3)}")
    print(f"const {name}: [f64; {n}] = [")
    for c in coeffs:
        print(f"    {float(c)!r},")
    print("];")


def sin_s(z):
    r = mp.sqrt(z)
    return (mp.sin(r) / r - 1) / z if z != 0 else mp.mpf(-1) / 6


def cos_c(z):
    r = mp.sqrt(z)
    return (mp.cos(r) - 1 + z / 2) / (z * z) if z != 0 else mp.mpf(1) / 24


def exp_p(r):
    return (mp.exp(r) - 1 - r) / (r * r) if r != 0 else mp.mpf(1) / 2


def log_r(z):
    s = mp.sqrt(z)
    return 2 * (mp.atanh(s) / s - 1) / z if z != 0 else mp.mpf(2) / 3


q = mp.pi / 4
fit("SIN", sin_s, 0, q * q, 7)
fit("COS", cos_c, 0, q * q, 7)
ln2h = mp.log(2) / 2
fit("EXP", exp_p, -ln2h, ln2h, 11)
smax = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
fit("LOG", log_r, 0, smax * smax, 7)


def split(x, bits):
    """x rounded toward zero to `bits` significant bits, and the rest."""
    e = mp.floor(mp.log(abs(x), 2))
    scale = mp.mpf(2) ** (bits - 1 - e)
    hi = mp.floor(x * scale) / scale
    return hi, x - hi


print("// pi/2 in 33-bit pieces (so q * piece is exact for |q| < 2^20), then the tail")
rest = mp.pi / 2
for k in range(3):
    p, rest = split(rest, 33)
    print(f"const PIO2_{k + 1}: f64 = {float(p)!r};")
print(f"const PIO2_3T: f64 = {float(rest)!r};")
print("// ln 2 in a 42-bit head (n * head exact for |n| < 2^11) and a tail")
h, t = split(mp.log(2), 42)
print(f"const LN2_HI: f64 = {float(h)!r};")
print(f"const LN2_LO: f64 = {float(t)!r};")
print("// ln 2 as the nearest double and the rest (for exp2's r * ln 2 in double-double)")
l2 = mp.log(2)
print(f"const LN2: f64 = {float(l2)!r};")
print(f"const LN2_TAIL: f64 = {float(l2 - mp.mpf(float(l2)))!r};")
