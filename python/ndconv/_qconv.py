"""ndconv.QConv and ndconv.qconv1d/2d/3d: int8 convolution (the C API's
ndconv_qconv_*: ONNX QLinearConv / ConvInteger with symmetric int8 weights).

Argument names follow the C descriptor (ndconv_qconv_desc) and
torch.ao.nn.quantized's conv: input_scale / input_zero_point are the input's
quantization, weight_scale one float (per tensor) or out_channels floats (per
output channel; the weights' zero point is 0), bias int32 in units of
input_scale * weight_scale[c], and output_scale / output_zero_point the
requantization of a uint8/int8 output (ignored for int32 and float32).
"""

import numbers
import sys

import numpy as np

from . import _args
from ._ndconv import _QConv

# ndconv_dtype values (include/ndconv/ndconv.h).
DTYPES = {"float32": 0, "uint8": 1, "int8": 2, "int32": 3}
_INT32 = np.iinfo(np.int32)


def _dtype(value, name, allowed):
    if value not in allowed:
        raise ValueError(f"ndconv: {name} = {value!r}: expected one of "
                         f"{', '.join(repr(a) for a in allowed)}")
    return DTYPES[value]


def _numpy(obj, what):
    """A numpy view of a numpy array, CPU tensor or list; quantized tensors refused."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        if obj.is_quantized:
            raise TypeError(f"ndconv: {what} is a quantized tensor ({obj.dtype}): pass its "
                            f"int_repr() and its scale, or use ndconv.qconv2d")
        return obj.detach().cpu().numpy()
    if isinstance(obj, (list, tuple, numbers.Real)):
        return np.asarray(obj)
    if not isinstance(obj, np.ndarray):
        raise TypeError(f"ndconv: {what} must be a numpy.ndarray or a torch.Tensor, "
                        f"got {type(obj).__module__}.{type(obj).__qualname__}")
    return obj


def _int_arg(value, name):
    if not _args._is_int(value):
        raise ValueError(f"ndconv: {name} = {value!r} must be an int")
    if not _INT32.min <= value <= _INT32.max:
        raise ValueError(f"ndconv: {name} = {value} is outside int32")
    return int(value)


def _real_arg(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f"ndconv: {name} = {value!r} must be a real number")
    return float(value)   # finite and > 0: checked by the library, which names the field


class QConv(_QConv):
    """An int8 convolution plan (QLinearConv / ConvInteger), bound once.

    weight: int8, [C_out, C_in/groups, k...] (PyTorch), or with
    channels_last=True [k..., C_in/groups, C_out] for inputs [N, X..., C].
    weight_scale: a float or out_channels floats. bias: None or out_channels
    int32 values (scale input_scale * weight_scale[c]). stride, padding,
    dilation, groups, activation ('relu', 'relu6', (lo, hi) in real units;
    int32 output: 'relu' only): as ndconv.Conv. input_dtype 'uint8' or 'int8'
    with input_scale and input_zero_point (padding holds the zero point).
    output_dtype: 'uint8' / 'int8' (requantized with output_scale,
    output_zero_point: QLinearConv), 'int32' (the accumulator: ConvInteger),
    'float32' (dequantized).

    qconv(x, pool=None): x a numpy array or CPU tensor of input_dtype (used in
    place when C-contiguous, else copied once); returns a new array of
    output_dtype, of the input's kind. One C plan per distinct input shape;
    kernel_name is the last one run's ("int8-indirect-gemm/avx512-vnni", ...).
    """

    def __init__(self, weight, weight_scale, bias=None, stride=1, padding=0, dilation=1,
                 groups=1, activation=None, channels_last=False, *, input_scale,
                 input_zero_point=0, input_dtype="uint8", output_dtype="uint8",
                 output_scale=None, output_zero_point=0):
        w = _numpy(weight, "weight")
        if w.dtype != np.int8:
            raise TypeError(f"ndconv: weight has dtype {w.dtype}: expected int8 (symmetric "
                            f"int8 weights; quantize them first)")
        w = np.ascontiguousarray(w)
        rank = w.ndim - 2
        if not 1 <= rank <= 8:
            raise ValueError(f"ndconv: weight has shape {tuple(w.shape)}: a convolution of rank "
                             f"1..8 takes a weight of rank + 2 dims")
        scales = _numpy(weight_scale, "weight_scale")
        if scales.dtype.kind not in "fiu" or scales.ndim > 1:
            raise TypeError(f"ndconv: weight_scale must be a float or a 1-D array of floats, "
                            f"got dtype {scales.dtype}, shape {scales.shape}")
        scales = np.ascontiguousarray(scales.reshape(-1), dtype=np.float32)
        b = None
        if bias is not None:
            b = _numpy(bias, "bias")
            if b.dtype.kind not in "iu":
                raise TypeError(f"ndconv: bias has dtype {b.dtype}: expected int32 (in units of "
                                f"input_scale * weight_scale)")
            if b.size and (b.min() < _INT32.min or b.max() > _INT32.max):
                raise ValueError("ndconv: bias has values outside int32")
            b = np.ascontiguousarray(b, dtype=np.int32)
        in_type = _dtype(input_dtype, "input_dtype", ("uint8", "int8"))
        out_type = _dtype(output_dtype, "output_dtype", ("uint8", "int8", "int32", "float32"))
        requantized = output_dtype in ("uint8", "int8")
        if requantized and output_scale is None:
            raise ValueError(f"ndconv: output_dtype = {output_dtype!r} needs output_scale")
        g = _args.groups(groups)
        mode, pad_begin, pad_end = _args.padding(padding, rank)
        super().__init__(w, scales, b, bool(channels_last), g,
                         _args.per_dim(stride, rank, "stride", 1),
                         _args.per_dim(dilation, rank, "dilation", 1),
                         pad_begin, pad_end, mode, *_args.activation(activation),
                         in_type, _real_arg(input_scale, "input_scale"),
                         _int_arg(input_zero_point, "input_zero_point"), out_type,
                         _real_arg(output_scale, "output_scale") if requantized else 1.0,
                         _int_arg(output_zero_point, "output_zero_point") if requantized else 0)
        self.rank = rank
        self.channels_last = bool(channels_last)
        self.input_dtype, self.output_dtype = input_dtype, output_dtype

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"ndconv.QConv(rank={self.rank}, {self.input_dtype} -> {self.output_dtype}, "
                f"channels_last={self.channels_last}, cached_plans={self.cached_plans}, "
                f"kernel_name={self.kernel_name!r})")


def _weight_quantization(torch, weight):
    """(int8 values, per-tensor or per-channel scales) of a torch.qint8 weight."""
    if weight.dtype != torch.qint8:
        raise TypeError(f"ndconv: weight has dtype {weight.dtype}: expected torch.qint8")
    scheme = weight.qscheme()
    if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        if weight.q_zero_point() != 0:
            raise ValueError(f"ndconv: weight zero point = {weight.q_zero_point()}: ndconv's "
                             f"int8 weights are symmetric (zero point 0)")
        return weight.int_repr(), np.array([weight.q_scale()], dtype=np.float32)
    if scheme in (torch.per_channel_affine, torch.per_channel_symmetric):
        if weight.q_per_channel_axis() != 0:
            raise ValueError(f"ndconv: weight per-channel axis = "
                             f"{weight.q_per_channel_axis()}: expected 0 (out_channels)")
        if bool((weight.q_per_channel_zero_points() != 0).any()):
            raise ValueError("ndconv: weight has nonzero per-channel zero points: ndconv's int8 "
                             "weights are symmetric (zero point 0)")
        return weight.int_repr(), weight.q_per_channel_scales().numpy().astype(np.float32)
    raise ValueError(f"ndconv: weight qscheme {scheme} is not supported")


def qconvnd(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
            activation=None, *, scale=1.0, zero_point=0, dtype=None, pool=None):
    """torch.ao.nn.quantized.functional.conv*d on ndconv (rank = weight dims - 2).

    input: a per-tensor quantized torch.quint8 or torch.qint8 tensor [N, C, X...];
    weight: torch.qint8, per tensor or per channel (axis 0), zero point 0;
    bias: None or float [C_out] (quantized to int32 with scale input_scale *
    weight_scale[c], as PyTorch does); activation as ndconv.QConv ('relu' is
    torch.ops.quantized.conv*d_relu). Returns a quantized tensor with scale,
    zero_point and dtype (default: the input's). A one-shot plan: for repeated
    calls, keep an ndconv.QConv.
    """
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(input, torch.Tensor) or not input.is_quantized:
        raise TypeError("ndconv: qconv*d takes quantized torch tensors (torch.quint8 input)")
    if input.qscheme() != torch.per_tensor_affine:
        raise ValueError(f"ndconv: input qscheme {input.qscheme()}: expected per_tensor_affine")
    names = {torch.quint8: "uint8", torch.qint8: "int8"}
    out_dtype = input.dtype if dtype is None else dtype
    if input.dtype not in names or out_dtype not in names:
        raise TypeError(f"ndconv: input dtype {input.dtype} / output dtype {out_dtype}: "
                        f"expected torch.quint8 or torch.qint8")
    w, w_scales = _weight_quantization(torch, weight)
    b = None
    if bias is not None:
        out_channels = w.shape[0]
        real = np.asarray(bias.detach().cpu().numpy() if isinstance(bias, torch.Tensor) else bias,
                          dtype=np.float64).reshape(-1)
        step = input.q_scale() * np.broadcast_to(w_scales.astype(np.float64), (out_channels,))
        b = np.clip(np.rint(real / step), _INT32.min, _INT32.max).astype(np.int32)
    conv = QConv(w, w_scales, b, stride, padding, dilation, groups, activation,
                 input_scale=input.q_scale(), input_zero_point=input.q_zero_point(),
                 input_dtype=names[input.dtype], output_dtype=names[out_dtype],
                 output_scale=scale, output_zero_point=zero_point)
    try:
        y = conv(input.int_repr(), pool=pool)
    finally:
        conv.close()
    return torch._make_per_tensor_quantized_tensor(y, scale, zero_point)


def _fixed_rank(rank, name):
    def qconv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
              activation=None, *, scale=1.0, zero_point=0, dtype=None, pool=None):
        if getattr(weight, "ndim", None) != rank + 2:
            raise ValueError(f"ndconv.{name}: weight must have {rank + 2} dims, got "
                             f"{getattr(weight, 'ndim', type(weight).__name__)}")
        return qconvnd(input, weight, bias, stride, padding, dilation, groups, activation,
                       scale=scale, zero_point=zero_point, dtype=dtype, pool=pool)
    qconv.__name__ = qconv.__qualname__ = name
    qconv.__doc__ = (f"Like torch.ao.nn.quantized.functional.conv{rank}d (quantized torch "
                     f"tensors in and out), plus activation and pool.")
    return qconv


qconv1d = _fixed_rank(1, "qconv1d")
qconv2d = _fixed_rank(2, "qconv2d")
qconv3d = _fixed_rank(3, "qconv3d")
