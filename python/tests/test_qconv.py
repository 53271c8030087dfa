"""ndconv.QConv / ndconv.qconv*d (int8) against torch.ao.nn.quantized's
engines (onednn, qnnpack) and an exact numpy int64 reference.

- int32 output (ConvInteger): exact against sum((x - zp) * w) + bias in int64.
- float32 output: within 1e-6 relative of acc * input_scale * weight_scale[c].
- uint8/int8 output: within 1 of the float64 requantization (the C API's
  contract) and within 1 of PyTorch's (engines round differently).
"""

import threading

import numpy as np
import pytest
import torch

import ndconv

ENGINES = [e for e in ("onednn", "qnnpack", "fbgemm")
           if e in torch.backends.quantized.supported_engines]


def int_reference(x, w, bias, zero_point, stride, pad, dilation, groups):
    """sum over the window of (x - zero_point) * w + bias, in int64; NCX / OIX."""
    rank = x.ndim - 2
    xi = np.pad(x.astype(np.int64) - zero_point, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    k = w.shape[2:]
    out = [(xi.shape[2 + i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(rank)]
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    acc = np.zeros((n, o, *out), np.int64)
    wi = w.astype(np.int64)
    for tap in np.ndindex(*k):
        window = tuple(slice(tap[i] * dilation[i], tap[i] * dilation[i] + stride[i] * (out[i] - 1) + 1,
                             stride[i]) for i in range(rank))
        patch = xi[(slice(None), slice(None)) + window]
        for g in range(groups):
            acc[:, g * og:(g + 1) * og] += np.einsum(
                "nc...,oc->no...", patch[:, g * cg:(g + 1) * cg],
                wi[(slice(g * og, (g + 1) * og), slice(None)) + tap])
    if bias is not None:
        acc += bias.astype(np.int64).reshape((1, -1) + (1,) * rank)
    return acc


def requantize(acc, step, out_scale, out_zp, dtype, relu):
    """The C API's definition in float64; step[c] = input_scale * weight_scale[c]."""
    rank = acc.ndim - 2
    q = np.rint(acc * step.reshape((1, -1) + (1,) * rank) / out_scale) + out_zp
    if relu:
        q = np.maximum(q, out_zp)
    info = np.iinfo(dtype)
    return np.clip(q, info.min, info.max)


def random_case(rng, rank, per_channel, input_dtype="uint8"):
    groups = int(rng.choice([1, 1, 2, 4]))
    cin = groups * int(rng.integers(1, 6))
    cout = groups * int(rng.integers(1, 5))
    k = [int(rng.integers(1, 4)) for _ in range(rank)]
    stride = [int(rng.integers(1, 3)) for _ in range(rank)]
    dilation = [int(rng.integers(1, 3)) for _ in range(rank)]
    pad = [int(rng.integers(0, 3)) for _ in range(rank)]
    size = [int(rng.integers(dilation[i] * (k[i] - 1) + 1, 12 if rank < 3 else 7))
            for i in range(rank)]
    info = np.iinfo(input_dtype)
    x = rng.integers(info.min, info.max + 1, (int(rng.integers(1, 3)), cin, *size)).astype(input_dtype)
    w = rng.integers(-127, 128, (cout, cin // groups, *k)).astype(np.int8)
    scales = rng.uniform(0.002, 0.02, cout if per_channel else 1).astype(np.float32)
    bias = rng.integers(-2000, 2000, cout).astype(np.int32)
    zp = int(rng.integers(info.min, info.max + 1))
    return dict(x=x, w=w, scales=scales, bias=bias, zp=zp, stride=stride, pad=pad,
                dilation=dilation, groups=groups)


@pytest.mark.parametrize("seed", range(24))
def test_int32_output_exact(seed):
    rng = np.random.default_rng(seed)
    rank = 1 + seed % 3
    input_dtype = "int8" if seed % 2 else "uint8"
    c = random_case(rng, rank, per_channel=seed % 4 < 2, input_dtype=input_dtype)
    relu = seed % 3 == 0
    bias = c["bias"] if seed % 5 else None
    ref = int_reference(c["x"], c["w"], bias, c["zp"], c["stride"], c["pad"], c["dilation"],
                        c["groups"])
    if relu:
        ref = np.maximum(ref, 0)
    conv = ndconv.QConv(c["w"], c["scales"], bias, c["stride"], c["pad"], c["dilation"],
                        c["groups"], "relu" if relu else None, input_dtype=input_dtype,
                        input_scale=0.05, input_zero_point=c["zp"], output_dtype="int32")
    y = conv(c["x"])
    assert y.dtype == np.int32 and y.shape == ref.shape
    np.testing.assert_array_equal(y, ref)
    assert conv.kernel_name.startswith("int8-")


@pytest.mark.parametrize("seed", range(4))
def test_channels_last_exact(seed):
    rng = np.random.default_rng(100 + seed)
    rank = 1 + seed % 2
    c = random_case(rng, rank, per_channel=True)
    ref = int_reference(c["x"], c["w"], c["bias"], c["zp"], c["stride"], c["pad"],
                        c["dilation"], c["groups"])
    to_last = (0, *range(2, rank + 2), 1)
    x_nxc = np.ascontiguousarray(c["x"].transpose(to_last))
    w_xio = np.ascontiguousarray(c["w"].transpose(*range(2, rank + 2), 1, 0))
    conv = ndconv.QConv(w_xio, c["scales"], c["bias"], c["stride"], c["pad"], c["dilation"],
                        c["groups"], channels_last=True, input_scale=0.05,
                        input_zero_point=c["zp"], output_dtype="int32")
    np.testing.assert_array_equal(conv(x_nxc), ref.transpose(to_last))


@pytest.mark.parametrize("output_dtype", ["uint8", "int8", "float32"])
@pytest.mark.parametrize("relu", [False, True])
def test_requantized_and_float_outputs(output_dtype, relu):
    rng = np.random.default_rng(7 if relu else 8)
    c = random_case(rng, 2, per_channel=True)
    acc = int_reference(c["x"], c["w"], c["bias"], c["zp"], c["stride"], c["pad"],
                        c["dilation"], c["groups"])
    in_scale, out_scale = 0.05, 0.2
    out_zp = 0 if output_dtype == "int8" else 100
    step = in_scale * c["scales"].astype(np.float64) * np.ones(c["w"].shape[0])
    conv = ndconv.QConv(c["w"], c["scales"], c["bias"], c["stride"], c["pad"], c["dilation"],
                        c["groups"], "relu" if relu else None, input_scale=in_scale,
                        input_zero_point=c["zp"], output_dtype=output_dtype,
                        output_scale=out_scale, output_zero_point=out_zp)
    y = conv(c["x"])
    assert y.dtype == np.dtype(output_dtype)
    if output_dtype == "float32":
        ref = acc * step.reshape(1, -1, 1, 1)
        if relu:
            ref = np.maximum(ref, 0)
        np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    else:
        ref = requantize(acc, step, out_scale, out_zp, output_dtype, relu)
        assert np.abs(y.astype(np.int64) - ref).max() <= 1
        assert len(np.unique(y)) > 10   # not saturated: the comparison means something


def torch_quantized(c, engine, in_scale, out_scale, out_zp, relu):
    """torch.ops.quantized.conv{rank}d(_relu): uint8 input, qint8 weight, float bias."""
    torch.backends.quantized.engine = engine
    rank = c["x"].ndim - 2
    out_channels = c["w"].shape[0]
    xq = torch._make_per_tensor_quantized_tensor(torch.from_numpy(c["x"]), in_scale, c["zp"])
    if c["scales"].size == 1:
        wq = torch._make_per_tensor_quantized_tensor(torch.from_numpy(c["w"]),
                                                     float(c["scales"][0]), 0)
    else:
        wq = torch._make_per_channel_quantized_tensor(
            torch.from_numpy(c["w"]), torch.from_numpy(c["scales"].astype(np.float64)),
            torch.zeros(out_channels, dtype=torch.int64), 0)
    step = in_scale * c["scales"].astype(np.float64) * np.ones(out_channels)
    bias = torch.from_numpy((c["bias"] * step).astype(np.float32))
    prepack = getattr(torch.ops.quantized, f"conv{rank}d_prepack")
    packed = prepack(wq, bias, c["stride"], c["pad"], c["dilation"], c["groups"])
    op = getattr(torch.ops.quantized, f"conv{rank}d_relu" if relu else f"conv{rank}d")
    return op(xq, packed, out_scale, out_zp).int_repr().numpy(), step


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(16))
def test_uint8_against_torch(engine, seed):
    rng = np.random.default_rng(200 + seed)
    rank = 1 + seed % 3
    relu = seed % 2 == 1
    c = random_case(rng, rank, per_channel=seed % 4 >= 2)
    in_scale, out_scale, out_zp = 0.03, 0.25, int(rng.integers(0, 128))
    expected, step = torch_quantized(c, engine, in_scale, out_scale, out_zp, relu)
    conv = ndconv.QConv(c["w"], c["scales"], c["bias"], c["stride"], c["pad"], c["dilation"],
                        c["groups"], "relu" if relu else None, input_scale=in_scale,
                        input_zero_point=c["zp"], output_scale=out_scale,
                        output_zero_point=out_zp)
    y = conv(c["x"])
    assert y.dtype == np.uint8 and y.shape == expected.shape
    assert np.abs(y.astype(np.int32) - expected).max() <= 1, conv.kernel_name
    assert len(np.unique(expected)) > 4   # a real comparison, not two saturated tensors


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("relu", [False, True])
def test_qconv2d_quantized_tensors(engine, per_channel, relu):
    torch.backends.quantized.engine = engine
    gen = torch.Generator().manual_seed(5 + per_channel)
    x = torch.randn(2, 6, 9, 8, generator=gen)
    w = torch.randn(4, 3, 3, 3, generator=gen) * 0.3
    b = torch.randn(4, generator=gen)
    xq = torch.quantize_per_tensor(x, 0.04, 110, torch.quint8)
    if per_channel:
        wq = torch.quantize_per_channel(w, w.abs().amax(dim=(1, 2, 3)) / 127,
                                        torch.zeros(4, dtype=torch.int64), 0, torch.qint8)
    else:
        wq = torch.quantize_per_tensor(w, float(w.abs().max()) / 127, 0, torch.qint8)
    expected = torch.ao.nn.quantized.functional.conv2d(
        xq, wq, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, scale=0.1,
        zero_point=60)
    expected = expected.int_repr().int()
    if relu:   # torch.ops.quantized.conv2d_relu: the requantized value raised to the zero point
        expected = expected.clamp(min=60)
    y = ndconv.qconv2d(xq, wq, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2,
                       activation="relu" if relu else None, scale=0.1, zero_point=60)
    assert y.dtype == torch.quint8 and y.q_scale() == 0.1 and y.q_zero_point() == 60
    assert y.shape == expected.shape
    assert int((y.int_repr().int() - expected).abs().max()) <= 1
    assert len(expected.unique()) > 10


def test_torch_tensors_plans_and_copies():
    rng = np.random.default_rng(3)
    w = rng.integers(-127, 128, (8, 4, 3)).astype(np.int8)
    conv = ndconv.QConv(torch.from_numpy(w), [0.01] * 8, torch.arange(8, dtype=torch.int32),
                        padding=1, input_scale=0.1, input_zero_point=128, output_dtype="int32")
    x = rng.integers(0, 256, (2, 4, 10)).astype(np.uint8)
    ref = int_reference(x, w, np.arange(8), 128, [1], [1], [1], 1)
    y = conv(torch.from_numpy(x))
    assert isinstance(y, torch.Tensor) and y.dtype == torch.int32
    np.testing.assert_array_equal(y.numpy(), ref)
    strided = np.zeros((2, 4, 20), np.uint8)
    strided[:, :, ::2] = x
    np.testing.assert_array_equal(conv(strided[:, :, ::2]), ref)   # copied once, same result
    assert conv.cached_plans == 1
    conv(x[:1])
    assert conv.cached_plans == 2
    assert conv.output_shape((5, 4, 7)) == (5, 8, 7)


def test_threads_share_a_plan():
    rng = np.random.default_rng(4)
    w = rng.integers(-127, 128, (16, 16, 3, 3)).astype(np.int8)
    conv = ndconv.QConv(w, 0.01, padding=1, input_scale=0.05, input_zero_point=3,
                        output_scale=0.5, output_zero_point=10)
    xs = [rng.integers(0, 256, (1, 16, 24, 24)).astype(np.uint8) for _ in range(4)]
    expected = [conv(x) for x in xs]
    results = [None] * 4

    def run(i):
        for _ in range(10):
            results[i] = conv(xs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


W = np.ones((4, 2, 3), np.int8)
X = np.full((1, 2, 8), 7, np.uint8)


@pytest.mark.parametrize("kwargs, field", [
    (dict(input_scale=-1.0), "input_scale"),
    (dict(input_scale=float("nan")), "input_scale"),
    (dict(input_zero_point=300), "input_zero_point"),
    (dict(output_scale=0.0), "output_scale"),
    (dict(output_zero_point=-1), "output_zero_point"),
    (dict(weight_scale=[0.1, float("inf"), 0.1, 0.1]), "weight_scales[1]"),
    (dict(weight_scale=[0.1, 0.1]), "weight_scale_count"),
    (dict(output_dtype="int32", activation=(0.0, 6.0)), "activation"),
    (dict(stride=0), "stride"),
    (dict(input_dtype="float32"), "input_dtype"),
    (dict(output_dtype="uint16"), "output_dtype"),
])
def test_bad_arguments_raise_value_error_naming_the_field(kwargs, field):
    args = dict(weight_scale=0.1, input_scale=0.1, input_zero_point=0, output_scale=0.1,
                output_zero_point=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        conv = ndconv.QConv(W, **args)
        conv(X)


def test_bad_inputs():
    conv = ndconv.QConv(W, 0.1, input_scale=0.1, output_scale=0.1)
    with pytest.raises(TypeError, match="dtype int8"):
        conv(X.astype(np.int8))
    with pytest.raises(TypeError, match="dtype float32"):
        conv(X.astype(np.float32))
    with pytest.raises(ValueError, match="in_channels = 2"):
        conv(np.zeros((1, 3, 8), np.uint8))
    with pytest.raises(ValueError, match="3 dims"):
        conv(np.zeros((2, 8), np.uint8))
    with pytest.raises(ValueError, match="in_size|kernel"):
        conv(np.zeros((1, 2, 1), np.uint8))
    with pytest.raises(TypeError, match="quantized tensor"):
        conv(torch.quantize_per_tensor(torch.zeros(1, 2, 8), 0.1, 0, torch.quint8))
    with pytest.raises(TypeError, match="int8"):
        ndconv.QConv(W.astype(np.float32), 0.1, input_scale=0.1, output_scale=0.1)
    with pytest.raises(TypeError, match="int32"):
        ndconv.QConv(W, 0.1, np.zeros(4, np.float32), input_scale=0.1, output_scale=0.1)
    with pytest.raises(ValueError, match="bias has shape"):
        ndconv.QConv(W, 0.1, np.zeros(3, np.int32), input_scale=0.1, output_scale=0.1)
    with pytest.raises(ValueError, match="needs output_scale"):
        ndconv.QConv(W, 0.1, input_scale=0.1)
    conv.close()
    with pytest.raises(ValueError, match="released"):
        conv(X)
