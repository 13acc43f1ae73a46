// Package local is the source of model folders on disk: a folder laid out
// as a Hugging Face repository (README.md, config.json, weights, ...), such
// as a clone, a download or a training run's output.
//
// [New] returns the source; it serves every subject with a Path
// ([sources.LocalFolder], or a ./dir, /abs/dir or file: reference given to
// [sources.ParseRef]). A Source is safe for concurrent use.
//
// # What Collect reads
//
// Every file of the folder is inventoried (subfolders included; .git and
// .cache are skipped; at most [DefaultMaxFiles] files unless
// [WithMaxFiles] says otherwise). Of a weight file only the first 4 KiB are
// read, and of a zip archive its directory, never its entries; the Origin
// digest of each file is the SHA-256 of exactly the bytes read (the whole
// file for small and text files). Symbolic links are followed to files
// inside the folder only, and, for a snapshot folder of the Hugging Face
// cache (.../models--OWNER--NAME/snapshots/REV), to that repository's blobs.
//
// The metadata files at the top of the folder are read whole (up to
// [DefaultMaxFileSize] each) and parsed by package modelcard: README.md,
// config.json, adapter_config.json, mergekit_config.yml (or .yaml) and the
// license file (LICENSE, LICENSE.md, LICENSE.txt, LICENSE-MODEL, or LICENCE
// spelt so; names compared case-insensitively), whose text is recognised by
// package licensetext.
//
// # Evidence emitted
//
//   - file: one per file. Attrs: format (safetensors, pickle, pickle_zip,
//     gguf, onnx, keras, h5, numpy, msgpack, tflite, zip, lfs_pointer,
//     python, json, yaml, markdown, text, unknown), detected_by (magic or
//     extension), extension_format (the format the extension suggests,
//     when the bytes say otherwise), role (weights, code, config, card,
//     license, other), size, and symlink=outside for a link out of the
//     folder, which is not read.
//   - card: present, absent, or unavailable (README.md exists but cannot be
//     read).
//   - license: from the card, its license: tags, and the license file
//     (declared_in=file, with file, match (classifier, pattern or
//     unrecognized), name and confidence; an unrecognised text is "other").
//   - card_field, tag, base_model, dataset, config, adapter, merge,
//     remote_code: as package modelcard's Emit derives them.
//   - file_error: a file that could not be read or parsed (attrs part,
//     line, error). The rest of the folder is still read and Collect
//     succeeds; the rules that needed the file report the outcome error.
//
// # References
//
// A base model named in the card, adapter_config.json, a mergekit
// configuration or config.json's _name_or_path is resolved so:
//
//   - an explicit relative path (./x, ../x) is the folder at that path,
//     relative to this folder, whether or not it exists (a missing one is
//     then reported unresolvable);
//   - an absolute path is that folder when it exists, and otherwise nothing
//     (a path on the machine the model was trained on);
//   - a name that is an existing folder relative to this folder is that
//     folder;
//   - otherwise a valid Hub id (OWNER/NAME, or a legacy bare NAME) is that
//     Hub model.
//
// A reference naming the folder itself (its base name, or the card's
// model_name, compared case-insensitively: a download of
// meta-llama/Llama-2-7b-hf into Llama-2-7b-hf/ is that model, not a
// derivative) is not a base.
//
// # Errors
//
// Collect fails with [sources.ErrNotFound] for a path that does not exist,
// [sources.ErrUnsupported] for a file or a folder that holds no card, no
// config and no weights, and [sources.ErrUnauthorized] when the folder cannot
// be read for lack of permission, each wrapped in a [*sources.Error].
//
// # The local Hugging Face cache
//
// [HubCache] reads the cache the Hugging Face libraries download into
// ([HubCacheDir] finds it from HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME or the
// home directory): a repository's refs, its snapshot at a commit, and the
// files there. The Hugging Face source uses it to read downloaded
// repositories without a request.
package local
