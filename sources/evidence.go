package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// EvidenceKind names what a piece of evidence says. Kinds are lower-case
// snake_case and listed in docs/evidence.md.
type EvidenceKind string

// Evidence kinds emitted by the installed sources. Value and Attrs of each
// kind are described in docs/evidence.md.
const (
	// KindCard says whether the subject has a model or dataset card.
	// Value: "present", "absent" or "unavailable" (listed but not readable).
	KindCard EvidenceKind = "card"
	// KindCardField is one scalar field of card metadata. Attrs["field"]
	// names it (pipeline_tag, library_name, language, license_name,
	// license_link, new_version, base_model_relation); Value is its value.
	KindCardField EvidenceKind = "card_field"
	// KindTag is one tag from card metadata or the Hub. Value is the tag.
	KindTag EvidenceKind = "tag"
	// KindLicense is one license declaration. Value is the license id as
	// declared, lower-cased (apache-2.0, llama2, other). Attrs["declared_in"]
	// is card, tag, or file; Attrs["name"] and Attrs["link"] carry a card's
	// license_name and license_link; for a file, Attrs["file"] names it and
	// Attrs["match"] and Attrs["confidence"] describe the classification.
	KindLicense EvidenceKind = "license"
	// KindBaseModel is one declared or evidenced base model. Value is the
	// reference as written. Attrs["declared_in"] is card, adapter_config,
	// config, merge_config, tag, gguf or card_text (prose of the card such as
	// "fine-tuned from X": Attrs["text"] quotes the sentence and
	// Attrs["line"] gives its line); Attrs["relation"] the relation it implies.
	KindBaseModel EvidenceKind = "base_model"
	// KindDataset is a declared training dataset. Value is its id.
	KindDataset EvidenceKind = "dataset"
	// KindConfig is one field of config.json. Attrs["field"] names it
	// (architectures, model_type, _name_or_path, auto_map); Value is its value,
	// list items joined by ",".
	KindConfig EvidenceKind = "config"
	// KindAdapter says the subject is a parameter-efficient adapter. Value is
	// the PEFT type (LORA, IA3, ...); Attrs["base"] the declared base.
	KindAdapter EvidenceKind = "adapter"
	// KindMerge says the subject is a merge. Value is the merge method;
	// Attrs["file"] the merge configuration it was read from.
	KindMerge EvidenceKind = "merge"
	// KindFile is one file of the subject. Value is its path relative to the
	// subject root. Attrs["format"] is the detected format (safetensors,
	// pickle, pickle_zip, gguf, onnx, keras, h5, numpy, python, ...),
	// Attrs["detected_by"] is magic or extension, Attrs["role"] is weights,
	// code, config, card, license or other, and Attrs["size"] the size in bytes.
	KindFile EvidenceKind = "file"
	// KindRemoteCode is a reason loading the subject runs custom code. Value
	// is the class reference or file; Attrs["declared_in"] where it was seen.
	KindRemoteCode EvidenceKind = "remote_code"
	// KindSafetyMarker is a sign that the subject's safety training was
	// removed or bypassed (abliterated, uncensored, refusal-removed, ...).
	// Value is the marker term as found; Attrs["field"] says where (name,
	// tag, dataset, card), Attrs["text"] quotes the name, tag, dataset id or
	// card sentence, and Attrs["line"] is the card line for card text.
	KindSafetyMarker EvidenceKind = "safety_marker"
	// KindFingerprint says the subject's configuration matches the
	// architecture of a known base model family. Value is the base's Hub id
	// (the first candidate); Attrs["candidates"] lists every base the
	// fingerprint matches (comma-separated), Attrs["family"] names the family
	// and Attrs["fields"] the configuration fields that matched
	// (field=value, comma-separated).
	KindFingerprint EvidenceKind = "fingerprint"
	// KindArtifact is what inspecting the inside of one weight file found,
	// without executing it. Value is the verdict: clean, unknown_import,
	// dangerous_import, code (Keras Lambda layers or custom objects),
	// suspicious_template (a GGUF chat template with content unrelated to
	// formatting), malformed, or unread (the byte budget ran out before a
	// verdict). Attrs["file"] names the file, Attrs["format"] its format,
	// Attrs["imports"] the pickle imports that are not safe
	// (module.name:verdict, comma-separated), Attrs["reason"] what is
	// malformed or suspicious, Attrs["parameters"] and Attrs["tensors"] the
	// counts of a safetensors or GGUF file, Attrs["bytes_read"] how much of
	// the file was read and Attrs["size"] its size.
	KindArtifact EvidenceKind = "artifact"
	// KindDependency is one software package a local folder declares in a
	// lockfile or manifest. Value is the package's PURL with its version
	// (without one when the file does not pin it); Attrs["ecosystem"] is
	// the OSV ecosystem (PyPI, npm, Go, ...), Attrs["name"] and
	// Attrs["version"] the package as the file names it, and Attrs["file"]
	// the file's path relative to the folder.
	KindDependency EvidenceKind = "dependency"
	// KindVulnerability is one OSV advisory that affects a package version.
	// Value is the advisory's OSV id; Attrs["aliases"] lists its aliases
	// (CVE, GHSA, PYSEC ids, comma-separated), Attrs["summary"] is its
	// summary (clipped), Attrs["severity"] the rating (CRITICAL, HIGH,
	// MODERATE or MEDIUM, LOW), Attrs["cvss"] the CVSS vectors
	// (comma-separated), Attrs["score"] the highest CVSS base score
	// ("7.5"), Attrs["fixed"] the versions that fix it for this package
	// (comma-separated; absent when none is known) and Attrs["package"] the
	// package's PURL with its version.
	KindVulnerability EvidenceKind = "vulnerability"
	// KindScorecard is an OpenSSF Scorecard result for a code repository.
	// Value is the score ("-1" for a check that could not run, "0" to
	// "10"); Attrs["check"] names the check ("aggregate" for the overall
	// score), Attrs["reason"] says why, Attrs["date"] and Attrs["commit"]
	// when the aggregate was computed and on which commit.
	KindScorecard EvidenceKind = "scorecard"
	// KindFileError is a file of the subject that could not be read or
	// parsed. Value is the file's path; Attrs["part"] is what it is (card,
	// config, adapter_config, merge_config, license), Attrs["line"] the line
	// where known, and Attrs["error"] what is wrong.
	KindFileError EvidenceKind = "file_error"
	// KindPublisher is the account that publishes the subject. Value is the
	// account name (the Hub author or owner). Attrs["declared_in"] says
	// where it was read: hub (the Hub's record: Attrs["type"] org or user,
	// Attrs["fullname"] the display name, where the Hub gives them) or
	// knowledge (curated publisher facts: Attrs["name"] the legal entity,
	// Attrs["country"] an ISO 3166-1 alpha-2 code, Attrs["type"] company,
	// academic, nonprofit, government, community or individual, or unlisted
	// when the account is not in the catalog, and Attrs["source"] the public
	// source of the facts).
	KindPublisher EvidenceKind = "publisher"
	// KindNameMatch says the subject's name matches the naming of a known
	// publisher's models ("Llama-2-7b-chat-hf" is Meta's naming) while the
	// subject is published by another account. Value is the account of the
	// publisher whose naming matches; Attrs["pattern"] the pattern matched,
	// Attrs["name"] and Attrs["country"] that publisher's legal name and
	// country.
	KindNameMatch EvidenceKind = "name_match"
	// KindRepo is one fact the hosting service records about the
	// subject's repository. Attrs["field"] names it: gated (false, auto,
	// manual), private, disabled, downloads, likes, created_at,
	// last_modified, library_name or pipeline_tag; Value is its value.
	KindRepo EvidenceKind = "repo"
	// KindRevision is the commit a reference resolved to. Value is the
	// commit SHA; Attrs["requested"] the revision asked for (main when none).
	KindRevision EvidenceKind = "revision"
	// KindMoved says the repository was renamed or moved: the service
	// answered for another id. Value is the id answered for; Attrs["from"]
	// the id asked for.
	KindMoved EvidenceKind = "moved"
	// KindCommit is one commit of the subject's history. Value is the
	// commit id; Attrs["authors"] (comma-separated), Attrs["date"]
	// (RFC 3339), Attrs["title"] and, where the service lists them,
	// Attrs["files"] describe it.
	KindCommit EvidenceKind = "commit"
	// KindScan is a verdict of the hosting service's security scanners on
	// one file. Value is the verdict (safe, unsafe, caution, suspicious,
	// unscanned, queued, error); Attrs["file"] names the file,
	// Attrs["scanner"] the scanner (hub for the overall status, av,
	// pickle_import, protectai, jfrog), Attrs["imports"] lists the
	// non-innocuous pickle imports as module.name:safety, comma-separated,
	// and Attrs["message"] the scanner's message where given.
	KindScan EvidenceKind = "scan"
	// KindLink is a link between subjects that the user declared rather than
	// the subjects' metadata, such as a local checkout given as the code
	// repository of the assessed model (pedigree --scorecard-local). Value
	// is the linked subject's ID; Attrs["relation"] is the relation and
	// Attrs["declared_in"] where it was declared (the command-line flag).
	KindLink EvidenceKind = "link"
)

