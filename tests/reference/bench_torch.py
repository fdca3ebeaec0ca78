#!/usr/bin/python3
"""Time PyTorch on the attnscope benchmark configurations.

Usage:
    /usr/bin/python3 tests/reference/bench_torch.py [--threads N] [--runs N] [--only NAME[,NAME]]

Prints one JSON object per configuration on stdout:
    {"name": ..., "kind": "trace"|"greedy", "median_ms": ..., "min_ms": ...,
     "runs": N, "threads": T, "torch": version}
Progress and warnings go to stderr. Exits with status 3 when torch cannot be
imported. The training step is timed by train_bench_torch.py.

trace  = embed + encoder + teacher-forced decoder, every attention matrix
         captured per head (layer by layer, need_weights=True,
         average_attn_weights=False), logits and softmax of the logits.
greedy = encode once, then N decoder passes over the whole prefix (no cache),
         per-head weights captured, argmax of the last position's logits
         appended; never stops at <eos>, always exactly N steps.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

# Imported in main(), after the thread environment is set up.
torch = None
mf = None

BASE = dict(norm_first=False, activation="relu", positional="sinusoidal", tie_output=False)
TOY = dict(BASE, num_encoder_layers=2, num_decoder_layers=2, nhead=4, d_model=64, dim_feedforward=256,
           src_vocab_size=1000, tgt_vocab_size=1000, max_positions=512)
SMALL = dict(BASE, num_encoder_layers=3, num_decoder_layers=3, nhead=8, d_model=256, dim_feedforward=1024,
             src_vocab_size=8000, tgt_vocab_size=8000, max_positions=512)
BASE_CFG = dict(BASE, num_encoder_layers=6, num_decoder_layers=6, nhead=8, d_model=512,
                dim_feedforward=2048, src_vocab_size=32000, tgt_vocab_size=32000, max_positions=512)

BENCHES = [
    {"name": "toy", "kind": "trace", "cfg": TOY, "S": 12, "T": 12},
    {"name": "small", "kind": "trace", "cfg": SMALL, "S": 32, "T": 32},
    {"name": "base", "kind": "trace", "cfg": BASE_CFG, "S": 128, "T": 128},
    {"name": "long", "kind": "trace", "cfg": BASE_CFG, "S": 512, "T": 512},
    {"name": "greedy_toy", "kind": "greedy", "cfg": TOY, "S": 12, "N": 12},
    {"name": "greedy_base", "kind": "greedy", "cfg": BASE_CFG, "S": 32, "N": 32},
]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def check_blas():
    """Warn when torch's BLAS looks like the slow reference implementation."""
    config = torch.__config__.show()
    blas_info = re.search(r"BLAS_INFO=([^,\s]+)", config)
    blas_info = blas_info.group(1) if blas_info else "?"
    a = torch.randn(512, 512)
    b = torch.randn(512, 512)
    torch.mm(a, b)  # loads the BLAS library
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    gflops = 2 * 512 ** 3 / best / 1e9
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if re.search(r"(open)?blas|mkl", os.path.basename(path), re.I) and "/" in path:
                    libs.add(path)
    except OSError:
        pass
    openblas = any("openblas" in p.lower() for p in libs)
    blas_threads = ""
    for path in sorted(libs):
        if "libopenblas" in os.path.basename(path):
            try:
                import ctypes
                blas_threads = f", OpenBLAS threads {ctypes.CDLL(path).openblas_get_num_threads()}"
            except (OSError, AttributeError):
                pass
            break
    mkl = any("mkl" in os.path.basename(p).lower() for p in libs)
    log(f"BLAS_INFO={blas_info}; loaded: {', '.join(sorted(libs)) or 'unknown'}; "
        f"512x512 matmul {gflops:.1f} GFLOP/s; torch threads {torch.get_num_threads()}{blas_threads}")
    reference = not (openblas or mkl) and blas_info in ("generic", "?")
    if reference and gflops < 10.0:
        log("WARNING: torch seems to use a reference (unoptimised) BLAS and matmul is slow; "
            "install/select OpenBLAS (update-alternatives --config libblas.so.3-x86_64-linux-gnu) "
            "for meaningful timings")
    elif not (openblas or mkl):
        log("note: OpenBLAS not detected among loaded libraries")


def make_inputs(cfg, s, t, seed):
    gen = torch.Generator().manual_seed(seed)
    src = torch.randint(4, cfg["src_vocab_size"], (1, s), generator=gen)
    tgt = None
    if t is not None:
        body = torch.randint(4, cfg["tgt_vocab_size"], (1, t - 1), generator=gen)
        tgt = torch.cat([torch.full((1, 1), cfg["bos_id"], dtype=torch.long), body], dim=1)
    return src, tgt


