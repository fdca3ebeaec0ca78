#!/usr/bin/python3
"""Generate the PyTorch reference fixtures used by the attnscope C++ tests.

Usage:
    /usr/bin/python3 tests/reference/make_fixtures.py [--out DIR]

Every fixture is a complete model directory (config.json, model.safetensors,
src_vocab.txt, tgt_vocab.txt) with random weights, plus expected.safetensors
holding what PyTorch computes for one source/target pair: per-head attention
weights, query/key projections, encoder/decoder outputs and logits.

The model is run layer by layer (so that every attention matrix can be
captured per head), and the replay is asserted to equal PyTorch's own
nn.Transformer forward. See README.md next to this file.

The module is also imported by bench_torch.py (Seq2Seq, build_model, trace).
"""

import argparse
import json
import math
import os
import shutil
import struct
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT_VERSION = "1"
REPLAY_TOLERANCE = 1e-5

# ---------------------------------------------------------------------------
# Model contract
# ---------------------------------------------------------------------------

SPECIAL_TOKENS = ["<pad>", "<unk>", "<bos>", "<eos>"]
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


def make_config(**overrides):
    """A config.json dictionary; keys follow torch.nn.Transformer plus the
    vocabulary/embedding keys of the attnscope model contract."""
    cfg = {
        "d_model": 32,
        "nhead": 2,
        "num_encoder_layers": 2,
        "num_decoder_layers": 2,
        "dim_feedforward": 64,
        "activation": "relu",
        "layer_norm_eps": 1e-5,
        "norm_first": False,
        "src_vocab_size": 40,
        "tgt_vocab_size": 44,
        "max_positions": 64,
        "positional": "sinusoidal",
        "tie_output": False,
        "pad_id": PAD_ID,
        "bos_id": BOS_ID,
        "eos_id": EOS_ID,
        "unk_id": UNK_ID,
        "lowercase": True,
    }
    for key in overrides:
        if key not in cfg:
            raise KeyError(f"unknown config key {key!r}")
    cfg.update(overrides)
    assert cfg["activation"] in ("relu", "gelu")
    assert cfg["positional"] in ("sinusoidal", "learned")
    assert cfg["d_model"] % cfg["nhead"] == 0
    return cfg


def sinusoid_table(n_positions, d_model):
    """PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(same angle).

    Computed in float64 and cast to float32. For odd d_model the last even
    column has no cosine partner.
    """
    pos = np.arange(n_positions, dtype=np.float64)[:, None]
    even = np.arange(0, d_model, 2, dtype=np.float64)  # 2i
    angle = pos / np.power(10000.0, even / d_model)     # [P, ceil(d/2)]
    table = np.zeros((n_positions, d_model), dtype=np.float64)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return torch.from_numpy(table.astype(np.float32))


