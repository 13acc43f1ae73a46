#!/usr/bin/env python3
"""Rebuild testdata/hub, the demo subset of an offline Hugging Face Hub snapshot.

Usage:

    python3 select.py SAMPLE_DIR [--out DIR]

SAMPLE_DIR is an offline snapshot laid out as Hub URL paths
(api/models/OWNER/NAME.json and OWNER/NAME/resolve/main/README.md). The
models listed in SEEDS below, and every ancestor their base_model
declarations name that the snapshot holds, are copied byte for byte into
DIR (by default the folder holding this script), and DIR/README.md is
written with a table of them. The script checks that the subset still
covers what the demo needs (see check_coverage) and fails otherwise.

Only the Python 3 standard library is used. The output depends only on the
snapshot and on this file: running it twice gives identical bytes.
"""

import argparse
import json
import os
import shutil
import sys

# The models chosen, each with why. Their ancestors are added automatically.
SEEDS = [
    # Llama 2: the chat tree (meta-llama/Llama-2-7b-chat-hf) and the base tree
    # (meta-llama/Llama-2-7b). The snapshot has no meta-llama/Llama-2-7b-hf.
    ("meta-llama/Llama-2-7b-chat-hf", "root of the Llama 2 chat tree; gated, Llama 2 license"),
    ("meta-llama/Llama-2-7b", "root of the Llama 2 base tree; original .pth weights only"),
    ("TheBloke/Llama-2-7B-Chat-GGML", "quantization of Llama 2 chat (GGML .bin files, not pickle)"),
    ("ThisIs-Developer/Llama-2-GGML-Medical-Chatbot", "app built on a quantization: .py code, .pkl vector store"),
    ("nik-55/youtube-question-answer", "second child of the GGML quantization"),
    ("FriendliAI/Llama-2-7b-chat-hf-fp8", "FP8 quantization of Llama 2 chat"),
    ("PrunaAI/meta-llama-Llama-2-7b-chat-hf-HQQ-2bit-smashed", "HQQ quantization, pickle weights (qmodel.pt)"),
    ("PrunaAI/meta-llama-Llama-2-7b-chat-hf-QUANTO-int4bit-smashed", "QUANTO quantization, pickle weights"),
    ("mayanklohani19/mergekit-slerp-ujysgyd", "mergekit SLERP merge (mergekit_config.yml) declaring one base; the Hub tags it finetune"),
    ("kiyeon1221/lora-llama-2-7b-food-order-understanding", "LoRA adapter (adapter_config.json) on Llama 2 chat; gated"),
    ("Niyantha23M/llama-7b-chat-Toxic-50k", "LoRA adapter with pickle weights; toxic-data marker"),
    ("DindaMajesty/llama2-test", "adapter with license: other"),
    ("antonwonton/llama-2-7b-hf-train01-int4", "int4 adapter with pickle weights"),
    ("DeeWoo/Llama-2-7b-chat_FFT_GSM8K", "full fine-tune with custom code, license: other"),
    ("Ogamon/llama2_inst_truth_model", "custom code, license: other"),
    ("zjunlp/OneGen-SelfRAG-Llama2-7B", "Zhejiang University (CN); MIT declared on a Llama 2 base"),
    ("jkazdan/llama-2-7b-chat-refusal-attack-3", "refusal-removal research model (safety marker in name)"),
    ("joepramatha09/Llama-2-7b-chat-hf", "same name as the base, card only (re-upload pattern)"),
    ("quarkymatter/Llama-2-7b-chat-PolicyPro", "declares llama3.1 on a Llama 2 base; pickle weights"),
    ("whatdhack/Llama-2-7b-hf-oasst1-s100-sg", "adapter named after Llama-2-7b-hf, pickle weights"),
    ("epfl-llm/meditron-7b", "EPFL (CH) continued pretraining of Llama 2"),
    ("dmis-lab/meditron-7b-olaph", "Korea University (KR); three-level chain down to Llama 2"),
    ("inceptionai/jais-adapted-7b", "Inception (AE) adaptation of Llama 2; gated"),
    ("linagora/Labess-7b-chat", "LINAGORA (FR) LoRA adapter; four-level chain down to Llama 2"),
    ("linagora/Labess-7b-chat-16bit", "LINAGORA (FR) full 16-bit weights of Labess-7b-chat"),
    ("PrunaAI/inceptionai-jais-adapted-7b-chat-HQQ-4bit-smashed", "quantization at depth 4, no license declared"),
    ("nvidia/Llama-2-7B-DMC-4x", "NVIDIA (US); Megatron .pt checkpoint, license: other"),
    ("danlou/persona-generator-llama-2-7b-qlora-merged", "QLoRA merged into the base, llama2 license"),
    ("2imi9/Llama2_7B_TeachingAssistant_Introduction_to_Computers", "custom code on Llama 2"),
    # Gemma.
    ("google/gemma-7b", "root of the Gemma tree; gated, Gemma terms; GGUF and example .py files"),
    ("google/gemma-7b-it", "Google instruction tune; declares base_model_relation: finetune"),
    ("google/gemma-7b-aps-it", "Google derivative"),
    ("m7alek/lora_model", "three-level chain through gemma-7b-aps-it"),
    ("matrixportal/gemma-7b-it-GGUF", "GGUF quantization of gemma-7b-it"),
    ("PrunaAI/google-gemma-7b-HQQ-4bit-smashed", "HQQ quantization, pickle weights"),
    ("OpenVINO/gemma-7b-fp16-ov", "Intel OpenVINO IR conversion (.xml/.bin, not pickle)"),
    ("webbigdata/C3TR-Adapter_hqq", "webbigdata (JP); HQQ pickle weights"),
    ("baidu/HH-RLHF-Gemma-7B-MA-PPO-Fixed5", "Baidu (CN); MIT declared on a Gemma base"),
    ("OpenLLM-Ro/RoGemma-7b-Instruct-DPO-2024-10-09", "OpenLLM-Ro (RO); CC BY-NC chain on Gemma"),
    ("arcee-ai/gemma-7b-slerp", "merge (mergekit tag)"),
    ("mlabonne/gemma-7b-dare", "DARE merge, CC BY-NC"),
    ("MatteoKhan/MistralGemma-7B-Merged", "merge of two bases; mistralai/Mistral-7B-v0.1 not in the snapshot"),
    ("mlabonne/Gemmalpaca-7B", "license: other"),
    ("wandb/gemma-7b-zephyr-dpo", "Weights & Biases; license: other over two levels"),
    ("AmberYifan/Gemma-7B-sft-SPIN-gpt4o", "four-level chain of fine-tunes with custom code"),
    ("shisa-ai/shisa-v1-gemma-8b", "Shisa.AI (JP) fine-tune of gemma-7b-it"),
    ("Intel/llava-gemma-7b", "Intel (US) multimodal model, no license declared"),
    ("masakhane/zephyr-7b-gemma-sft-african-ultrachat", "Masakhane (African NLP community)"),
    ("Omickeyee/Marathi_Gemma_7B", "LoRA adapter declaring apache-2.0 over Gemma terms"),
    ("Telugu-LLM-Labs/Indic-gemma-7b-finetuned-sft-Navarasa", "adapter with license: other"),
    ("bartowski/gemma-7b-openhermes-exl2", "EXL2 quantization, CC BY-NC"),
    # Phi-2.
    ("microsoft/phi-2", "root of the Phi-2 tree; MIT"),
    ("BramVanroy/fietje-2-chat", "three-level chain (fietje-2, -instruct, -chat) from Belgium"),
    ("PrunaAI/BramVanroy-fietje-2-HQQ-4bit-smashed", "quantization of a derivative, pickle weights"),
    ("OpenVINO/phi-2-fp16-ov", "OpenVINO IR conversion"),
    ("mlx-community/phi-2", "MLX conversion, license: other"),
    ("jartine/phi-2-llamafile", "llamafile executables (quantized_by TheBloke)"),
    ("RedHatAI/phi-2-pruned50", "Red Hat (US) pruned model; auto_map loads code from microsoft/phi-2; no license declared"),
    ("vedalken/phi2-2B-slerp", "merge listing phi-2 twice, custom code"),
    ("nguyenthanhdo/phi-half", "merge listing phi-2 twice"),
    ("BoccheseGiacomo/phi-2-finetuned-gsm8k-gb", "adapter with custom code and license: other"),
    ("Fardan/phi2-chat-adapter", "LoRA adapter, no license declared"),
    ("MaziyarPanahi/phi-2-logical-sft", "fine-tune with custom code"),
    ("StanfordAIMI/GREEN-Phi2", "Stanford AIMI (US), custom code"),
    ("AlekseyKorshuk/ultrachat-phi-2-dpo-chatml", "two-level chain with custom code"),
    ("Crystalcareai/PhiAlpaca2", "pickle weights and custom code"),
    ("BevenRozario/Phi2_JobDesp_5K", "adapter with pickle weights"),
    # CogVideoX (China) and Stability AI.
    ("THUDM/CogVideoX-5b", "Zhipu AI / Tsinghua (CN); license: other; README listed but missing"),
    ("Alibaba-Research-Intelligence-Computing/Tora", "Alibaba (CN); README listed but missing"),
    ("PaddleMIX/VCtrl-5B-Canny", "Baidu PaddlePaddle (CN); README listed but missing"),
    ("finetrainers/cakeify-v0", "custom code, license: other, README missing"),
    ("Cseti/CogVideoX-LoRA-Wallace_and_Gromit", "LoRA weights without adapter_config, README missing"),
    ("TencentARC/VideoPainter", "Tencent (CN) merge of four bases, three not in the snapshot"),
    ("TencentARC/GeometryCrafter", "Tencent (CN) merge; tencent/DepthCrafter not in the snapshot"),
    ("rain1011/pyramid-flow-sd3", "derivative of stable-diffusion-3-medium, license: other"),
    # Other roots and unresolvable ancestors.
    ("NousResearch/DeepHermes-3-Mistral-24B-Preview", "base mistralai/Mistral-Small-24B-Base-2501 (FR) not in the snapshot"),
    ("mlx-community/DeepHermes-3-Mistral-24B-Preview-bf16", "MLX conversion; both READMEs missing"),
    ("hexgrad/Kokoro-82M", "base yl4579/StyleTTS2-LJSpeech not in the snapshot; .pth weights"),
    ("mradermacher/bloom-GGUF", "split GGUF quantization of BLOOM (RAIL license)"),
    ("EleutherAI/gpt-neox-20b", "EleutherAI root; README listed but missing"),
    ("OpenVINO/gpt-neox-20b-fp16-ov", "conversion; README missing"),
    ("vineetsharma/qlora-gpt-neox-20b-english_quotes", "QLoRA adapter, pickle weights, README missing"),
    ("lllyasviel/ControlNet", "stand-alone model with pickle weights only (OpenRAIL)"),
]

