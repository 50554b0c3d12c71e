"""numjit over Dask arrays: expressions evaluated chunk by chunk.

* ``evaluate(ex, local_dict=None, *, threads=1)``: Dask arrays, NumPy arrays and Python
  scalars in, a lazy Dask array out. The result dtype is numjit's, found by compiling
  for the inputs' dtypes, and passed to Dask as ``dtype=`` and ``meta=``, so Dask never
  calls the function on fake data to guess.
* ``diffusion_step(u, dt=0.1, D=1.0, *, threads=1)``: one explicit step of the 2-D heat
  equation on a periodic grid, ``u + dt*D*(up + down + left + right - 4*u)``, with
  ``map_overlap`` (a halo of one cell); inside each block the neighbours are strided
  views of the halo'd block, so one fused numjit kernel does the step without copies.

Every chunk runs under ``numjit.thread_limit(threads)`` (default 1): Dask already runs
one task per core, so numjit does not add threads of its own unless told to.
"""

import functools

import dask.array as da
import numpy as np

from . import _numjit, thread_limit

__all__ = ["evaluate", "diffusion_step"]

DIFFUSION = "u + dt*D*(up + dn + lf + rt - 4*u)"


def _chunk(*blocks, ex, names, fixed, threads):
    local = dict(fixed)
    local.update(zip(names, blocks))
    with thread_limit(threads):
        return _numjit.evaluate(ex, local_dict=local)


def _result_dtype(ex, arrays, fixed):
    probe = dict(fixed)
    for k, a in arrays.items():
        probe[k] = np.empty((0,) * a.ndim, dtype=a.dtype)
    return _numjit.evaluate(ex, local_dict=probe).dtype


def evaluate(ex, local_dict=None, *, threads=1, _frame_depth=1):
    """Evaluates ``ex`` lazily over Dask arrays (see the module docstring). Names are
    looked up in ``local_dict``, else in the caller's locals and globals."""
    import sys
    names = _numjit.input_names(ex)
    if local_dict is None:
        frame = sys._getframe(_frame_depth)
        local_dict = {**frame.f_globals, **frame.f_locals}
    arrays, fixed = {}, {}
    for n in names:
        if n not in local_dict:
            fixed[n] = None  # let numjit report the missing name with its span
            continue
        v = local_dict[n]
        if isinstance(v, da.Array):
            arrays[n] = v
        elif isinstance(v, np.ndarray) and v.ndim > 0:
            arrays[n] = da.from_array(v, chunks=v.shape)
        else:
            fixed[n] = v
    fixed = {k: v for k, v in fixed.items() if v is not None}
    dtype = _result_dtype(ex, arrays, fixed)
    if not arrays:
        return da.from_array(_numjit.evaluate(ex, local_dict=fixed))
    arr_names = list(arrays)
    ndim = max(a.ndim for a in arrays.values())
    fn = functools.partial(_chunk, ex=ex, names=arr_names, fixed=fixed, threads=threads)
    out_ind = tuple(range(ndim))
    pairs = []
    for a in arrays.values():
        pairs += [a, out_ind[ndim - a.ndim:]]
    # blockwise aligns the chunks of equally long dimensions (rechunking if needed)
    # and broadcasts length-1 ones; dtype and meta are given, so Dask never probes.
    return da.blockwise(fn, out_ind, *pairs, dtype=dtype,
                        meta=np.empty((0,) * ndim, dtype=dtype), align_arrays=True)


def _diffusion_block(block, *, dt, D, threads):
    # `block` carries a one-cell halo on every side; the result is its interior.
    local = dict(u=block[1:-1, 1:-1], up=block[:-2, 1:-1], dn=block[2:, 1:-1],
                 lf=block[1:-1, :-2], rt=block[1:-1, 2:], dt=dt, D=D)
    with thread_limit(threads):
        return _numjit.evaluate(DIFFUSION, local_dict=local)


def diffusion_step(u, dt=0.1, D=1.0, *, threads=1, boundary="periodic"):
    """One explicit diffusion step of the 2-D Dask array ``u`` (halo 1)."""
    if u.ndim != 2:
        raise ValueError(f"diffusion_step needs a 2-D array, not {u.ndim}-D")
    fn = functools.partial(_diffusion_block, dt=float(dt), D=float(D), threads=threads)
    return da.map_overlap(fn, u, depth=1, boundary=boundary, trim=False,
                          dtype=u.dtype, meta=np.empty((0, 0), dtype=u.dtype),
                          chunks=u.chunks)
