#!/usr/bin/python3
"""Time PyTorch's training step on inputs written by attnscope-bench.

Usage:
    /usr/bin/python3 tests/reference/train_bench_torch.py [--threads N] [--runs N] DIR [DIR ...]

Each DIR is what attnscope-bench writes for a training configuration (see
README.md, "Timing training"): a model directory (config.json,
model.safetensors, vocabularies) holding attnscope's initial weights, plus
batch.json with the padded batch (src, tgt_in, tgt_out) and the step's
hyper-parameters. One step = forward of the Seq2Seq module of
make_fixtures.py in training mode (dropout 0, all three key-padding masks and
the causal mask), F.cross_entropy(ignore_index=pad, label_smoothing), backward,
clip_grad_norm_, torch.optim.AdamW (two groups: weight decay on dim >= 2) with
attnscope's learning-rate schedule.

Prints one JSON object per DIR on stdout:
    {"name": ..., "kind": "train", "median_ms": ..., "min_ms": ..., "runs": N,
     "warmup_runs": W, "threads": T, "torch": version, "tokens": non-pad tgt_out
     entries, "first_loss": loss of the first step (initial weights)}
Progress and warnings go to stderr. Exits with status 3 when torch cannot be
imported.

Like attnscope-bench, the script raises glibc's mmap and trim thresholds so
that large blocks are reused instead of mapped afresh each step
(--glibc-malloc-defaults leaves them alone).
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, HERE)

import bench_torch  # noqa: E402  (standard library only; torch is imported in main())

torch = None
F = None
mf = None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def keep_large_buffers_in_heap():
    """What attnscope-bench does for itself: mallopt(M_MMAP_THRESHOLD and M_TRIM_THRESHOLD, 1 GiB).

    By default glibc maps every block above 128 KiB to 32 MiB fresh from the kernel and unmaps
    it on free, so each step's activations and gradients would pay for page faults and zeroing
    again (torch's CPU allocator has no cache of its own). Must run before torch allocates.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 1 << 30) == 1 and libc.mallopt(m_trim_threshold, 1 << 30) == 1
    except (OSError, AttributeError):
        ok = False
    log("glibc malloc: large blocks kept in the heap" if ok else
        "note: could not set glibc's mmap/trim thresholds; timings include page faults")


def learning_rate(opts, step):
    """attnscope's AdamW::learning_rate: linear warm-up, then cosine decay to lr / 10."""
    lr, warmup, total = opts["lr"], opts["warmup_steps"], opts["total_steps"]
    if warmup > 0 and step < warmup:
        return lr * max(step, 0) / warmup
    decay_steps = total - max(warmup, 0)
    if decay_steps <= 0:
        return lr
    progress = min(1.0, (step - max(warmup, 0)) / decay_steps)
    return lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def make_optimizer(model, opts):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": opts["weight_decay"]},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=learning_rate(opts, 1), betas=(opts["beta1"], opts["beta2"]),
                             eps=opts["eps"])


def bench_one(case_dir, runs, warmup):
    with open(os.path.join(case_dir, "batch.json")) as f:
        spec = json.load(f)
    name = spec["name"]
    model = mf.load_model_dir(case_dir)
    model.train()  # dropout is 0.0 everywhere; training mode as in real training
    cfg = model.cfg
    src = torch.tensor(spec["src"], dtype=torch.long)
    tgt_in = torch.tensor(spec["tgt_in"], dtype=torch.long)
    tgt_out = torch.tensor(spec["tgt_out"], dtype=torch.long)
    pad, smoothing, max_norm = cfg["pad_id"], spec["label_smoothing"], spec["max_norm"]
    opts = spec["adamw"]
    tokens = int((tgt_out != pad).sum())
    log(f"[{name}] d_model {cfg['d_model']}, {cfg['num_encoder_layers']}+{cfg['num_decoder_layers']} "
        f"layers, vocab {cfg['src_vocab_size']}/{cfg['tgt_vocab_size']}, batch {tuple(src.shape)} -> "
        f"{tuple(tgt_in.shape)}, {tokens} target tokens")
    optimizer = make_optimizer(model, opts)
    params = list(model.parameters())
    steps = 0

    def step():
        nonlocal steps
        optimizer.zero_grad(set_to_none=True)
        logits = model(src, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1),
                               ignore_index=pad, label_smoothing=smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, max_norm)
        steps += 1
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(opts, steps)
        optimizer.step()
        return loss

    first_loss = float(step())  # from the initial weights, outside the timing
    # Warm up for `warmup` steps and at least a second, as attnscope-bench does.
    warm_until = time.perf_counter() + 1.0
    done = 0
    while done < warmup or time.perf_counter() < warm_until:
        step()
        done += 1
    log(f"[{name}] first loss {first_loss:.6f}; {done} warm-up steps")
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        step()
        dt = (time.perf_counter() - t0) * 1000.0
        times.append(dt)
        if (i + 1) % 10 == 0:
            log(f"[{name}] {i + 1}/{runs} steps, last {dt:.2f} ms")
    return {
        "name": name,
        "kind": "train",
        "median_ms": round(statistics.median(times), 4),
        "min_ms": round(min(times), 4),
        "runs": runs,
        "warmup_runs": done + 1,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "tokens": tokens,
        "first_loss": first_loss,
    }


def parse_args():
    ap = argparse.ArgumentParser(description="Time PyTorch's training step on attnscope-bench's inputs.")
    ap.add_argument("--threads", type=int, default=None,
                    help="intra-op threads: torch.set_num_threads and the OpenBLAS/OpenMP pools "
                         "(default: leave torch's defaults)")
    ap.add_argument("--runs", type=int, default=30, help="timed steps per configuration")
    ap.add_argument("--glibc-malloc-defaults", action="store_true",
                    help="leave glibc's mmap/trim thresholds alone (attnscope-bench raises its own)")
    ap.add_argument("dirs", nargs="+", help="directories written by attnscope-bench")
    args = ap.parse_args()
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    for d in args.dirs:
        if not os.path.isfile(os.path.join(d, "batch.json")):
            ap.error(f"{d}: no batch.json (write one with attnscope-bench --train-inputs DIR)")
    return args


def main():
    global torch, F, mf
    args = parse_args()
    bench_torch.configure_thread_env(args.threads)
    if not args.glibc_malloc_defaults:
        keep_large_buffers_in_heap()
    try:
        import torch as torch_module
        import torch.nn.functional as functional
        import make_fixtures as mf_module
    except ImportError as e:
        log(f"train_bench_torch.py: cannot import torch ({e}); "
            "install Debian's python3-torch and python3-numpy (scripts/deps.sh bench)")
        return 3
    torch, F, mf = torch_module, functional, mf_module
    bench_torch.torch = torch_module  # check_blas uses the module's global
    warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    bench_torch.check_blas()
    for d in args.dirs:
        print(json.dumps(bench_one(d, args.runs, warmup=3)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