// Origin says where a piece of evidence or an edge was read.
type Origin struct {
	// Source is the name of the source that read it.
	Source string `json:"source"`
	// Locator is the URL or absolute path read.
	Locator string `json:"locator"`
	// Digest is "sha256:HEX" of the bytes read at Locator: the whole file or
	// response body, or, for a weight file whose header alone was inspected,
	// the bytes of that header. Empty when nothing was read (an absent file).
	Digest string `json:"digest,omitempty"`
	// RetrievedAt is when the bytes were read.
	RetrievedAt time.Time `json:"retrieved_at"`
}

// Digest returns "sha256:HEX" of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Evidence is one typed fact about a subject.
type Evidence struct {
	// ID identifies the evidence within a report. NewEvidence derives it from
	// the other fields, so the same fact read from the same place has the
	// same ID in every run.
	ID string `json:"id"`
	// Subject is the ID of the subject the fact is about.
	Subject string `json:"subject"`
	// Kind says what the fact is.
	Kind EvidenceKind `json:"kind"`
	// Value is the fact; its meaning depends on Kind.
	Value string `json:"value"`
	// Attrs qualify the value; their keys depend on Kind. Nil when none.
	Attrs map[string]string `json:"attrs,omitempty"`
	// Origin is where the fact was read.
	Origin Origin `json:"origin"`
}

