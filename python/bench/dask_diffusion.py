"""Diffusion on Dask: numjit.dask.diffusion_step vs the same step in NumPy inside
map_overlap, on a LocalCluster (worker processes on loopback), grid larger than a chunk.

    python bench/dask_diffusion.py [--grid 4096] [--chunk 1024] [--steps 10] [--workers 2]
"""

import argparse
import statistics
import time

import dask.array as da
import distributed
import numpy as np

import numjit.dask as njd


def numpy_block(b, dt, D):
    u = b[1:-1, 1:-1]
    return u + dt * D * (b[:-2, 1:-1] + b[2:, 1:-1] + b[1:-1, :-2] + b[1:-1, 2:] - 4 * u)


def numpy_step(u, dt=0.1, D=1.0):
    return da.map_overlap(numpy_block, u, depth=1, boundary="periodic", trim=False,
                          dtype=u.dtype, meta=np.empty((0, 0)), chunks=u.chunks, dt=dt, D=D)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", type=int, default=4096)
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    g = args.grid
    u0 = np.zeros((g, g))
    u0[int(g * .4):int(g * .5), int(g * .4):int(g * .5)] = 0.005
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        u = client.persist(da.from_array(u0, chunks=args.chunk))
        distributed.wait(u)
        res = {}
        for name, step in (("numpy", numpy_step), ("numjit", njd.diffusion_step)):
            times = []
            for _ in range(args.repeat):
                v = u
                for _ in range(args.steps):
                    v = step(v)
                t0 = time.perf_counter()
                v = client.persist(v)
                distributed.wait(v)
                times.append((time.perf_counter() - t0) / args.steps)
            res[name] = (statistics.median(times), v)
        a, b = res["numpy"][1].compute(), res["numjit"][1].compute()
        print(f"grid {g}x{g}, chunks {args.chunk}, {args.workers} workers x 1 thread, "
              f"{args.steps} steps, median of {args.repeat}")
        for name, (t, _) in res.items():
            print(f"  {name:7s} {t * 1e3:8.1f} ms per step")
        print(f"  ratio numpy/numjit {res['numpy'][0] / res['numjit'][0]:.2f}; "
              f"max |diff| {np.max(np.abs(a - b)):.3g}")


if __name__ == "__main__":
    main()
