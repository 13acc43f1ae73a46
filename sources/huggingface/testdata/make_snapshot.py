#!/usr/bin/env python3
"""Writes snap/: a small Hub snapshot, in the layout of DESIGN section 10,
of a 5-model lineage and its dataset, with every endpoint the Hugging Face
source reads (repository info, tree with scans, commits, raw files).

    root  quant/franken-GGUF   quantized ->
          merge/franken        merge of lora/chat-lora and gated/secret-model ->
          lora/chat-lora       adapter of acme/base-7b-chat ->
          acme/base-7b-chat    finetune of acme/base-7b, trained on acme/chat-data ->
          acme/base-7b

Run it from this folder; it rewrites snap/ byte for byte.
"""
import hashlib, io, json, os, shutil, struct, zipfile

OUT = "snap"
shutil.rmtree(OUT, ignore_errors=True)

def sha(s):
    return hashlib.sha1(s.encode()).hexdigest()

def write(path, data):
    p = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if isinstance(data, (dict, list)):
        data = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if isinstance(data, str):
        data = data.encode()
    with open(p, "wb") as f:
        f.write(data)

def safetensors(name):
    """A valid safetensors file with one 2x2 F32 tensor named after name."""
    header = json.dumps({"__metadata__": {"format": "pt"}, name: {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}},
                        separators=(",", ":")).encode()
    return struct.pack("<Q", len(header)) + header + bytes(16)

def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

def gguf(base):
    """A GGUF v3 file with no tensors and metadata naming its base."""
    kv = [("general.architecture", "llama"), ("general.name", "franken"), ("general.base_model.count", None),
          ("general.base_model.0.name", "franken"), ("general.base_model.0.organization", base.split("/")[0]),
          ("general.base_model.0.repo_url", "https://huggingface.co/" + base),
          ("tokenizer.chat_template", "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}")]
    out = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", len(kv))
    for k, v in kv:
        out += gguf_str(k)
        if v is None:
            out += struct.pack("<I", 4) + struct.pack("<I", 1)  # uint32 count
        else:
            out += struct.pack("<I", 8) + gguf_str(v)  # string
    return out

def torch_zip(malicious):
    """A PyTorch zip checkpoint whose data.pkl rebuilds a tensor, and, when
    malicious, also calls os.system."""
    pk = b"\x80\x02"
    if malicious:
        pk += b"cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03"
        pk += b"0"  # POP
    pk += b"ctorch._utils\n_rebuild_tensor_v2\nq\x04)Rq\x05."
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in [("archive/data.pkl", pk), ("archive/version", b"3\n"), ("archive/data/0", bytes(16))]:
            zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(zi, data)
    return buf.getvalue()

APACHE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""

def model(mid, files, card, config=None, extra=None, scans=None, gated=False, author_type="org", commits=2, card_data=None, swap=None):
    rev = sha(mid)
    owner = mid.split("/")[0]
    raw = dict(files)
    for n, body in list(raw.items()):
        if n.endswith(".safetensors"):
            raw[n] = safetensors(n.split(".")[0])
    if card is not None:
        raw["README.md"] = card
    if config is not None:
        raw["config.json"] = json.dumps(config, indent=2) + "\n"
    raw.update(extra or {})
    names = sorted(raw)
    info = {
        "id": mid, "modelId": mid, "author": owner, "sha": rev,
        "lastModified": "2024-05-01T10:00:00.000Z", "createdAt": "2024-01-02T03:04:05.000Z",
        "private": False, "gated": gated, "disabled": False, "downloads": 1234, "likes": 56,
        "library_name": "transformers", "pipeline_tag": "text-generation",
        "tags": ["transformers", "region:us"],
        "siblings": [{"rfilename": n} for n in names],
        "cardData": card_data or {},
        "authorData": {"name": owner, "fullname": owner.title(), "type": author_type, "isEnterprise": False},
    }
    write(f"api/models/{mid}.json", info)
    tree = []
    for n in names:
        body = raw[n] if isinstance(raw[n], bytes) else raw[n].encode()
        e = {"type": "file", "path": n, "oid": hashlib.sha1(n.encode() + body).hexdigest(), "size": len(body),
             "lastCommit": {"id": rev, "title": "Upload " + n, "date": "2024-05-01T10:00:00.000Z"}}
        if swap and n in swap["files"]:
            e["lastCommit"] = {"id": rev, "title": swap["title"], "date": swap["date"]}
        if n.endswith((".safetensors", ".gguf", ".bin")):
            e["lfs"] = {"oid": hashlib.sha256(body).hexdigest(), "size": len(body), "pointerSize": 134}
            st = (scans or {}).get(n, "safe")
            e["securityFileStatus"] = {"status": st,
                "avScan": {"status": "safe"},
                "pickleImportScan": {"status": "unscanned" if not n.endswith(".bin") else st,
                    "pickleImports": [] if not n.endswith(".bin") else [
                        {"module": "torch._utils", "name": "_rebuild_tensor_v2", "safety": "innocuous"},
                        {"module": "builtins", "name": "exec", "safety": "dangerous"}]}}
        tree.append(e)
    write(f"api/models/{mid}/tree/{rev}.json", tree)
    hist = [{"id": rev, "title": "Upload model", "message": "", "date": "2024-05-01T10:00:00.000Z",
             "authors": [{"user": owner + "-bot"}]}]
    if swap:
        hist = [{"id": rev, "title": swap["title"], "message": "", "date": swap["date"], "authors": [{"user": swap["author"]}]},
                {"id": sha(mid + "first"), "title": "Upload model", "message": "", "date": "2024-01-10T09:00:00.000Z", "authors": [{"user": owner}]}]
    for i in range(1, commits):
        hist.append({"id": sha(mid + str(i)), "title": "Initial commit", "message": "",
                     "date": "2024-01-02T03:04:05.000Z", "authors": [{"user": owner}]})
    write(f"api/models/{mid}/commits/{rev}.json", hist)
    for n, body in raw.items():
        write(f"{mid}/resolve/{rev}/{n}", body)
    return rev