// Attrs builds an attribute map from key, value pairs, leaving out pairs
// whose value is empty; nil when every value is empty. Sources use it to
// build Evidence attributes.
func Attrs(kv ...string) map[string]string {
	var m map[string]string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if m == nil {
			m = make(map[string]string, len(kv)/2)
		}
		m[kv[i]] = kv[i+1]
	}
	return m
}

// Attr returns Attrs[key], or "" when it is not set.
func (e Evidence) Attr(key string) string { return e.Attrs[key] }

// NewEvidence returns evidence with its ID derived from subject, kind,
// value, attrs and the origin's source and locator (not the time read).
func NewEvidence(subject string, kind EvidenceKind, value string, attrs map[string]string, origin Origin) Evidence {
	h := sha256.New()
	write := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	write(subject)
	write(string(kind))
	write(value)
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		write(k)
		write(attrs[k])
	}
	write(origin.Source)
	write(origin.Locator)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if len(attrs) == 0 {
		attrs = nil
	}
	return Evidence{
		ID:      "ev-" + hex.EncodeToString(sum[:6]),
		Subject: subject, Kind: kind, Value: value, Attrs: attrs, Origin: origin,
	}
}

// Relation is how the subject at the start of an edge derives from, or
// depends on, the subject at its end.
type Relation string

// Relations.
const (
	RelFinetune       Relation = "finetune"        // weights trained further from the base
	RelAdapter        Relation = "adapter"         // a PEFT adapter (LoRA, ...) applied to the base
	RelQuantized      Relation = "quantized"       // the base's weights at a lower precision
	RelMerge          Relation = "merge"           // one of several parents of a merge
	RelDistillation   Relation = "distillation"    // trained on the outputs of the base
	RelTrainedOn      Relation = "trained_on"      // a dataset the subject was trained on
	RelDependsOn      Relation = "depends_on"      // a software package the subject needs
	RelCodeRepository Relation = "code_repository" // the code repository of the subject
	RelDerivedFrom    Relation = "derived_from"    // evidenced by files but not declared
)

// Lineage reports whether r links a model to a model it derives from (all
// relations but trained_on, depends_on and code_repository).
func (r Relation) Lineage() bool {
	switch r {
	case RelFinetune, RelAdapter, RelQuantized, RelMerge, RelDistillation, RelDerivedFrom:
		return true
	}
	return false
}

// ParseRelation reads a card's base_model_relation value. It accepts the
// Hub's names (adapter, merge, quantized, finetune) and a few common
// spellings, and returns false for anything else.
func ParseRelation(s string) (Relation, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "finetune", "fine-tune", "fine_tune", "finetuned":
		return RelFinetune, true
	case "adapter", "lora", "peft":
		return RelAdapter, true
	case "quantized", "quantization", "quantize":
		return RelQuantized, true
	case "merge", "merged":
		return RelMerge, true
	case "distillation", "distilled", "distill":
		return RelDistillation, true
	}
	return "", false
}

// Edge links a subject to another it derives from or depends on: From is
// the derivative (or the dependent), To the base (or the dependency).
type Edge struct {
	// From is the ID of the derived subject.
	From string `json:"from"`
	// To is the subject derived from. The engine collects it in turn.
	To Subject `json:"to"`
	// Relation is how From derives from To.
	Relation Relation `json:"relation"`
	// Declared is true when the subject's metadata declares the link, false
	// when only files evidence it.
	Declared bool `json:"declared"`
	// Evidence lists the IDs of the evidence the edge rests on.
	Evidence []string `json:"evidence,omitempty"`
	// Origin is where the link was read.
	Origin Origin `json:"origin"`
}

// Observation is what one source read about one subject.
type Observation struct {
	// Subject is the subject as the source resolved it: the same identity as
	// asked for, with Revision set to the commit a branch or tag resolved to
	// where the source knows it.
	Subject Subject
	// Evidence is in a deterministic order.
	Evidence []Evidence
	// Edges are in a deterministic order.
	Edges []Edge
}