def run_trace(model, src, tgt):
    rec = mf.trace(model, src, tgt, capture_qk=False, with_softmax=True)
    return rec["probs"]


def run_greedy(model, src, steps):
    cfg = model.cfg
    src_kpm = src == cfg["pad_id"]
    rec = {}
    memory = mf.run_encoder(model, model.embed_src(src), src_kpm, rec, capture_qk=False)
    ys = [cfg["bos_id"]]
    for _ in range(steps):
        tgt = torch.tensor([ys], dtype=torch.long)
        m = mf.make_masks(cfg, src, tgt)
        dec = mf.run_decoder(model, model.embed_tgt(tgt), memory, m["causal"], m["tgt_kpm"], src_kpm,
                             rec, capture_qk=False)
        logits = model.project(dec[:, -1])
        ys.append(int(logits.argmax(-1)))
    return ys


def bench_one(spec, runs, warmup):
    cfg = mf.make_config(**spec["cfg"])
    log(f"[{spec['name']}] building model (d_model {cfg['d_model']}, "
        f"{cfg['num_encoder_layers']}+{cfg['num_decoder_layers']} layers, vocab {cfg['src_vocab_size']})")
    model = mf.build_model(cfg, seed=4242)
    if spec["kind"] == "trace":
        src, tgt = make_inputs(cfg, spec["S"], spec["T"], seed=77)
        fn = lambda: run_trace(model, src, tgt)  # noqa: E731
    else:
        src, _ = make_inputs(cfg, spec["S"], None, seed=77)
        fn = lambda: run_greedy(model, src, spec["N"])  # noqa: E731
    times = []
    with torch.inference_mode():
        # Warm up for `warmup` runs and at least a second, as attnscope-bench does: on a
        # virtual machine an idle second core and the caches take a while to come up to speed.
        warm_until = time.perf_counter() + 1.0
        done = 0
        while done < warmup or time.perf_counter() < warm_until:
            fn()
            done += 1
        log(f"[{spec['name']}] {done} warm-up runs")
        for i in range(runs):
            t0 = time.perf_counter()
            fn()
            dt = (time.perf_counter() - t0) * 1000.0
            times.append(dt)
            if (i + 1) % 10 == 0:
                log(f"[{spec['name']}] {i + 1}/{runs} runs, last {dt:.2f} ms")
    return {
        "name": spec["name"],
        "kind": spec["kind"],
        "median_ms": round(statistics.median(times), 4),
        "min_ms": round(min(times), 4),
        "runs": runs,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def parse_args():
    ap = argparse.ArgumentParser(description="Time PyTorch on the attnscope benchmark configurations.")
    ap.add_argument("--threads", type=int, default=None,
                    help="intra-op threads: torch.set_num_threads and the OpenBLAS/OpenMP pools "
                         "(default: leave torch's defaults)")
    ap.add_argument("--runs", type=int, default=30, help="timed runs per configuration (plus 3 warm-up)")
    ap.add_argument("--only", default=None, help="comma-separated configuration names")
    args = ap.parse_args()
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    args.specs = BENCHES
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        known = {s["name"] for s in BENCHES}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            ap.error(f"unknown configuration(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        args.specs = [s for s in BENCHES if s["name"] in wanted]
    return args


def configure_thread_env(threads):
    """Must run before torch (and with it OpenBLAS and libgomp) is loaded."""
    if threads is None:
        return
    wanted = {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    if threads > 1:
        wanted["OMP_WAIT_POLICY"] = "PASSIVE"
    for key, value in wanted.items():
        os.environ.setdefault(key, value)
    log("thread environment: " + ", ".join(f"{k}={os.environ[k]}" for k in
                                            ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY")
                                            if k in os.environ))


def main():
    global torch, mf
    args = parse_args()
    configure_thread_env(args.threads)
    sys.dont_write_bytecode = True  # keep the source tree clean
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import torch as torch_module
        import make_fixtures as mf_module
    except ImportError as e:
        log(f"bench_torch.py: cannot import torch ({e}); "
            "install Debian's python3-torch and python3-numpy (scripts/deps.sh bench)")
        return 3
    torch = torch_module
    mf = mf_module

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    specs = args.specs

    log(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    check_blas()
    for spec in specs:
        result = bench_one(spec, args.runs, warmup=3)
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
