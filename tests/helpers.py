"""Numerical helpers shared by the unit tests."""

import numpy as np


def finite_difference_grad(f, W, h=1e-6):
    """Central finite-difference gradient of a scalar function ``f`` of an array ``W``."""
    G = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        G[idx] = (f(W + E) - f(W - E)) / (2 * h)
    return G
