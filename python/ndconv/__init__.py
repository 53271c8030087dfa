"""ndconv: SIMD convolutions for CPU inference, from numpy and PyTorch.

    import ndconv
    y = ndconv.conv2d(x, w, b, padding="same", activation="relu")   # like F.conv2d
    conv = ndconv.Conv(w, b, padding=1)      # weights converted once, plans cached per shape
    y = conv(x, pool=ndconv.ThreadPool(4))   # the GIL is released while it runs

Inputs are numpy float32 arrays or CPU torch.Tensors, used in place when
C-contiguous float32; other floating inputs are copied once to float32
(see the README's "Python" section). Outputs are of the input's kind.
int8: ndconv.QConv (uint8/int8 arrays in), ndconv.qconv2d (quantized tensors).
"""

from . import _args
from ._ndconv import ThreadPool, UnsupportedError, _Conv, _TextCNN, info, set_isa
from ._qconv import QConv, qconv1d, qconv2d, qconv3d, qconvnd
from ._tensors import float32_array

__all__ = ["conv1d", "conv2d", "conv3d", "convnd", "Conv", "TextCNN", "ThreadPool",
           "UnsupportedError", "info", "set_isa", "QConv", "qconv1d", "qconv2d", "qconv3d",
           "qconvnd"]
__version__ = "0.1.0"


class Conv(_Conv):
    """A convolution plan: torch.nn.functional.conv*d's arguments, bound once.

    weight: [C_out, C_in/groups, k...] (PyTorch), or with channels_last=True
    [k..., C_in/groups, C_out] (Keras) for inputs [N, X..., C]. padding: an
    int, per dim an int or a (begin, end) pair, 'valid' or 'same'.
    activation: None, 'relu', 'relu6' or a (lo, hi) clamp, fused.

    conv(x, out=None, pool=None) makes the C plan for x's shape on first use
    and keeps it (one per distinct shape); kernel_name is the algorithm/ISA
    of the last shape run; output_shape(input_shape) computes without a plan.
    """

    def __init__(self, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                 activation=None, channels_last=False):
        w = float32_array(weight, "weight")
        rank = w.ndim - 2
        if not 1 <= rank <= 8:
            raise ValueError(f"ndconv: weight has shape {tuple(w.shape)}: a convolution of rank "
                             f"1..8 takes a weight of rank + 2 dims")
        b = None if bias is None else float32_array(bias, "bias")
        g = _args.groups(groups)
        out_channels = w.shape[-1] if channels_last else w.shape[0]
        if out_channels % g:
            raise ValueError(f"ndconv: out_channels = {out_channels} (weight shape "
                             f"{tuple(w.shape)}) is not divisible by groups = {g}")
        mode, pad_begin, pad_end = _args.padding(padding, rank)
        act = _args.activation(activation)
        super().__init__(w, b, bool(channels_last), g,
                         _args.per_dim(stride, rank, "stride", 1),
                         _args.per_dim(dilation, rank, "dilation", 1),
                         pad_begin, pad_end, mode, *act)
        self.rank = rank
        self.channels_last = bool(channels_last)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"ndconv.Conv(rank={self.rank}, channels_last={self.channels_last}, "
                f"cached_plans={self.cached_plans}, kernel_name={self.kernel_name!r})")


class TextCNN(_TextCNN):
    """The fused text-CNN block (Kim 2014): n-gram branches, activation, max over time.

    weights: one kernel per branch, [k, E, F] (Keras Conv1D) when
    channels_last=True (input [N, L, E]), else [F, E, k] (PyTorch Conv1d,
    input [N, E, L]). biases: None, or one per branch (each None or [F]).
    block(x, out=None, pool=None) returns [N, F_0 + F_1 + ...].
    """

    def __init__(self, weights, biases=None, activation="relu", channels_last=True):
        ws = [float32_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
        if biases is None:
            bs = [None] * len(ws)
        else:
            bs = [None if b is None else float32_array(b, f"biases[{i}]")
                  for i, b in enumerate(biases)]
        super().__init__(ws, bs, bool(channels_last), *_args.activation(activation))
        self.channels_last = bool(channels_last)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def convnd(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           activation=None, channels_last=False, *, out=None, pool=None):
    """torch.nn.functional.conv*d of any rank 1..8 (the rank is the weight's
    dims - 2). A one-shot Conv: reuse an ndconv.Conv to keep the plan."""
    conv = Conv(weight, bias, stride, padding, dilation, groups, activation, channels_last)
    try:
        return conv(input, out=out, pool=pool)
    finally:
        conv.close()


def _fixed_rank(rank, name):
    def conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
             activation=None, channels_last=False, *, out=None, pool=None):
        ndim = getattr(weight, "ndim", None)
        if ndim != rank + 2:
            raise ValueError(f"ndconv.{name}: weight must have {rank + 2} dims, got "
                             f"{ndim if ndim is not None else type(weight).__name__}")
        return convnd(input, weight, bias, stride, padding, dilation, groups, activation,
                      channels_last, out=out, pool=pool)
    conv.__name__ = conv.__qualname__ = name
    conv.__doc__ = f"Like torch.nn.functional.{name}, plus activation, channels_last, out, pool."
    return conv


conv1d = _fixed_rank(1, "conv1d")
conv2d = _fixed_rank(2, "conv2d")
conv3d = _fixed_rank(3, "conv3d")