model("acme/base-7b",
      {"model.safetensors": "weights-of-base", "LICENSE": APACHE},
      "---\nlicense: apache-2.0\nlanguage: [en]\npipeline_tag: text-generation\n---\n# Base 7B\n\nTrained from scratch by Acme.\n",
      config={"architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "bfloat16"})
model("acme/base-7b-chat",
      {"model.safetensors": "weights-of-chat"},
      "---\nlicense: apache-2.0\nbase_model: acme/base-7b\ndatasets:\n- acme/chat-data\n---\n# Base 7B Chat\n",
      config={"architectures": ["LlamaForCausalLM"], "model_type": "llama", "_name_or_path": "acme/base-7b"},
      card_data={"license": "apache-2.0", "base_model": "acme/base-7b", "datasets": ["acme/chat-data"]})
model("lora/chat-lora",
      {"adapter_model.safetensors": "lora-weights"},
      "---\nlicense: apache-2.0\nbase_model: acme/base-7b-chat\nlibrary_name: peft\n---\n# A LoRA\n",
      extra={"adapter_config.json": json.dumps({"peft_type": "LORA", "base_model_name_or_path": "acme/base-7b-chat", "r": 16, "task_type": "CAUSAL_LM"}, indent=2) + "\n"},
      author_type="user")
model("merge/franken",
      {"model.safetensors": "merged-weights", "pytorch_model.bin": torch_zip(True)},
      "---\nlicense: apache-2.0\nbase_model:\n- lora/chat-lora\n- gated/secret-model\ntags: [merge, mergekit]\n---\n# Franken merge\n",
      extra={"mergekit_config.yml": "merge_method: slerp\nslices:\n  - sources:\n      - model: lora/chat-lora\n        layer_range: [0, 32]\n      - model: gated/secret-model\n        layer_range: [0, 32]\nbase_model: lora/chat-lora\ndtype: bfloat16\n"},
      scans={"pytorch_model.bin": "unsafe"})
model("quant/franken-GGUF",
      {"franken.Q4_K_M.gguf": gguf("merge/franken")},
      "---\nlicense: apache-2.0\nbase_model: merge/franken\nbase_model_relation: quantized\n---\n# GGUF of Franken\n")

# The dataset.
drev = sha("acme/chat-data")
write("api/datasets/acme/chat-data.json", {
    "id": "acme/chat-data", "author": "acme", "sha": drev, "private": False, "gated": "auto",
    "disabled": False, "downloads": 99, "likes": 3, "tags": ["license:cc-by-4.0"],
    "lastModified": "2024-01-01T00:00:00.000Z", "createdAt": "2023-12-01T00:00:00.000Z",
    "cardData": {"license": "cc-by-4.0", "source_datasets": ["original"]},
    "siblings": [{"rfilename": "README.md"}, {"rfilename": "data/train.parquet"}]})
write(f"datasets/acme/chat-data/resolve/{drev}/README.md",
      "---\nlicense: cc-by-4.0\nsource_datasets:\n- original\n---\n# Chat data\n")

# A user's repository whose weights another account replaced months after release.
model("someone/swapped-weights", {"model.safetensors": "replaced-weights"},
      "---\nlicense: apache-2.0\nbase_model: acme/base-7b\n---\n# Swapped\n", author_type="user",
      swap={"files": ["model.safetensors"], "title": "Update model.safetensors", "date": "2024-09-02T12:00:00.000Z", "author": "intruder"})

# A repository that moved: the Hub answers for its new id.
model("acme/renamed-model", {"model.safetensors": "w"}, "---\nlicense: mit\n---\n# Renamed\n")
info = json.load(open(os.path.join(OUT, "api/models/acme/renamed-model.json")))
write("api/models/acme/old-name.json", info)
