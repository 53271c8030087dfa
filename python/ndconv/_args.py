"""PyTorch-style arguments -> the fields of ndconv's C descriptors.

Checked here, with messages in the library's style (field[index] = value),
so that a bad argument fails when the plan object is made, not at its first
call.
"""

import math
import numbers

# ndconv_padding and ndconv_activation values (include/ndconv/ndconv.h).
PAD_EXPLICIT, PAD_VALID, PAD_SAME_UPPER = 0, 1, 2
ACT_NONE, ACT_RELU, ACT_CLAMP = 0, 1, 2


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def per_dim(value, rank, name, minimum):
    """int -> (int,) * rank; a sequence of rank ints -> tuple; each >= minimum."""
    values = (value,) * rank if _is_int(value) else tuple(value) \
        if isinstance(value, (tuple, list)) else None
    if values is None or len(values) != rank or not all(_is_int(v) for v in values):
        raise ValueError(f"ndconv: {name} = {value!r}: expected an int or {rank} ints")
    for i, v in enumerate(values):
        if v < minimum:
            raise ValueError(f"ndconv: {name}[{i}] = {v} must be >= {minimum}")
    return tuple(int(v) for v in values)


def padding(value, rank):
    """(mode, pad_begin, pad_end). 'same' is ONNX SAME_UPPER, which for stride 1
    is exactly PyTorch's 'same' (and for any stride TensorFlow's 'same')."""
    zeros = (0,) * rank
    if isinstance(value, str):
        if value == "valid":
            return PAD_VALID, zeros, zeros
        if value == "same":
            return PAD_SAME_UPPER, zeros, zeros
        raise ValueError(f"ndconv: padding = {value!r}: expected 'valid', 'same', an int, "
                         f"or per dim an int or a (begin, end) pair")
    if _is_int(value):
        value = (value,) * rank
    if not isinstance(value, (tuple, list)) or len(value) != rank:
        raise ValueError(f"ndconv: padding = {value!r}: expected 'valid', 'same', an int, "
                         f"or {rank} entries (an int or a (begin, end) pair per dim)")
    begin, end = [], []
    for i, entry in enumerate(value):
        pair = (entry, entry) if _is_int(entry) else tuple(entry) \
            if isinstance(entry, (tuple, list)) else ()
        if len(pair) != 2 or not all(_is_int(p) for p in pair):
            raise ValueError(f"ndconv: padding[{i}] = {entry!r}: expected an int or a "
                             f"(begin, end) pair")
        for side, p in zip(("begin", "end"), pair):
            if p < 0:
                raise ValueError(f"ndconv: padding[{i}] {side} = {p} must be >= 0")
        begin.append(int(pair[0]))
        end.append(int(pair[1]))
    return PAD_EXPLICIT, tuple(begin), tuple(end)


def activation(value):
    """(kind, lo, hi): None, 'relu', 'relu6' or a (lo, hi) clamp."""
    if value is None:
        return ACT_NONE, 0.0, 0.0
    if value == "relu":
        return ACT_RELU, 0.0, 0.0
    if value == "relu6":
        return ACT_CLAMP, 0.0, 6.0
    if isinstance(value, (tuple, list)) and len(value) == 2 and \
            all(isinstance(v, numbers.Real) for v in value):
        lo, hi = float(value[0]), float(value[1])
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise ValueError(f"ndconv: activation = {value!r}: a clamp needs lo <= hi, "
                             f"neither NaN")
        return ACT_CLAMP, lo, hi
    raise ValueError(f"ndconv: activation = {value!r}: expected None, 'relu', 'relu6' or "
                     f"a (lo, hi) clamp")


def groups(value):
    if not _is_int(value) or value < 1:
        raise ValueError(f"ndconv: groups = {value!r} must be an int >= 1")
    return int(value)