class Seq2Seq(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        d = cfg["d_model"]
        self.transformer = nn.Transformer(
            d_model=d,
            nhead=cfg["nhead"],
            num_encoder_layers=cfg["num_encoder_layers"],
            num_decoder_layers=cfg["num_decoder_layers"],
            dim_feedforward=cfg["dim_feedforward"],
            dropout=0.0,
            activation=cfg["activation"],
            layer_norm_eps=cfg["layer_norm_eps"],
            batch_first=True,
            norm_first=cfg["norm_first"],
        )
        self.src_embed = nn.Embedding(cfg["src_vocab_size"], d)
        self.tgt_embed = nn.Embedding(cfg["tgt_vocab_size"], d)
        if cfg["positional"] == "learned":
            self.src_pos = nn.Embedding(cfg["max_positions"], d)
            self.tgt_pos = nn.Embedding(cfg["max_positions"], d)
        else:
            # Not a parameter and not saved: both sides recompute it.
            self.register_buffer("pe", sinusoid_table(cfg["max_positions"], d), persistent=False)
        if not cfg["tie_output"]:
            self.generator = nn.Linear(d, cfg["tgt_vocab_size"])

    def _embed(self, table, pos_table, ids):
        n = ids.shape[-1]
        if n > self.cfg["max_positions"]:
            raise ValueError(f"sequence of {n} exceeds max_positions {self.cfg['max_positions']}")
        x = table(ids) * math.sqrt(self.cfg["d_model"])
        if self.cfg["positional"] == "learned":
            pos = pos_table.weight[:n]
        else:
            pos = self.pe[:n]
        return x + pos

    def embed_src(self, ids):
        return self._embed(self.src_embed, getattr(self, "src_pos", None), ids)

    def embed_tgt(self, ids):
        return self._embed(self.tgt_embed, getattr(self, "tgt_pos", None), ids)

    def project(self, dec_out):
        if self.cfg["tie_output"]:
            return F.linear(dec_out, self.tgt_embed.weight)
        return self.generator(dec_out)

    def forward(self, src_ids, tgt_ids):
        """PyTorch's own nn.Transformer forward (used by the training step)."""
        m = make_masks(self.cfg, src_ids, tgt_ids)
        out = self.transformer(
            self.embed_src(src_ids),
            self.embed_tgt(tgt_ids),
            tgt_mask=m["causal"],
            src_key_padding_mask=m["src_kpm"],
            tgt_key_padding_mask=m["tgt_kpm"],
            memory_key_padding_mask=m["src_kpm"],
        )
        return self.project(out)


def randomize_(model, qk_gain=2.0):
    """Give every parameter a non-trivial random value.

    Default init leaves LayerNorm at 1/0 and attention biases at 0, which
    would hide bugs, so everything is redrawn. The query/key rows of the
    in-projections are scaled up so that attention is clearly non-uniform.
    Uses the global torch RNG (seed it first).
    """
    d = model.cfg["d_model"]
    with torch.no_grad():
        for _, mod in model.named_modules():
            if isinstance(mod, nn.LayerNorm):
                mod.weight.copy_(1.0 + 0.2 * torch.randn_like(mod.weight))
                mod.bias.copy_(0.1 * torch.randn_like(mod.bias))
            elif isinstance(mod, nn.MultiheadAttention):
                nn.init.xavier_uniform_(mod.in_proj_weight)
                mod.in_proj_weight[: 2 * d].mul_(qk_gain)
                mod.in_proj_bias.copy_(0.1 * torch.randn_like(mod.in_proj_bias))
                # out_proj is an nn.Linear, handled by the branch below.
            elif isinstance(mod, nn.Linear):
                nn.init.xavier_uniform_(mod.weight)
                mod.bias.copy_(0.1 * torch.randn_like(mod.bias))
            elif isinstance(mod, nn.Embedding):
                if mod is getattr(model, "src_pos", None) or mod is getattr(model, "tgt_pos", None):
                    mod.weight.copy_(0.5 * torch.randn_like(mod.weight))
                else:
                    mod.weight.copy_(torch.randn_like(mod.weight) / math.sqrt(d))


def build_model(cfg, seed):
    torch.manual_seed(seed)
    model = Seq2Seq(cfg)
    randomize_(model)
    model.eval()
    return model


def make_masks(cfg, src_ids, tgt_ids):
    """Boolean masks, True = not allowed to attend. ids are [B, S] / [B, T]."""
    t = tgt_ids.shape[-1]
    causal = nn.Transformer.generate_square_subsequent_mask(t) == float("-inf")
    return {
        "causal": causal,
        "src_kpm": src_ids == cfg["pad_id"],
        "tgt_kpm": tgt_ids == cfg["pad_id"],
    }


# ---------------------------------------------------------------------------
# Layer-by-layer replay (mirrors nn.TransformerEncoderLayer/DecoderLayer)
# ---------------------------------------------------------------------------

def _activation(cfg):
    return F.gelu if cfg["activation"] == "gelu" else F.relu


def _attend(mha, q_in, kv_in, attn_mask, kpm, rec, name, capture_qk, masked_heads=()):
    # For self-attention without attn_mask (encoder) and an even head count,
    # MultiheadAttention.forward under no_grad in eval mode dispatches to a
    # fused kernel (torch._native_multi_head_attention). Putting the module
    # in training mode for the call keeps every attention on the documented
    # F.multi_head_attention_forward path (packed in-projection, q scaled by
    # 1/sqrt(head_dim), baddbmm with the -inf mask, softmax) that
    # nn.Transformer's layers take with autograd on. Dropout is 0.0, so
    # training mode changes nothing else.
    was_training = mha.training
    mha.training = True
    try:
        out, weights = mha(q_in, kv_in, kv_in, attn_mask=attn_mask, key_padding_mask=kpm,
                           need_weights=True, average_attn_weights=False)
    finally:
        mha.training = was_training
    if masked_heads:
        # Heads switched off: each head's output sum_j w_ij v_j, the masked heads' slices set
        # to zero, then out_proj, as MultiheadAttention computes its output from the heads.
        d = mha.embed_dim
        v = F.linear(kv_in, mha.in_proj_weight[2 * d:], mha.in_proj_bias[2 * d:])
        batch, heads, tq, _ = weights.shape
        v_heads = v.reshape(batch, -1, heads, d // heads).transpose(1, 2)
        heads_out = (weights @ v_heads).transpose(1, 2).reshape(batch, tq, heads, d // heads).clone()
        for h in masked_heads:
            heads_out[:, :, h, :] = 0.0
        out = mha.out_proj(heads_out.reshape(batch, tq, d))
    if rec is not None:
        rec[name] = weights  # [B, H, Tq, Tk]
        if capture_qk:
            d = mha.embed_dim
            w, b = mha.in_proj_weight, mha.in_proj_bias
            rec[name + ".q"] = F.linear(q_in, w[:d], b[:d])
            rec[name + ".k"] = F.linear(kv_in, w[d:2 * d], b[d:2 * d])
            v = F.linear(kv_in, w[2 * d:], b[2 * d:])
            rec[name + ".v"] = v
            # Each head's output sum_j w_ij v_j, the heads side by side: [B, Tq, d].
            batch, heads, tq, _ = weights.shape
            v_heads = v.reshape(batch, -1, heads, d // heads).transpose(1, 2)
            heads_out = (weights @ v_heads).transpose(1, 2).reshape(batch, tq, heads, d // heads)
            for h in masked_heads:
                heads_out[:, :, h, :] = 0.0
            rec[name + ".heads_out"] = heads_out.reshape(batch, tq, d)
            rec[name + ".out"] = out  # the block's output, after out_proj
    return out


def _ff(layer, x, act):
    return layer.linear2(act(layer.linear1(x)))


def run_encoder(model, src_emb, src_kpm, rec=None, capture_qk=True, mask=None):
    act = _activation(model.cfg)
    mask = mask or {}
    x = src_emb
    for l, layer in enumerate(model.transformer.encoder.layers):
        name = f"encoder.{l}.self"
        off = mask.get(name, ())
        if layer.norm_first:
            h = layer.norm1(x)
            x = x + _attend(layer.self_attn, h, h, None, src_kpm, rec, name, capture_qk, off)
            x = x + _ff(layer, layer.norm2(x), act)
        else:
            x = layer.norm1(x + _attend(layer.self_attn, x, x, None, src_kpm, rec, name, capture_qk,
                                        off))
            x = layer.norm2(x + _ff(layer, x, act))
    return model.transformer.encoder.norm(x)


def run_decoder(model, tgt_emb, memory, causal, tgt_kpm, src_kpm, rec=None, capture_qk=True,
                mask=None):
    act = _activation(model.cfg)
    mask = mask or {}
    x = tgt_emb
    for l, layer in enumerate(model.transformer.decoder.layers):
        sname, cname = f"decoder.{l}.self", f"decoder.{l}.cross"
        s_off, c_off = mask.get(sname, ()), mask.get(cname, ())
        if layer.norm_first:
            h = layer.norm1(x)
            x = x + _attend(layer.self_attn, h, h, causal, tgt_kpm, rec, sname, capture_qk, s_off)
            h = layer.norm2(x)
            x = x + _attend(layer.multihead_attn, h, memory, None, src_kpm, rec, cname, capture_qk,
                            c_off)
            x = x + _ff(layer, layer.norm3(x), act)
        else:
            x = layer.norm1(x + _attend(layer.self_attn, x, x, causal, tgt_kpm, rec, sname, capture_qk,
                                        s_off))
            x = layer.norm2(x + _attend(layer.multihead_attn, x, memory, None, src_kpm, rec, cname,
                                        capture_qk, c_off))
            x = layer.norm3(x + _ff(layer, x, act))
    return model.transformer.decoder.norm(x)


def trace(model, src_ids, tgt_ids, capture_qk=True, with_softmax=False, mask=None):
    """Full trace for batched ids [B, S], [B, T]. Returns a dict of tensors
    (attention weights [B, H, Tq, Tk], q/k [B, T, d], outputs, logits)."""
    m = make_masks(model.cfg, src_ids, tgt_ids)
    rec = {}
    src_emb = model.embed_src(src_ids)
    tgt_emb = model.embed_tgt(tgt_ids)
    memory = run_encoder(model, src_emb, m["src_kpm"], rec, capture_qk, mask)
    dec = run_decoder(model, tgt_emb, memory, m["causal"], m["tgt_kpm"], m["src_kpm"], rec, capture_qk,
                      mask)
    logits = model.project(dec)
    rec["encoder.output"] = memory
    rec["decoder.output"] = dec
    rec["logits"] = logits
    if with_softmax:
        rec["probs"] = torch.softmax(logits, dim=-1)
    rec["_src_emb"] = src_emb
    rec["_tgt_emb"] = tgt_emb
    return rec


def torch_forward(model, src_emb, tgt_emb, masks):
    """PyTorch's own forward. Returns (memory, decoder output, note).

    Under no_grad in eval mode, torch 1.13 runs even-head encoder layers
    through its fused kernel, and with a padding mask converts the post-norm
    encoder input to a nested tensor. Converted back, the memory is trimmed
    to the longest unpadded length (6 of 8 rows for a single padded
    sentence), so nn.Transformer.forward then fails on the
    memory_key_padding_mask shape. In that case the full forward is rerun
    with the nested-tensor conversion off (the fused layer kernel stays on),
    and the note says so.
    """
    t = model.transformer
    memory = t.encoder(src_emb, src_key_padding_mask=masks["src_kpm"])
    kwargs = dict(tgt_mask=masks["causal"], src_key_padding_mask=masks["src_kpm"],
                  tgt_key_padding_mask=masks["tgt_kpm"], memory_key_padding_mask=masks["src_kpm"])
    note = ""
    if memory.shape[1] == src_emb.shape[1]:
        dec = t(src_emb, tgt_emb, **kwargs)
    else:
        note = f"nested-tensor encoder trimmed memory to {memory.shape[1]} rows; forward rerun without it"
        saved = t.encoder.enable_nested_tensor
        t.encoder.enable_nested_tensor = False
        try:
            dec = t(src_emb, tgt_emb, **kwargs)
        finally:
            t.encoder.enable_nested_tensor = saved
    return memory, dec, note


# ---------------------------------------------------------------------------
# safetensors I/O (the format is simple enough to write by hand)
# ---------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        arr = np.ascontiguousarray(t.detach().cpu().to(torch.float32).numpy(), dtype="<f4")
        data = arr.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """Returns (tensors as float32 numpy arrays, metadata). Validates layout."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, f"{path}: header length {n} not a multiple of 8"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    expected_begin = 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        info = header[name]
        assert info["dtype"] == "F32", f"{path}:{name}: dtype {info['dtype']}"
        b, e = info["data_offsets"]
        assert b == expected_begin, f"{path}:{name}: gap or overlap at {b}"
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == 4 * count, f"{path}:{name}: size mismatch"
        tensors[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
        expected_begin = e
    assert expected_begin == len(data), f"{path}: trailing bytes after tensors"
    assert [k for k in sorted(header)] == sorted(header, key=lambda k: header[k]["data_offsets"][0]), \
        f"{path}: tensors not laid out in sorted-name order"
    return tensors, meta


def write_model_dir(out_dir, model):
    cfg = model.cfg
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(out_dir, "model.safetensors"), model.state_dict(),
                      {"format": "pt"})
    for fname, prefix, size in (("src_vocab.txt", "s", cfg["src_vocab_size"]),
                                ("tgt_vocab.txt", "t", cfg["tgt_vocab_size"])):
        with open(os.path.join(out_dir, fname), "w") as f:
            for i in range(size):
                f.write((SPECIAL_TOKENS[i] if i < len(SPECIAL_TOKENS) else f"{prefix}{i}") + "\n")


def load_model_dir(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    model = Seq2Seq(cfg)
    tensors, _ = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
    model.load_state_dict(state, strict=True)
    model.eval()
    return model


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

def ids_str(ids):
    return ",".join(str(int(i)) for i in ids)


FIXTURES = [
    {
        "name": "post_relu_h2",
        "seed": 1001,
        "cfg": dict(),
        "S": 7, "T": 5,
        "mask": "decoder:0:1,cross:1:0",
        "description": "post-norm, relu, 2 heads, d_model 32, ff 64, 2+2 layers, sinusoidal positions, "
                       "untied generator, vocab 40/44, S=7, T=5; again with heads masked",
    },
    {
        "name": "pre_gelu_h4_tied",
        "seed": 1002,
        "cfg": dict(norm_first=True, activation="gelu", nhead=4, d_model=48, dim_feedforward=96,
                    num_encoder_layers=3, num_decoder_layers=2, positional="learned",
                    max_positions=32, tie_output=True, layer_norm_eps=1e-6),
        "S": 6, "T": 8,
        "mask": "encoder:1:2,cross:0:1,cross:0:3",
        "description": "pre-norm, gelu (erf), 4 heads, d_model 48, ff 96, 3+2 layers, learned positions "
                       "(max_positions 32), output tied to tgt_embed, layer_norm_eps 1e-6, vocab 40/44, "
                       "S=6, T=8 (T > S); again with heads masked",
    },
    {
        "name": "post_gelu_h1_d30_src1",
        "seed": 1003,
        "cfg": dict(activation="gelu", nhead=1, d_model=30, dim_feedforward=50,
                    num_encoder_layers=1, num_decoder_layers=1),
        "S": 1, "T": 4,
        "description": "post-norm, gelu (erf), 1 head, d_model 30 (head dim 30), ff 50, 1+1 layers, "
                       "sinusoidal, untied, single source token (S=1), T=4",
    },
    {
        "name": "pre_relu_h4_d36_tgt1",
        "seed": 1004,
        "cfg": dict(norm_first=True, nhead=4, d_model=36, dim_feedforward=72,
                    num_encoder_layers=2, num_decoder_layers=3),
        "S": 9, "T": 1,
        "description": "pre-norm, relu, 4 heads, d_model 36 (head dim 9), ff 72, 2+3 layers, sinusoidal, "
                       "untied, S=9, single target token (T=1, just <bos>)",
    },
    {
        "name": "post_relu_h2_padded",
        "seed": 1005,
        "cfg": dict(),
        "S": 8, "T": 5, "src_pads": 2, "tgt_pads": 1,
        "description": "as post_relu_h2 but padded: source = 6 ids + 2 <pad>, target = <bos> + 3 ids + "
                       "1 <pad>; pad keys masked in encoder self, decoder self and cross attention",
    },
    {
        "name": "post_gelu_h3_d27_odd",
        "seed": 1006,
        "cfg": dict(activation="gelu", nhead=3, d_model=27, dim_feedforward=40,
                    num_encoder_layers=1, num_decoder_layers=2, src_vocab_size=25, tgt_vocab_size=31),
        "S": 5, "T": 6,
        "description": "post-norm, gelu, 3 heads, odd d_model 27 (head dim 9; sinusoid's last even "
                       "column has no cosine partner), ff 40, 1+2 layers, vocab 25/31, S=5, T=6",
    },
]


def make_ids(cfg, fx, gen):
    s, t = fx["S"], fx["T"]
    src_pads, tgt_pads = fx.get("src_pads", 0), fx.get("tgt_pads", 0)
    src = torch.randint(4, cfg["src_vocab_size"], (s - src_pads,), generator=gen)
    src = torch.cat([src, torch.full((src_pads,), cfg["pad_id"], dtype=torch.long)])
    tgt_body = torch.randint(4, cfg["tgt_vocab_size"], (t - 1 - tgt_pads,), generator=gen)
    tgt = torch.cat([torch.tensor([cfg["bos_id"]]), tgt_body,
                     torch.full((tgt_pads,), cfg["pad_id"], dtype=torch.long)])
    return src, tgt


def max_abs(a, b):
    if a.numel() == 0:
        return 0.0
    return float((a - b).abs().max())


def generate_fixture(out_root, fx):
    cfg = make_config(**fx["cfg"])
    model = build_model(cfg, fx["seed"])
    gen = torch.Generator().manual_seed(fx["seed"] + 7)
    src, tgt = make_ids(cfg, fx, gen)
    src_b, tgt_b = src[None], tgt[None]
    report = {"name": fx["name"]}

    with torch.no_grad():
        rec = trace(model, src_b, tgt_b, capture_qk=True)
        masks = make_masks(cfg, src_b, tgt_b)
        keep = ~masks["src_kpm"][0]  # non-pad source rows
        # (a) forward as called under no_grad: encoder layers may take
        # PyTorch's fused fast path (and nested tensors when padded).
        mem_fast, dec_fast, note = torch_forward(model, rec["_src_emb"], rec["_tgt_emb"], masks)
    # (b) the same forward with autograd on: forces the plain Python path.
    with torch.enable_grad():
        mem_slow, dec_slow, _ = torch_forward(model, rec["_src_emb"], rec["_tgt_emb"], masks)
        mem_slow, dec_slow = mem_slow.detach(), dec_slow.detach()

    report["decoder_fast"] = max_abs(rec["decoder.output"], dec_fast)
    report["decoder_slow"] = max_abs(rec["decoder.output"], dec_slow)
    # The fused encoder path with a padding mask zeroes pad rows before the
    # final norm; only non-pad memory rows are comparable there.
    n = mem_fast.shape[1]  # may be trimmed (pads are trailing)
    report["memory_fast_nonpad"] = max_abs(rec["encoder.output"][0][:n][keep[:n]], mem_fast[0][keep[:n]])
    report["note"] = note
    report["memory_slow"] = max_abs(rec["encoder.output"], mem_slow)
    report["padded_src"] = bool((~keep).any())
    for key in ("decoder_fast", "decoder_slow", "memory_fast_nonpad", "memory_slow"):
        assert report[key] < REPLAY_TOLERANCE, f"{fx['name']}: replay differs from nn.Transformer ({key} = {report[key]})"

    out_dir = os.path.join(out_root, fx["name"])
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    write_model_dir(out_dir, model)
    expected = {k: v[0] for k, v in rec.items() if not k.startswith("_")}
    meta = {
        "format": "attnscope-reference",
        "version": FORMAT_VERSION,
        "torch": torch.__version__,
        "src_ids": ids_str(src),
        "tgt_ids": ids_str(tgt),
        "description": fx["description"],
    }
    if fx.get("mask"):
        # The same input with heads switched off (kind:layer:head as attnscope reads it): the
        # whole trace again under "masked.", and the greedy translation under the mask.
        mask = parse_mask(fx["mask"])
        with torch.no_grad():
            rec_m = trace(model, src_b, tgt_b, capture_qk=True, mask=mask)
            ids = [cfg["bos_id"]]
            for _ in range(2 * len(src) + 10):
                r = trace(model, src_b, torch.tensor([ids]), capture_qk=False, mask=mask)
                ids.append(int(r["logits"][0, -1].argmax()))
                if ids[-1] == cfg["eos_id"]:
                    break
        expected.update({"masked." + k: v[0] for k, v in rec_m.items() if not k.startswith("_")})
        meta["mask"] = fx["mask"]
        meta["masked_greedy_ids"] = ids_str(ids[1:])
    write_safetensors(os.path.join(out_dir, "expected.safetensors"), expected, meta)
    return report


def parse_mask(text):
    """'encoder:1:2,cross:0:1' -> {'encoder.1.self': {2}, 'decoder.0.cross': {1}}."""
    names = {"encoder": "encoder.{}.self", "decoder": "decoder.{}.self", "cross": "decoder.{}.cross"}
    mask = {}
    for item in text.split(","):
        kind, layer, head = item.split(":")
        mask.setdefault(names[kind].format(int(layer)), set()).add(int(head))
    return mask


# ---------------------------------------------------------------------------
# Training-step fixture
# ---------------------------------------------------------------------------

TRAIN_STEP = {
    "name": "train_step",
    "seed": 2001,
    "cfg": dict(nhead=2, d_model=16, dim_feedforward=32, num_encoder_layers=1, num_decoder_layers=1,
                src_vocab_size=20, tgt_vocab_size=22),
    "label_smoothing": 0.1,
}


def make_train_batch(cfg, gen):
    pad, bos, eos = cfg["pad_id"], cfg["bos_id"], cfg["eos_id"]
    src_lens, tgt_lens = [5, 4, 2], [5, 3, 1]  # tgt_lens = content tokens (without bos/eos)
    s_len, t_len = 5, 6
    src = torch.full((3, s_len), pad, dtype=torch.long)
    full = torch.full((3, t_len + 1), pad, dtype=torch.long)
    for r in range(3):
        src[r, : src_lens[r]] = torch.randint(4, cfg["src_vocab_size"], (src_lens[r],), generator=gen)
        body = torch.randint(4, cfg["tgt_vocab_size"], (tgt_lens[r],), generator=gen)
        seq = torch.cat([torch.tensor([bos]), body, torch.tensor([eos])])
        full[r, : len(seq)] = seq
    return src, full[:, :-1].contiguous(), full[:, 1:].contiguous()


def batch_str(ids):
    return ";".join(ids_str(row) for row in ids)


def generate_train_step(out_root):
    fx = TRAIN_STEP
    cfg = make_config(**fx["cfg"])
    model = build_model(cfg, fx["seed"])
    gen = torch.Generator().manual_seed(fx["seed"] + 7)
    src, tgt_in, tgt_out = make_train_batch(cfg, gen)
    ls = fx["label_smoothing"]

    model.train()  # dropout is 0.0 everywhere; train mode just disables fast paths
    model.zero_grad(set_to_none=True)
    logits = model(src, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, cfg["tgt_vocab_size"]), tgt_out.reshape(-1),
                           ignore_index=cfg["pad_id"], label_smoothing=ls)
    loss.backward()

    # Cross-check the loss with the layer-by-layer replay (batched).
    with torch.no_grad():
        model.eval()
        rec = trace(model, src, tgt_in, capture_qk=False)
        loss_replay = F.cross_entropy(rec["logits"].reshape(-1, cfg["tgt_vocab_size"]),
                                      tgt_out.reshape(-1), ignore_index=cfg["pad_id"],
                                      label_smoothing=ls)
    diff = abs(float(loss) - float(loss_replay))
    assert diff < REPLAY_TOLERANCE, f"train_step: replay loss differs by {diff}"

    out_dir = os.path.join(out_root, fx["name"])
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    write_model_dir(out_dir, model)
    tensors = {"loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        tensors["grad." + name] = g
    meta = {
        "format": "attnscope-train-step",
        "version": FORMAT_VERSION,
        "torch": torch.__version__,
        "src": batch_str(src),
        "tgt_in": batch_str(tgt_in),
        "tgt_out": batch_str(tgt_out),
        "label_smoothing": repr(ls),
        "ignore_index": str(cfg["pad_id"]),
        "description": "one training step (no optimizer update): batch of 3 padded pairs, dropout 0, "
                       "loss = F.cross_entropy(logits, tgt_out, ignore_index=pad, label_smoothing=0.1, "
                       "reduction='mean' over non-pad targets); grad.<name> = d loss / d parameter",
    }
    write_safetensors(os.path.join(out_dir, "expected.safetensors"), tensors, meta)
    return {"name": fx["name"], "loss": float(loss), "loss_replay_diff": diff}


# ---------------------------------------------------------------------------
# Self-check: re-read everything from disk
# ---------------------------------------------------------------------------

def check_fixture(out_root, fx):
    d = os.path.join(out_root, fx["name"])
    cfg_path = os.path.join(d, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    model = load_model_dir(d)
    state_names = set(model.state_dict().keys())
    saved, _ = read_safetensors(os.path.join(d, "model.safetensors"))
    assert set(saved) == state_names
    if cfg["tie_output"]:
        assert not any(k.startswith("generator") for k in saved)
    for fname, size in (("src_vocab.txt", cfg["src_vocab_size"]), ("tgt_vocab.txt", cfg["tgt_vocab_size"])):
        with open(os.path.join(d, fname)) as f:
            lines = f.read().split("\n")
        assert lines[-1] == "" and len(lines) - 1 == size and lines[:4] == SPECIAL_TOKENS

    exp, meta = read_safetensors(os.path.join(d, "expected.safetensors"))
    assert meta["format"] == "attnscope-reference" and meta["version"] == FORMAT_VERSION
    src = [int(x) for x in meta["src_ids"].split(",")]
    tgt = [int(x) for x in meta["tgt_ids"].split(",")]
    S, T, dm, H = len(src), len(tgt), cfg["d_model"], cfg["nhead"]
    assert tgt[0] == cfg["bos_id"]
    src_pad = np.array([i == cfg["pad_id"] for i in src])
    tgt_pad = np.array([i == cfg["pad_id"] for i in tgt])
    causal = np.triu(np.ones((T, T), dtype=bool), k=1)

    want = {"encoder.output": [S, dm], "decoder.output": [T, dm], "logits": [T, cfg["tgt_vocab_size"]]}
    attn = {}
    for l in range(cfg["num_encoder_layers"]):
        want[f"encoder.{l}.self"] = [H, S, S]
        attn[f"encoder.{l}.self"] = np.broadcast_to(src_pad[None, :], (S, S))
        for part in ("q", "k", "v", "heads_out", "out"):
            want[f"encoder.{l}.self.{part}"] = [S, dm]
    for l in range(cfg["num_decoder_layers"]):
        want[f"decoder.{l}.self"] = [H, T, T]
        attn[f"decoder.{l}.self"] = causal | tgt_pad[None, :]
        want[f"decoder.{l}.cross"] = [H, T, S]
        attn[f"decoder.{l}.cross"] = np.broadcast_to(src_pad[None, :], (T, S))
        for part in ("q", "k", "v", "heads_out", "out"):
            want[f"decoder.{l}.self.{part}"] = [T, dm]
        for part in ("q", "heads_out", "out"):
            want[f"decoder.{l}.cross.{part}"] = [T, dm]
        want[f"decoder.{l}.cross.k"] = want[f"decoder.{l}.cross.v"] = [S, dm]
    if "mask" in meta:
        assert meta["mask"] == fx.get("mask") and meta["masked_greedy_ids"]
        want.update({"masked." + k: shape for k, shape in list(want.items())})
    assert set(exp) == set(want), f"{fx['name']}: tensor set mismatch {set(exp) ^ set(want)}"
    for k, shape in want.items():
        assert list(exp[k].shape) == shape, f"{fx['name']}:{k}: shape {exp[k].shape} != {shape}"
        assert np.isfinite(exp[k]).all(), f"{fx['name']}:{k}: non-finite values"
    peak = []
    for k, masked in attn.items():
        w = exp[k]
        assert np.abs(w.sum(-1) - 1.0).max() < 1e-5, f"{fx['name']}:{k}: rows do not sum to 1"
        m = np.broadcast_to(masked[None], w.shape)
        assert (w[m] == 0.0).all(), f"{fx['name']}:{k}: masked entries not exactly 0"
        assert (w[~m] > 0.0).all(), f"{fx['name']}:{k}: unmasked entry is 0"
        if w.shape[-1] > 1:
            peak.append(float(w.max(-1).mean()))

    # Reloading the model from the files must reproduce expected bit for bit.
    with torch.no_grad():
        rec = trace(model, torch.tensor([src]), torch.tensor([tgt]), capture_qk=True)
        if "mask" in meta:
            masked = trace(model, torch.tensor([src]), torch.tensor([tgt]), capture_qk=True,
                           mask=parse_mask(meta["mask"]))
            rec.update({"masked." + k: v for k, v in masked.items()})
    for k in want:
        got = rec[k][0].numpy()
        assert np.array_equal(got, exp[k]), f"{fx['name']}:{k}: reload mismatch {np.abs(got - exp[k]).max()}"
    return {"mean_row_peak": float(np.mean(peak)) if peak else float("nan")}


def check_train_step(out_root):
    d = os.path.join(out_root, TRAIN_STEP["name"])
    model = load_model_dir(d)
    exp, meta = read_safetensors(os.path.join(d, "expected.safetensors"))
    assert meta["format"] == "attnscope-train-step" and meta["version"] == FORMAT_VERSION
    parse = lambda s: torch.tensor([[int(x) for x in row.split(",")] for row in s.split(";")])
    src, tgt_in, tgt_out = parse(meta["src"]), parse(meta["tgt_in"]), parse(meta["tgt_out"])
    assert src.shape == (3, 5) and tgt_in.shape == (3, 6) and tgt_out.shape == (3, 6)
    names = {"loss"} | {"grad." + n for n, _ in model.named_parameters()}
    assert set(exp) == names
    for n, p in model.named_parameters():
        assert list(exp["grad." + n].shape) == list(p.shape)
    model.train()
    logits = model(src, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1),
                           ignore_index=int(meta["ignore_index"]),
                           label_smoothing=float(meta["label_smoothing"]))
    loss.backward()
    assert float(loss) == float(exp["loss"][0])
    for n, p in model.named_parameters():
        assert np.array_equal(p.grad.numpy(), exp["grad." + n]), f"train_step: grad.{n} reload mismatch"


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "fixtures"), help="output directory")
    args = ap.parse_args()
    out_root = args.out

    warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")
    torch.set_num_threads(1)  # deterministic reductions, reproducible output
    os.makedirs(out_root, exist_ok=True)
    names = []
    print(f"torch {torch.__version__}; writing fixtures to {out_root}")
    print("max |replay - nn.Transformer forward|: 'fused' = as run under no_grad (fused encoder-layer "
          "kernel for even heads), 'plain' = with autograd on (no fused kernels)")
    print(f"{'fixture':<24} {'decoder fused':>13} {'decoder plain':>13} {'memory fused':>13} "
          f"{'memory plain':>13} {'attn peak':>9}")
    for fx in FIXTURES:
        r = generate_fixture(out_root, fx)
        c = check_fixture(out_root, fx)
        names.append(fx["name"])
        print(f"{fx['name']:<24} {r['decoder_fast']:>13.3e} {r['decoder_slow']:>13.3e} "
              f"{r['memory_fast_nonpad']:>13.3e} {r['memory_slow']:>13.3e} {c['mean_row_peak']:>9.3f}")
        if r["padded_src"]:
            print("    memory fused: non-pad rows only (the nested-tensor encoder path drops pad rows)")
        if r["note"]:
            print(f"    note: {r['note']}")
    t = generate_train_step(out_root)
    check_train_step(out_root)
    print(f"{'train_step':<24} loss {t['loss']:.6f}, |replay loss - fwd loss| {t['loss_replay_diff']:.3e}")

    with open(os.path.join(out_root, "MANIFEST.txt"), "w") as f:
        for n in names:
            f.write(n + "\n")
    print(f"self-check passed; {len(names)} trace fixtures (MANIFEST.txt) + {TRAIN_STEP['name']}, "
          f"{dir_size(out_root)} bytes total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
