"""Conversions the C++ fast path hands over (the rare cases), and weights.

The rule (README, "Python"): a C-contiguous native float32 numpy array or CPU
torch.Tensor is used in place; any other real floating array or tensor
(float64, float16, bfloat16, non-contiguous) is copied once to a C-contiguous
float32 array; anything else is a TypeError. Weights and biases are always
copied (once, when a plan object is made). `out=` is never converted.
"""

import sys

import numpy as np


def _torch():
    """torch if the program imported it (ndconv never imports it itself)."""
    return sys.modules.get("torch")


def _is_torch_tensor(obj):
    torch = _torch()
    return torch is not None and isinstance(obj, torch.Tensor)


def torch_to_numpy(tensor, what, for_writing):
    """A numpy array for a CPU tensor that tensor.numpy() refused, or a TypeError."""
    torch = _torch()
    if tensor.device.type != "cpu":
        raise TypeError(f"ndconv: {what} is on device '{tensor.device}': ndconv runs on CPU "
                        f"tensors (move it with .cpu())")
    if for_writing:
        if tensor.requires_grad:
            raise TypeError(f"ndconv: {what} requires grad: ndconv cannot write into it "
                            f"(make it under torch.no_grad())")
        raise TypeError(f"ndconv: {what} has dtype {tensor.dtype}: it must be torch.float32 "
                        f"(out is written in place, never converted)")
    if tensor.is_quantized:
        raise TypeError(f"ndconv: {what} is a quantized tensor ({tensor.dtype}): ndconv.QConv "
                        f"takes its int_repr() (uint8/int8), ndconv.qconv2d quantized tensors")
    tensor = tensor.detach()  # inference only: no autograd history is recorded
    if not tensor.dtype.is_floating_point:
        raise TypeError(f"ndconv: {what} has dtype {tensor.dtype}: expected a floating dtype "
                        f"(float32 is used in place, others are converted to float32)")
    if tensor.dtype != torch.float32:
        tensor = tensor.float()  # bfloat16, which numpy lacks
    return tensor.numpy()


def float32_array(obj, what):
    """A C-contiguous float32 numpy array (view or copy) of a weight or bias."""
    if _is_torch_tensor(obj):
        try:
            obj = obj.detach().numpy()
        except (TypeError, RuntimeError):   # another device, bfloat16: explained there
            obj = torch_to_numpy(obj, what, False)
    elif isinstance(obj, (list, tuple)):
        obj = np.asarray(obj)
    elif not isinstance(obj, np.ndarray):
        raise TypeError(f"ndconv: {what} must be a numpy.ndarray or a torch.Tensor, "
                        f"got {type(obj).__module__}.{type(obj).__qualname__}")
    if obj.dtype.kind != "f":
        raise TypeError(f"ndconv: {what} has dtype {obj.dtype}: expected a floating dtype")
    return np.ascontiguousarray(obj, dtype=np.float32)
