#!/usr/bin/python3
"""A sentence classifier (Kim 2014) in PyTorch, and the same model with its
convolutions and pooling on ndconv.TextCNN.

    embedding table -> three n-gram branches (Conv1d k = 3, 4, 5, ReLU,
    max over time) -> concat -> linear head -> logits

Both models share the fixed random weights; the embedding lookup and the head
are the same PyTorch ops in both, so only the text-CNN block differs. Checks
that the logits agree, then prints sentences per second for both at batch 1
and 32, with the same number of threads (torch.set_num_threads and an
ndconv.ThreadPool). Run with Debian's interpreter, after building ndconv:

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/text_classifier.py

--quick (what CTest runs): fewer timing rounds.
"""

import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import ndconv

VOCAB, EMBED, SEQ_LEN, CLASSES = 20000, 300, 64, 4
NGRAMS, FILTERS = (3, 4, 5), 100


class TorchTextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.convs = nn.ModuleList(nn.Conv1d(EMBED, FILTERS, k) for k in NGRAMS)
        self.head = nn.Linear(FILTERS * len(NGRAMS), CLASSES)

    def forward(self, tokens):                              # [N, L] int64
        x = self.embedding(tokens).transpose(1, 2)           # [N, E, L]
        pooled = [F.relu(conv(x)).amax(dim=2) for conv in self.convs]
        return self.head(torch.cat(pooled, dim=1))


class NdconvTextCNN:
    """The same weights: embedding [N, L, E] (channels-last, no transpose),
    the fused block on ndconv, the head in PyTorch."""

    def __init__(self, model, pool):
        self.embedding, self.head, self.pool = model.embedding, model.head, pool
        # PyTorch Conv1d weights [F, E, k] -> Keras kernels [k, E, F] for [N, L, E] input.
        self.block = ndconv.TextCNN([c.weight.permute(2, 1, 0) for c in model.convs],
                                    [c.bias for c in model.convs], activation="relu",
                                    channels_last=True)

    def __call__(self, tokens):
        features = self.block(self.embedding(tokens), pool=self.pool)   # [N, 3 * F] tensor
        return self.head(features)


def sentences_per_second(model, tokens, seconds):
    model(tokens)                                            # warm-up (plans, caches)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        model(tokens)
        runs += 1
    return runs * tokens.shape[0] / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short timings (CTest)")
    parser.add_argument("--threads", type=int, default=2, help="threads for both (default 2)")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = TorchTextCNN().eval()
    with torch.inference_mode(), ndconv.ThreadPool(args.threads) as pool:
        fast = NdconvTextCNN(model, pool)
        tokens = torch.randint(0, VOCAB, (32, SEQ_LEN))
        expected, got = model(tokens).numpy(), fast(tokens).numpy()
        scale = np.abs(expected).max()
        worst = np.abs(got - expected).max()
        print(f"logits [32, {CLASSES}]: max |ndconv - torch| = {worst:.2e} (max |logit| {scale:.2f}),"
              f" block kernel {fast.block.kernel_name}")
        if not worst <= 1e-4 * scale:
            print("FAIL: the logits differ beyond 1e-4 of their scale")
            return 1
        if not (expected.argmax(1) == got.argmax(1)).all():
            print("FAIL: a predicted class differs")
            return 1
        seconds = 0.2 if args.quick else 2.0
        print(f"threads: {args.threads}; CPU: {cpu_name()}")
        print("| batch | PyTorch sentences/s | ndconv sentences/s | ratio |")
        print("| ---: | ---: | ---: | ---: |")
        for batch in (1, 32):
            t = tokens[:batch]
            ref = sentences_per_second(model, t, seconds)
            nd = sentences_per_second(fast, t, seconds)
            print(f"| {batch} | {ref:,.0f} | {nd:,.0f} | {nd / ref:.2f}x |")
    return 0


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
