"""Thread settings, with numexpr's names and environment variables.

* ``NUMEXPR_MAX_THREADS`` (default 64) caps ``set_num_threads``.
* The starting count is ``NUMJIT_NUM_THREADS``, else ``NUMEXPR_NUM_THREADS``, else
  ``OMP_NUM_THREADS`` (empty strings count as unset), else the number of cores numjit
  may run on, at most 16 unless ``NUMEXPR_MAX_THREADS`` is set (numexpr's rule).
* numjit's worker pool is shared by every Python thread: however many threads call
  ``evaluate`` at once, at most ``get_num_threads()`` workers compute.
"""

import os

from . import _numjit


def _env_int(name):
    v = os.environ.get(name, "").strip()
    if not v:
        return None
    try:
        n = int(v)
    except ValueError:
        return None
    return n if n > 0 else None


MAX_THREADS = min(_env_int("NUMEXPR_MAX_THREADS") or 64, _numjit.MAX_NUM_THREADS)


def detect_number_of_cores():
    """The number of cores this process may run on (its CPU affinity when the OS
    tells, else all online cores)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def set_num_threads(nthreads):
    """Sets how many threads evaluations use (1 runs on the calling thread) and
    returns the previous setting. Raises ValueError outside 1..MAX_THREADS (numexpr
    prints an error and returns -1)."""
    n = int(nthreads)
    if n < 1 or n > MAX_THREADS:
        raise ValueError(
            f"the number of threads must be between 1 and MAX_THREADS={MAX_THREADS}, not {n} "
            "(raise the cap with the NUMEXPR_MAX_THREADS environment variable before import)")
    return _numjit._set_num_threads(n)


def get_num_threads():
    """How many threads evaluations use."""
    return _numjit._get_num_threads()


def _init_num_threads():
    """Reads the environment (see the module docstring), sets and returns the count."""
    requested = (_env_int("NUMJIT_NUM_THREADS") or _env_int("NUMEXPR_NUM_THREADS")
                 or _env_int("OMP_NUM_THREADS"))
    if requested is None:
        cores = detect_number_of_cores()
        if _env_int("NUMEXPR_MAX_THREADS") is None:
            cores = min(cores, 16)
        requested = min(cores, MAX_THREADS)
    requested = max(1, min(requested, MAX_THREADS))
    _numjit._set_num_threads(requested)
    return requested


def detect_number_of_threads():
    """Deprecated in numexpr; the count ``_init_num_threads`` would choose."""
    n = (_env_int("NUMEXPR_NUM_THREADS") or _env_int("OMP_NUM_THREADS")
         or detect_number_of_cores())
    return min(n, MAX_THREADS)


# numexpr's VML (Intel MKL) knobs: numjit has no VML, so they do nothing, as in a
# numexpr built without MKL.
def set_vml_num_threads(nthreads):
    return None


def get_vml_num_threads():
    return None


def set_vml_accuracy_mode(mode):
    if mode not in (None, "high", "low", "fast"):
        raise ValueError("mode argument must be one of: None, 'high', 'low', 'fast'")
    return None


def get_vml_version():
    return None
