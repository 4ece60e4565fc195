"""Run chapter 9's comparison of the positive initialization with Xavier and He, and store it.

    python tools/init_sweep.py [--out PATH]

The sweep (four input matrices, two widths, six initializations, a tuned step each) takes a
minute or two on one core, too long for a notebook that must run in 20 s. This script runs
``lplbook.networks.init_sweep()`` with the book's ``SweepSettings()`` and writes the results
to ``lplbook/results/ch9x_init_sweep.json`` (shipped with the package), which
``book/ch09_networks_experiments.ipynb`` reads. The notebook re-runs part of the sweep and
checks it against the file; ``tests/test_init_sweep.py`` re-runs all of it.
"""

from __future__ import annotations

import argparse
import pathlib
import time

from lplbook import networks

DEFAULT = pathlib.Path(__file__).resolve().parents[1] / "lplbook" / "results" / networks.SWEEP_FILE


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT, help=f"output file (default {DEFAULT})")
    args = parser.parse_args(argv)
    settings = networks.SweepSettings()
    start = time.perf_counter()
    results = networks.init_sweep(settings)
    networks.save_init_sweep(results, settings, args.out)
    print(f"wrote {args.out} ({len(results)} comparisons) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