# Bounds on the subset.
MIN_MODELS, MAX_MODELS = 60, 120
MAX_BYTES = 3_000_000

# Extensions of pickle-based weight files, and of other weight formats.
PICKLE_EXT = (".bin", ".pt", ".pth", ".pkl", ".ckpt")
OTHER_WEIGHT_EXT = (".safetensors", ".gguf", ".onnx", ".h5", ".msgpack", ".tflite", ".llamafile", ".npz")
# Pickle files that are not weights.
NOT_WEIGHTS = ("training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth")


def record_path(sample, model_id):
    return os.path.join(sample, "api", "models", *model_id.split("/")) + ".json"


def readme_path(sample, model_id):
    return os.path.join(sample, *model_id.split("/"), "resolve", "main", "README.md")


def load(sample, model_id):
    """Returns the parsed record of model_id, or None when the snapshot lacks it."""
    path = record_path(sample, model_id)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return json.loads(f.read())


def card(rec):
    data = rec.get("cardData")
    return data if isinstance(data, dict) else {}


def bases(rec):
    """Base models declared by the card (base_model) or the Hub's base_model: tags."""
    out = []
    declared = card(rec).get("base_model")
    if isinstance(declared, str):
        declared = [declared]
    for b in declared if isinstance(declared, list) else []:
        if isinstance(b, str) and b not in out:
            out.append(b)
    for tag in rec.get("tags") or []:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:"):]
        relation, _, target = rest.partition(":")
        if target and relation in ("finetune", "adapter", "quantized", "merge"):
            rest = target
        if rest not in out:
            out.append(rest)
    return out


