"""Bad input from Python raises the right exception, with a message, before any
C run; nothing crashes (the asan preset runs this under AddressSanitizer)."""

import numpy as np
import pytest

import ndconv

X = np.zeros((1, 4, 8, 8), dtype=np.float32)
W = np.ones((6, 4, 3, 3), dtype=np.float32)


def test_wrong_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="input has dtype int32"):
        ndconv.conv2d(X.astype(np.int32), W)
    with pytest.raises(TypeError, match="weight has dtype complex64"):
        ndconv.conv2d(X, W.astype(np.complex64))
    with pytest.raises(TypeError, match="input must be a numpy.ndarray or a torch.Tensor"):
        ndconv.Conv(W)("not an array")


def test_wrong_rank_and_channels_are_value_errors():
    conv = ndconv.Conv(W)
    with pytest.raises(ValueError, match=r"input has shape \(4, 8, 8\) \(3 dims\).*takes 4"):
        conv(X[0])
    with pytest.raises(ValueError, match="input has 3 channels.*in_channels = 4"):
        conv(X[:, :3])
    with pytest.raises(ValueError, match="conv1d: weight must have 3 dims"):
        ndconv.conv1d(X, W)
    with pytest.raises(ValueError, match="weight has shape"):
        ndconv.Conv(np.ones(5, dtype=np.float32))
    with pytest.raises(ValueError, match="bias has shape"):
        ndconv.Conv(W, np.ones(5, dtype=np.float32))


def test_negative_and_zero_sizes_are_value_errors():
    with pytest.raises(ValueError, match=r"stride\[1\] = -1 must be >= 1"):
        ndconv.Conv(W, stride=(1, -1))
    with pytest.raises(ValueError, match=r"dilation\[0\] = 0 must be >= 1"):
        ndconv.Conv(W, dilation=0)
    with pytest.raises(ValueError, match=r"padding\[1\] end = -2 must be >= 0"):
        ndconv.Conv(W, padding=(1, (0, -2)))
    with pytest.raises(ValueError, match="groups = -2"):
        ndconv.Conv(W, groups=-2)
    with pytest.raises(ValueError, match="not divisible by groups = 4"):
        ndconv.Conv(W, groups=4)
    with pytest.raises(ValueError, match="padding = 'full'"):
        ndconv.Conv(W, padding="full")
    with pytest.raises(ValueError, match="activation = 'gelu'"):
        ndconv.Conv(W, activation="gelu")
    with pytest.raises(ValueError, match="lo <= hi"):
        ndconv.Conv(W, activation=(1.0, 0.0))


def test_library_messages_reach_python():
    """Checks only the C library makes come back as ValueError with its message."""
    with pytest.raises(ValueError, match=r"kernel\[0\] = 3 exceeds padded input extent 2"):
        ndconv.conv2d(X[:, :, :2, :2], W)
    with pytest.raises(ValueError, match="batch.*NDCONV_INVALID_ARGUMENT"):
        ndconv.conv2d(X[:0], W)
    assert ndconv.Conv(W).output_shape((1, 4, 8, 8)) == (1, 6, 6, 6)
    with pytest.raises(ValueError, match="exceeds padded input extent"):
        ndconv.Conv(W).output_shape((1, 4, 2, 8))


def test_bad_out_is_caught_before_the_run():
    conv = ndconv.Conv(W)
    with pytest.raises(ValueError, match=r"out has shape \(1, 6, 6, 5\), expected \(1, 6, 6, 6\)"):
        conv(X, out=np.zeros((1, 6, 6, 5), dtype=np.float32))
    readonly = np.zeros((1, 6, 6, 6), dtype=np.float32)
    readonly.setflags(write=False)
    with pytest.raises(ValueError, match="out is read-only"):
        conv(X, out=readonly)
    np.testing.assert_array_equal(readonly, 0)
    with pytest.raises(TypeError, match="out has dtype float64"):
        conv(X, out=np.zeros((1, 6, 6, 6)))
    with pytest.raises(ValueError, match="C-contiguous"):
        conv(X, out=np.zeros((1, 6, 6, 12), dtype=np.float32)[..., ::2])
    big = np.zeros(1 * 4 * 8 * 8 + 1000, dtype=np.float32)
    with pytest.raises(ValueError, match="overlaps the input"):
        conv(big[:256].reshape(1, 4, 8, 8), out=big[100:316].reshape(1, 6, 6, 6))


def test_released_plans_and_pools():
    conv = ndconv.Conv(W)
    conv(X)
    conv.close()
    with pytest.raises(ValueError, match="released"):
        conv(X)
    with ndconv.Conv(W) as scoped:
        scoped(X)
    with pytest.raises(ValueError, match="released"):
        scoped(X)
    pool = ndconv.ThreadPool(2)
    pool.close()
    with pytest.raises(ValueError, match="ThreadPool was closed"):
        ndconv.Conv(W)(X, pool=pool)
    with pytest.raises(TypeError, match="pool must be an ndconv.ThreadPool"):
        ndconv.Conv(W)(X, pool=4)
    block = ndconv.TextCNN([np.ones((2, 8, 3), dtype=np.float32)])
    block.close()
    with pytest.raises(ValueError, match="TextCNN was released"):
        block(np.zeros((1, 5, 8), dtype=np.float32))


def test_textcnn_bad_input():
    w = np.ones((3, 8, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="embedding size E = 9"):
        ndconv.TextCNN([w, np.ones((2, 9, 4), dtype=np.float32)])
    with pytest.raises(ValueError, match="TextCNN takes 1..8 branch kernels, got 0"):
        ndconv.TextCNN([])
    with pytest.raises(ValueError, match=r"biases\[0\] has shape \(3,\)"):
        ndconv.TextCNN([w], [np.ones(3, dtype=np.float32)])
    block = ndconv.TextCNN([w])
    with pytest.raises(ValueError, match="expected 3 dims"):
        block(np.zeros((5, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="embedding size 7"):
        block(np.zeros((1, 5, 7), dtype=np.float32))
    with pytest.raises(ValueError, match="ngram"):   # the library's message: k > L
        block(np.zeros((1, 2, 8), dtype=np.float32))


def test_isa_names():
    with pytest.raises(ValueError, match="isa = 'sse9' is not an ISA name"):
        ndconv.set_isa("sse9")
    info = ndconv.info()
    assert info["detected"] in ("scalar", "avx2", "avx512", "neon")
    assert info["current"] in info["available"]
    missing = [isa for isa in ("avx2", "avx512", "neon") if isa not in info["available"]]
    for isa in missing:
        with pytest.raises(ndconv.UnsupportedError, match="NDCONV_UNSUPPORTED"):
            ndconv.set_isa(isa)
    assert issubclass(ndconv.UnsupportedError, RuntimeError)
    assert ndconv.info()["current"] == info["current"]


def test_torch_specific_errors():
    torch = pytest.importorskip("torch")
    conv = ndconv.Conv(W)
    with pytest.raises(TypeError, match="input has dtype int64"):
        conv(torch.zeros((1, 4, 8, 8), dtype=torch.int64))
    with pytest.raises(TypeError, match="out requires grad"):
        conv(X, out=torch.zeros((1, 6, 6, 6), requires_grad=True))
    with pytest.raises(TypeError, match="out has dtype float64"):
        conv(X, out=torch.zeros((1, 6, 6, 6), dtype=torch.float64))
    with pytest.raises(ValueError, match="out has shape"):
        conv(torch.from_numpy(X), out=torch.zeros((1, 6, 6)))
