"""numjit.dask on a real dask.distributed LocalCluster (worker processes on loopback)."""

import os

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import numjit  # noqa: E402
import numjit.dask as njd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       worker_dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def numjit_threads():
    return sum(open(f"/proc/self/task/{t}/comm").read().startswith("numjit-")
               for t in os.listdir("/proc/self/task"))


def test_evaluate_matches_numpy(client):
    rng = np.random.default_rng(0)
    a = rng.random((1200, 900))
    b = rng.random(900).astype(np.float32)
    da_a = da.from_array(a, chunks=(600, 450))
    s = 0.5
    r = njd.evaluate("where(a > s, a*b, -a) + 1", {"a": da_a, "b": b, "s": s})
    assert r.dtype == np.float64 and r.shape == a.shape
    assert r._meta.dtype == np.float64  # dtype and meta given, not guessed
    got = r.compute()
    np.testing.assert_array_equal(got, np.where(a > s, a * b, -a) + 1)


def test_result_dtype_follows_numpy2(client):
    x = da.from_array(np.arange(1000, dtype=np.float32), chunks=250)
    r = njd.evaluate("x * 2.5 + 1", {"x": x})
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r.compute(), np.arange(1000, dtype=np.float32) * 2.5 + 1)


def test_workers_use_one_inner_thread(client):
    x = da.from_array(np.linspace(0, 1, 2000 * 1000).reshape(2000, 1000), chunks=(700, 1000))
    njd.evaluate("x*x + 1", {"x": x}).compute()
    if not os.path.exists("/proc/self/task"):
        pytest.skip("needs Linux /proc to count threads")
    # chunks of 700k elements would use numjit's pool; under Dask they run serially
    assert set(client.run(numjit_threads).values()) == {0}


def test_diffusion_step_periodic_matches_numpy(client):
    g = 500
    u0 = np.zeros((g, g))
    u0[200:250, 200:250] = 0.005
    u0[0, :] = 0.001  # something at the periodic edge
    u = da.from_array(u0, chunks=(200, 150))  # uneven chunks, grid larger than one chunk
    ref = u0
    for _ in range(3):
        u = njd.diffusion_step(u, dt=0.1, D=1.0)
        lap = (np.roll(ref, 1, 0) + np.roll(ref, -1, 0) + np.roll(ref, 1, 1)
               + np.roll(ref, -1, 1) - 4 * ref)
        ref = ref + 0.1 * 1.0 * lap
    got = u.compute()
    assert got.shape == (g, g)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-15)