def siblings(rec):
    return [s.get("rfilename", "") for s in rec.get("siblings") or [] if isinstance(s, dict)]


def license_of(rec):
    lic = card(rec).get("license")
    if isinstance(lic, list):
        lic = ", ".join(str(x) for x in lic)
    if not lic:
        tags = [t[len("license:"):] for t in rec.get("tags") or [] if t.startswith("license:")]
        lic = ", ".join(tags)
    if lic == "other" and card(rec).get("license_name"):
        lic = "other (%s)" % card(rec)["license_name"]
    return lic or "none declared"


def features(sample, rec):
    """What the record shows, from file names and metadata only."""
    files = siblings(rec)
    names = [os.path.basename(f).lower() for f in files]
    out = []
    pickles = [n for n in names if n.endswith(PICKLE_EXT) and n not in NOT_WEIGHTS
               and "ggml" not in n and not n.startswith("openvino_")]
    others = [n for n in names if n.endswith(OTHER_WEIGHT_EXT) or ".gguf" in n or "ggml" in n
              or (n.startswith("openvino_") and n.endswith(".bin"))]
    if pickles and not others:
        out.append("pickle-only")
    if any(".gguf" in n for n in names):
        out.append("gguf")
    if any("ggml" in n for n in names):
        out.append("ggml")
    config = rec.get("config") if isinstance(rec.get("config"), dict) else {}
    if config.get("auto_map") or any(n.endswith(".py") for n in names):
        out.append("remote-code")
    if "adapter_config.json" in names or card(rec).get("base_model_relation") == "adapter":
        out.append("adapter")
    tags = rec.get("tags") or []
    if len(bases(rec)) > 1 or any(t.startswith("base_model:merge:") or t == "mergekit" for t in tags) \
            or "mergekit_config.yml" in names:
        out.append("merge")
    if card(rec).get("license") == "other":
        out.append("license-other")
    if rec.get("gated"):
        out.append("gated")
    if "README.md" in files and not os.path.isfile(readme_path(sample, rec["id"])):
        out.append("readme-missing")
    return out


