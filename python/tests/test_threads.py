"""4 Python threads running one plan at once give the single-threaded results,
bit for bit (the GIL is released during every run)."""

import threading

import numpy as np
import pytest

import ndconv

THREADS = 4
ROUNDS = 20


def run_concurrently(work):
    barrier = threading.Barrier(THREADS)
    errors = []

    def body(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.parametrize("channels_last", [False, True], ids=["ncx", "nxc"])
@pytest.mark.parametrize("with_pool", [False, True], ids=["calling-thread", "shared-pool"])
def test_threads_share_one_conv_plan(channels_last, with_pool):
    rng = np.random.default_rng(11)
    shape = (2, 20, 20, 16) if channels_last else (2, 16, 20, 20)
    w = rng.standard_normal((3, 3, 16, 24) if channels_last else (24, 16, 3, 3))
    conv = ndconv.Conv(w.astype(np.float32), rng.standard_normal(24), padding=1,
                       activation="relu", channels_last=channels_last)
    inputs = [rng.standard_normal(shape).astype(np.float32) for _ in range(THREADS)]
    expected = [conv(x) for x in inputs]        # single-threaded, on the calling thread
    pool = ndconv.ThreadPool(2) if with_pool else None
    results = [[] for _ in range(THREADS)]

    def work(index):
        for _ in range(ROUNDS):
            results[index].append(conv(inputs[index], pool=pool))

    run_concurrently(work)
    for index in range(THREADS):
        for y in results[index]:
            np.testing.assert_array_equal(y, expected[index])


def test_threads_share_one_textcnn_plan():
    rng = np.random.default_rng(12)
    block = ndconv.TextCNN([rng.standard_normal((k, 32, 16)) for k in (2, 3, 4)])
    inputs = [rng.standard_normal((4, 40, 32)).astype(np.float32) for _ in range(THREADS)]
    expected = [block(x) for x in inputs]
    outs = [np.empty_like(e) for e in expected]

    def work(index):
        for _ in range(ROUNDS):
            block(inputs[index], out=outs[index])
            np.testing.assert_array_equal(outs[index], expected[index])

    run_concurrently(work)


def test_plan_created_by_racing_threads_is_one_plan():
    """Threads that meet a new shape at once all get correct results, one plan."""
    w = np.random.default_rng(13).standard_normal((8, 4, 5)).astype(np.float32)
    x = np.random.default_rng(14).standard_normal((3, 4, 50)).astype(np.float32)
    reference = ndconv.Conv(w)(x)      # another plan of the same shape: same algorithm, same bits
    conv = ndconv.Conv(w)
    results = [None] * THREADS

    def work(index):
        results[index] = conv(x)

    run_concurrently(work)
    assert conv.cached_plans == 1
    for y in results:
        np.testing.assert_array_equal(y, reference)
