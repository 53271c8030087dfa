"""ndconv.TextCNN against the same block written in PyTorch."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

import ndconv  # noqa: E402
from conftest import tolerance_check  # noqa: E402


def torch_block(x_nel, weights_oix, biases, activation):
    """float64: per branch conv1d over [N, E, L], activation, max over time, concat;
    and the tolerance bound (the branch's |x|*|w| + |b| at the chosen position)."""
    x = torch.from_numpy(x_nel).double()
    outs, bounds = [], []
    for w, b in zip(weights_oix, biases):
        wt = torch.from_numpy(w).double()
        bt = None if b is None else torch.from_numpy(b).double()
        y = F.conv1d(x, wt, bt)
        bound = F.conv1d(x.abs(), wt.abs(), None if bt is None else bt.abs())
        if activation == "relu":
            y = y.clamp(min=0)
        elif isinstance(activation, tuple):
            y = y.clamp(*activation)
        outs.append(y.max(dim=2).values)
        bounds.append(bound.max(dim=2).values)   # max over time: at most the largest bound
    return torch.cat(outs, 1).numpy(), torch.cat(bounds, 1).numpy()


@pytest.mark.parametrize("channels_last", [True, False], ids=["keras", "pytorch"])
@pytest.mark.parametrize("use_torch", [False, True], ids=["numpy", "torch"])
@pytest.mark.parametrize("activation", ["relu", None, (-0.25, 0.5)], ids=["relu", "none", "clamp"])
def test_textcnn_matches_torch(channels_last, use_torch, activation):
    rng = np.random.default_rng(7 + 2 * channels_last + use_torch)
    batch, seq_len, embed = 3, 17, 24
    ngrams, filters = (2, 3, 5), (8, 5, 12)
    w_oix = [rng.standard_normal((f, embed, k)).astype(np.float32) for k, f in zip(ngrams, filters)]
    biases = [rng.standard_normal(f).astype(np.float32) for f in filters]
    biases[1] = None                           # a branch without bias
    x_nel = rng.standard_normal((batch, embed, seq_len)).astype(np.float32)
    ref, bound = torch_block(x_nel, w_oix, biases, activation)
    if channels_last:
        weights = [np.ascontiguousarray(np.transpose(w, (2, 1, 0))) for w in w_oix]  # [k, E, F]
        x = np.ascontiguousarray(np.transpose(x_nel, (0, 2, 1)))                    # [N, L, E]
    else:
        weights, x = w_oix, x_nel
    if use_torch:
        weights, x = [torch.from_numpy(w) for w in weights], torch.from_numpy(x)
    block = ndconv.TextCNN(weights, biases, activation=activation, channels_last=channels_last)
    y = block(x)
    assert isinstance(y, torch.Tensor if use_torch else np.ndarray)
    assert tuple(y.shape) == (batch, sum(filters))
    assert block.output_features == sum(filters)
    assert block.kernel_name.startswith("textcnn-fused-gemm/")
    tolerance_check(y.numpy() if use_torch else y, ref, bound)
    out = np.empty((batch, sum(filters)), dtype=np.float32)
    assert block(x, out=out) is out
    np.testing.assert_array_equal(out, y.numpy() if use_torch else y)


def test_textcnn_caches_a_plan_per_batch_and_length():
    rng = np.random.default_rng(3)
    block = ndconv.TextCNN([rng.standard_normal((3, 8, 4)).astype(np.float32)])
    for batch, length in ((1, 10), (4, 10), (1, 30)):
        y = block(rng.standard_normal((batch, length, 8)).astype(np.float32))
        assert y.shape == (batch, 4)