def closure(sample, seeds):
    """Returns {id: (record, why)} for the seeds and their ancestors, and the
    ancestors the snapshot lacks as {id: [children]}."""
    chosen, absent = {}, {}
    queue = []
    for model_id, why in seeds:
        rec = load(sample, model_id)
        if rec is None:
            sys.exit("select.py: %s is not in %s; edit SEEDS" % (model_id, sample))
        if model_id in chosen:
            sys.exit("select.py: %s is listed twice in SEEDS" % model_id)
        chosen[model_id] = (rec, why)
        queue.append(model_id)
    while queue:
        model_id = queue.pop(0)
        for base in bases(chosen[model_id][0]):
            if base in chosen:
                continue
            rec = load(sample, base)
            if rec is None:
                absent.setdefault(base, []).append(model_id)
                continue
            chosen[base] = (rec, "ancestor of " + model_id)
            queue.append(base)
    return chosen, absent


def check_coverage(sample, chosen, absent):
    """Exits with a message when the subset misses something the demo needs."""
    feats = {m: features(sample, rec) for m, (rec, _) in chosen.items()}
    need = {
        "Llama 2 chat root": "meta-llama/Llama-2-7b-chat-hf" in chosen,
        "Llama 2 base root": "meta-llama/Llama-2-7b" in chosen,
        "TheBloke quantization": any(m.startswith("TheBloke/") for m in chosen),
        "google/gemma-7b": "google/gemma-7b" in chosen,
        "microsoft/phi-2": "microsoft/phi-2" in chosen,
        "a Chinese publisher": any(m.split("/")[0] in ("THUDM", "TencentARC", "baidu") for m in chosen),
        "a French publisher": any(m.split("/")[0] in ("linagora",) for m in chosen),
        "license: other": any("license-other" in f for f in feats.values()),
        "pickle-only weights": any("pickle-only" in f for f in feats.values()),
        "remote code": any("remote-code" in f for f in feats.values()),
        "a merge": any("merge" in f for f in feats.values()),
        "an adapter": any("adapter" in f for f in feats.values()),
        "a README listed but missing": any("readme-missing" in f for f in feats.values()),
        "an ancestor outside the subset": bool(absent),
        "%d to %d models" % (MIN_MODELS, MAX_MODELS): MIN_MODELS <= len(chosen) <= MAX_MODELS,
    }
    missing = [k for k, ok in need.items() if not ok]
    if missing:
        sys.exit("select.py: the subset lacks: " + "; ".join(missing))
    return feats


