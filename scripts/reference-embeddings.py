#!/usr/bin/env python3
"""Reference embeddings of all-MiniLM-L6-v2, computed without candle, to check casecoach's.

An independent forward pass of the BERT encoder in numpy (float64), reading model.safetensors
directly, then sentence-transformers' pooling (mean over the attention mask, L2 normalised).
Tokens come from the `tokenizers` package reading the same tokenizer.json (truncated at 256,
no padding); the token ids are written out too, so a tokenizer difference shows as such.

Prints JSON: for each of four fixed sentences its token ids, the first 16 components, the sum
of all 384 and the norm before normalising; and the cosine matrix. The output is committed as
tests/fixtures/minilm-reference.json, which tests/embedder.rs compares the Rust embedder to.

Needs numpy, safetensors and tokenizers; keep them out of the project, in a venv:

    python3 -m venv /tmp/minilm-ref && /tmp/minilm-ref/bin/pip install numpy safetensors tokenizers
    /tmp/minilm-ref/bin/python scripts/reference-embeddings.py [MODEL_DIR] > tests/fixtures/minilm-reference.json

MODEL_DIR defaults to casecoach's: $CASECOACH_EMBEDDER_DIR, else
$XDG_CACHE_HOME/casecoach/models/all-MiniLM-L6-v2, else ~/.cache/casecoach/models/all-MiniLM-L6-v2.
"""

import hashlib
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "How rare is fraud among the transactions?",
    "What fraction of the transactions turn out to be fraudulent?",
    "The carousel on the home page holds twelve recommended items.",
    "I'd retrain weekly, and watch feature drift & the PR-AUC on last month's data.",
]
MAX_TOKENS = 256


def model_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    if os.environ.get("CASECOACH_EMBEDDER_DIR"):
        return Path(os.environ["CASECOACH_EMBEDDER_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if cache.startswith("/") else Path.home() / ".cache"
    return base / "casecoach" / "models" / "all-MiniLM-L6-v2"


_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    # BERT's "gelu": the exact one, with erf (not the tanh approximation).
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def encode(ids, t, cfg):
    """The last hidden states, (tokens, hidden), of one unpadded sequence."""
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    n = len(ids)
    x = (
        t["embeddings.word_embeddings.weight"][ids]
        + t["embeddings.position_embeddings.weight"][:n]
        + t["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    hidden = x.shape[1]
    d = hidden // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def dense(h, name):
            return h @ t[p + name + ".weight"].T + t[p + name + ".bias"]

        q = dense(x, "attention.self.query").reshape(n, heads, d).transpose(1, 0, 2)
        k = dense(x, "attention.self.key").reshape(n, heads, d).transpose(1, 0, 2)
        v = dense(x, "attention.self.value").reshape(n, heads, d).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores -= scores.max(-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(-1, keepdims=True)
        ctx = (weights @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = layer_norm(
            x + dense(ctx, "attention.output.dense"),
            t[p + "attention.output.LayerNorm.weight"],
            t[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        h = gelu(dense(x, "intermediate.dense"))
        x = layer_norm(
            x + dense(h, "output.dense"),
            t[p + "output.LayerNorm.weight"],
            t[p + "output.LayerNorm.bias"],
            eps,
        )
    return x


def main():
    d = model_dir()
    cfg = json.loads((d / "config.json").read_text())
    tensors = {k: v.astype(np.float64) for k, v in load_file(str(d / "model.safetensors")).items()}
    tok = Tokenizer.from_file(str(d / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS)
    sha = hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()

    out, vectors = [], []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        h = encode(np.array(ids), tensors, cfg)
        pooled = h.mean(0)  # every token is real: no padding to mask out
        v = pooled / max(np.linalg.norm(pooled), 1e-12)
        vectors.append(v)
        out.append(
            {
                "text": s,
                "token_ids": ids,
                "first16": [round(float(x), 7) for x in v[:16]],
                "sum": round(float(v.sum()), 7),
                "pooled_norm": round(float(np.linalg.norm(pooled)), 6),
            }
        )
    m = np.array(vectors)
    cosine = [[round(float(x), 7) for x in row] for row in m @ m.T]
    # One line per sentence and per row, so a change reads well in a diff.
    lines = [
        "{",
        ' "about": "all-MiniLM-L6-v2 embeddings from scripts/reference-embeddings.py (numpy, float64)",',
        f' "weights_sha256": "{sha}",',
        f' "dim": {m.shape[1]},',
        ' "sentences": [',
        ",\n".join("  " + json.dumps(o, ensure_ascii=False) for o in out),
        " ],",
        ' "cosine": [',
        ",\n".join("  " + json.dumps(row) for row in cosine),
        " ]",
        "}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
