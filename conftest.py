"""pytest configuration for the whole repository (unit tests and nbval).

Single-threaded BLAS is set here, at the repository root, before NumPy is imported,
so that the unit tests, the notebook kernels that nbval starts (they inherit this
environment) and ``tools/refresh.py`` all compute with the same BLAS threading,
whichever folder pytest is pointed at.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