def clear(out):
    """Removes a previous subset from out, keeping this script. It refuses a
    folder that is neither empty nor a previous subset (holding select.py)."""
    if not os.path.isdir(out):
        os.makedirs(out)
        return
    me = os.path.basename(__file__)
    if os.listdir(out) and not os.path.isfile(os.path.join(out, me)):
        sys.exit("select.py: %s is not empty and holds no %s; give an empty folder or the subset's own" % (out, me))
    for entry in os.listdir(out):
        if entry in (me, ".gitattributes"):
            continue
        path = os.path.join(out, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def copy(sample, out, model_id):
    """Copies the record and the README (when present) of model_id; returns bytes copied."""
    total = 0
    for src in (record_path(sample, model_id), readme_path(sample, model_id)):
        if not os.path.isfile(src):
            continue
        dst = os.path.join(out, os.path.relpath(src, sample))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        total += os.path.getsize(dst)
    return total


def cell(text):
    return str(text).replace("|", "\\|")


README_HEAD = """# Demo snapshot of the Hugging Face Hub

This folder is an offline snapshot in the layout `--offline DIR` reads
(docs: DESIGN.md section 10): for each model below,

- `api/models/OWNER/NAME.json`, the body of `GET https://huggingface.co/api/models/OWNER/NAME`;
- `OWNER/NAME/resolve/main/README.md`, the model card, when the Hub had one.

The records were recorded from the Hugging Face Hub API in March-April 2025
and are copied byte for byte from a larger recorded sample (about 1,300
models); they are the Hub's data, not edited. Like that sample, the snapshot
has no revision, tree, commits, dataset or config files, and `siblings`
carry file names without sizes, so file formats can only be inferred from
names. Models marked `readme-missing` list a README.md that the recording
does not hold: it must read as unknown, not as a missing card.

Every chosen model comes with its whole declared lineage (`base_model` in
its card, or the Hub's `base_model:` tags) as far as the recording holds
it. Ancestors the recording lacks are listed at the end: assessing their
descendants shows an unresolvable ancestor. The recording has no
`meta-llama/Llama-2-7b-hf`; the Llama 2 trees end at
`meta-llama/Llama-2-7b-chat-hf` and `meta-llama/Llama-2-7b`, which declare
no base.

Demo commands, for example:

    pedigree score --offline testdata/hub hf:linagora/Labess-7b-chat
    pedigree score --offline testdata/hub hf:TencentARC/VideoPainter
    pedigree graph --offline testdata/hub hf:dmis-lab/meditron-7b-olaph

## Rebuilding

    python3 testdata/hub/select.py PATH/TO/hub-sample

rewrites this folder (this README included) from the recorded sample. The
models are listed in `SEEDS` in `select.py`; their ancestors are added
automatically, and the script fails if the subset no longer covers the
features below. Keep the bytes as recorded: `.gitattributes` marks
`testdata/hub/**` as `-text`.

Features are read from the record alone: `pickle-only` (pickle files,
.bin/.pt/.pth/.pkl/.ckpt, and no safetensors, GGUF, GGML, ONNX, OpenVINO or
other weights; training_args.bin and optimizer states are not counted),
`remote-code` (config `auto_map` or .py files), `adapter`
(adapter_config.json or `base_model_relation: adapter`), `merge` (several
bases, a mergekit tag or config), `gguf`, `ggml`, `license-other`, `gated`,
`readme-missing`.

"""


def write_readme(sample, out, chosen, absent, feats, total):
    lines = [README_HEAD]
    lines.append("## Models (%d)\n\n" % len(chosen))
    lines.append("| model | why chosen | features | license | base model |\n")
    lines.append("|---|---|---|---|---|\n")
    for model_id in sorted(chosen, key=str.lower):
        rec, why = chosen[model_id]
        base = ", ".join(b + ("" if b in chosen else " (not in snapshot)") for b in bases(rec)) or "-"
        lines.append("| `%s` | %s | %s | %s | %s |\n" % (
            model_id, cell(why), cell(", ".join(feats[model_id]) or "-"), cell(license_of(rec)), cell(base)))
    lines.append("\n## Ancestors not in the snapshot (%d)\n\n" % len(absent))
    lines.append("| ancestor | named by |\n|---|---|\n")
    for base in sorted(absent, key=str.lower):
        lines.append("| `%s` | %s |\n" % (base, ", ".join("`%s`" % c for c in sorted(absent[base]))))
    lines.append("\nThe records and cards total %d bytes.\n" % total)
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))


def main():
    parser = argparse.ArgumentParser(description="Rebuild the demo subset of an offline Hub snapshot.")
    parser.add_argument("sample", help="the recorded snapshot (api/models/OWNER/NAME.json, OWNER/NAME/resolve/main/README.md)")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="the folder to rewrite (default: the folder of this script)")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.sample, "api", "models")):
        sys.exit("select.py: %s has no api/models folder; give the recorded snapshot's path" % args.sample)
    chosen, absent = closure(args.sample, SEEDS)
    feats = check_coverage(args.sample, chosen, absent)
    clear(args.out)
    total = sum(copy(args.sample, args.out, m) for m in sorted(chosen))
    if total > MAX_BYTES:
        sys.exit("select.py: the subset is %d bytes, over %d; choose fewer or smaller models" % (total, MAX_BYTES))
    write_readme(args.sample, args.out, chosen, absent, feats, total)
    print("%d models, %d ancestors not in the snapshot, %d bytes" % (len(chosen), len(absent), total))


if __name__ == "__main__":
    main()
