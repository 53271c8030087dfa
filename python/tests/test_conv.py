"""ndconv.conv1d/2d/3d/convnd and ndconv.Conv against torch.nn.functional.conv*d."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

import ndconv  # noqa: E402
from conftest import tolerance_check  # noqa: E402

TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def same_upper(in_size, kernel, stride, dilation):
    """ONNX SAME_UPPER pads (include/ndconv/ndconv.h), per dim."""
    pads = []
    for n, k, s, d in zip(in_size, kernel, stride, dilation):
        out = -(-n // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def reference(x, w, b, stride, pads, dilation, groups, activation):
    """float64 PyTorch on the NCX/OIX form: (act(conv), conv(|x|, |w|) + |b|)."""
    rank = w.ndim - 2
    flat_pads = [p for pair in reversed(pads) for p in pair]  # F.pad: last dim first
    xt = F.pad(torch.from_numpy(x).double(), flat_pads)
    wt = torch.from_numpy(w).double()
    bt = None if b is None else torch.from_numpy(b).double()
    conv = TORCH_CONV[rank]
    y = conv(xt, wt, bt, stride, 0, dilation, groups)
    bound = conv(xt.abs(), wt.abs(), None if bt is None else bt.abs(), stride, 0, dilation, groups)
    if activation == "relu":
        y = y.clamp(min=0)
    elif isinstance(activation, tuple):
        y = y.clamp(*activation)
    return y.numpy(), bound.numpy()


def to_channels_last(a):           # [N, C, X...] -> [N, X..., C]
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def weight_to_xio(w):              # [O, I, K...] -> [K..., I, O]
    return np.ascontiguousarray(np.transpose(w, list(range(2, w.ndim)) + [1, 0]))


def random_case(rng, rank):
    """A random convolution of one of the kinds the C API accepts."""
    kind = rng.choice(["dense", "grouped", "depthwise", "pointwise"])
    groups = {"dense": 1, "grouped": int(rng.integers(2, 4)), "pointwise": 1,
              "depthwise": int(rng.integers(2, 9))}[kind]
    per_group_in = 1 if kind == "depthwise" else int(rng.integers(1, 6))
    c_in = per_group_in * groups
    c_out = groups * (int(rng.integers(1, 3)) if kind == "depthwise" else int(rng.integers(1, 7)))
    kernel = [1 if kind == "pointwise" else int(rng.integers(1, 4)) for _ in range(rank)]
    stride = [int(rng.integers(1, 3)) for _ in range(rank)]
    dilation = [1 if kind == "pointwise" else int(rng.integers(1, 3)) for _ in range(rank)]
    in_size = [int(rng.integers(d * (k - 1) + 1, d * (k - 1) + 8))
               for k, d in zip(kernel, dilation)]
    padding_kind = "none" if kind == "pointwise" else rng.choice(["int", "asym", "same", "valid"])
    if padding_kind == "same":
        stride = [1] * rank  # PyTorch's 'same' is defined for stride 1 only
    batch = int(rng.integers(1, 3))
    return dict(kind=kind, groups=groups, c_in=c_in, c_out=c_out, kernel=kernel, stride=stride,
                dilation=dilation, in_size=in_size, padding_kind=padding_kind, batch=batch)


def padding_argument(case, rng):
    rank = len(case["kernel"])
    kind = case["padding_kind"]
    if kind in ("none", "valid"):
        return ("valid" if kind == "valid" else 0), [(0, 0)] * rank
    if kind == "same":
        return "same", same_upper(case["in_size"], case["kernel"], case["stride"],
                                  case["dilation"])
    if kind == "int":
        p = int(rng.integers(0, 3))
        return p, [(p, p)] * rank
    pairs = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(rank)]
    return tuple(pairs), pairs


def run_case(rng, rank, channels_last, use_torch, with_bias, activation):
    case = random_case(rng, rank)
    padding, pads = padding_argument(case, rng)
    x = rng.standard_normal([case["batch"], case["c_in"]] + case["in_size"]).astype(np.float32)
    w = rng.standard_normal([case["c_out"], case["c_in"] // case["groups"]]
                            + case["kernel"]).astype(np.float32)
    b = rng.standard_normal(case["c_out"]).astype(np.float32) if with_bias else None
    ref, bound = reference(x, w, b, case["stride"], pads, case["dilation"], case["groups"],
                           activation)
    x_arg, w_arg = (to_channels_last(x), weight_to_xio(w)) if channels_last else (x, w)
    if use_torch:
        x_arg, w_arg = torch.from_numpy(x_arg), torch.from_numpy(w_arg)
    fn = {1: ndconv.conv1d, 2: ndconv.conv2d, 3: ndconv.conv3d}[rank]
    y = fn(x_arg, w_arg, b, case["stride"], padding, case["dilation"], case["groups"],
           activation=activation, channels_last=channels_last)
    assert isinstance(y, torch.Tensor if use_torch else np.ndarray), case
    y = y.numpy() if use_torch else y
    if channels_last:
        y = np.moveaxis(y, -1, 1)
    assert y.shape == ref.shape, case
    tolerance_check(y, ref, bound)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("channels_last", [False, True], ids=["ncx", "nxc"])
@pytest.mark.parametrize("use_torch", [False, True], ids=["numpy", "torch"])
@pytest.mark.parametrize("seed", range(6))
def test_random_shapes_match_torch(rank, channels_last, use_torch, seed):
    rng = np.random.default_rng(1000 * rank + 100 * channels_last + 10 * use_torch + seed)
    activation = [None, "relu", (-0.5, 0.75)][seed % 3]
    run_case(rng, rank, channels_last, use_torch, with_bias=seed % 2 == 0, activation=activation)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_same_padding_matches_torch_same(rng, rank):
    x = torch.randn([2, 4] + [9] * rank)
    w = torch.randn([6, 4] + [2, 3, 4][:rank])   # even kernels: the asymmetric case
    ref = TORCH_CONV[rank](x.double(), w.double(), padding="same", dilation=2)
    y = ndconv.convnd(x, w, padding="same", dilation=2)
    bound = TORCH_CONV[rank](x.double().abs(), w.double().abs(), padding="same", dilation=2)
    tolerance_check(y.numpy(), ref.numpy(), bound.numpy())


def test_text_cnn_shapes_pick_the_ngram_kernel(rng):
    x = rng.standard_normal((2, 1, 20, 32)).astype(np.float32)
    w = rng.standard_normal((8, 1, 3, 32))  # window 96 floats: channels-first ngram.astype(np.float32)
    conv = ndconv.Conv(w)
    y = conv(x)
    # (channels-first: the n-gram GEMM itself, or channels-last between
    # transposes, "ngram-gemm-ncx/", as the tuning's rules say)
    assert conv.kernel_name.startswith(("ngram-gemm/", "ngram-gemm-ncx/"))
    ref, bound = reference(x, w, None, [1, 1], [(0, 0), (0, 0)], [1, 1], 1, None)
    tolerance_check(y, ref, bound)


def test_plan_cached_per_shape_and_output_shape(rng):
    w = rng.standard_normal((4, 3, 3)).astype(np.float32)
    conv = ndconv.Conv(w, padding=1, stride=2)
    assert conv.output_shape((2, 3, 11)) == (2, 4, 6)
    for length in (11, 20, 11, 20):
        x = rng.standard_normal((2, 3, length)).astype(np.float32)
        y = conv(x)
        assert y.shape == conv.output_shape(x.shape)
    assert conv.cached_plans == 2
    assert conv.kernel_name.endswith("/" + ndconv.info()["current"])


def test_out_is_written_in_place_for_numpy_and_torch(rng):
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    expected = ndconv.conv2d(x, w, padding=1)
    out = np.full((1, 5, 8, 8), np.nan, dtype=np.float32)
    assert ndconv.conv2d(x, w, padding=1, out=out) is out
    np.testing.assert_array_equal(out, expected)
    out_t = torch.full((1, 5, 8, 8), float("nan"))
    assert ndconv.conv2d(torch.from_numpy(x), w, padding=1, out=out_t) is out_t
    np.testing.assert_array_equal(out_t.numpy(), expected)


def test_conversion_rule(rng):
    """float32 C-contiguous: in place; float64, float16, non-contiguous and
    requires_grad inputs: converted to float32, same result."""
    x = rng.standard_normal((2, 3, 10)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3)).astype(np.float32)
    conv = ndconv.Conv(w)
    expected = conv(x)
    np.testing.assert_array_equal(conv(x.astype(np.float64)), expected)
    wide = np.zeros((2, 3, 20), dtype=np.float32)
    wide[:, :, ::2] = x
    np.testing.assert_array_equal(conv(wide[:, :, ::2]), expected)          # strided view
    t = torch.from_numpy(x).requires_grad_(True)
    np.testing.assert_array_equal(conv(t).numpy(), expected)
    np.testing.assert_array_equal(conv(torch.from_numpy(x).double()).numpy(), expected)
    nchw = torch.from_numpy(np.ascontiguousarray(x[:, :, :, None]))
    cl = nchw.contiguous(memory_format=torch.channels_last)                 # non-contiguous strides
    np.testing.assert_array_equal(ndconv.conv2d(cl, w[..., None]).numpy()[..., 0], expected)
    half = conv(x.astype(np.float16))
    ref = conv(x.astype(np.float16).astype(np.float32))
    np.testing.assert_array_equal(half, ref)


def test_input_is_used_in_place_not_copied(rng, monkeypatch):
    """A contiguous float32 input reaches the C call without the conversion helper."""
    import ndconv._tensors as helpers
    monkeypatch.setattr(helpers, "torch_to_numpy", lambda *a: pytest.fail("converted"))
    x = torch.randn(1, 3, 12)
    y = ndconv.conv1d(x, torch.randn(2, 3, 3))
    assert y.shape == (1, 2, 10)


def test_thread_pool_gives_the_same_bits(rng):
    x = rng.standard_normal((4, 16, 24, 24)).astype(np.float32)
    w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    conv = ndconv.Conv(w, padding=1, activation="relu")
    with ndconv.ThreadPool(2) as pool:
        np.testing.assert_array_equal(conv(x, pool=pool), conv(x))


def test_set_isa_each_available_isa_matches(rng):
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    w = rng.standard_normal((8, 8, 3, 3)).astype(np.float32)
    ref, bound = reference(x, w, None, [1, 1], [(1, 1), (1, 1)], [1, 1], 1, None)
    info = ndconv.info()
    try:
        for isa in info["available"]:
            ndconv.set_isa(isa)
            assert ndconv.info()["current"] == isa
            conv = ndconv.Conv(w, padding=1)
            tolerance_check(conv(x), ref, bound)
            assert conv.kernel_name.endswith("/" + isa)
    finally:
        ndconv.set_isa(info["current"])
