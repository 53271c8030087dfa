"""Shared helpers: the float64 PyTorch reference and the C API's tolerance."""

import zlib

import numpy as np
import pytest


def tolerance_check(y, ref, bound):
    """The C API's contract: |y - r| <= 1e-5 * (sum |x*w| + |bias|) per output."""
    y = np.asarray(y, dtype=np.float64)
    err = np.abs(y - ref)
    limit = 1e-5 * bound + 1e-30
    worst = np.argmax(err - limit) if err.size else 0
    assert err.size == 0 or (err <= limit).all(), (
        f"error {err.flat[worst]:.3g} > {limit.flat[worst]:.3g} at flat index {worst} "
        f"(y {y.flat[worst]!r}, reference {ref.flat[worst]!r})")


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))
