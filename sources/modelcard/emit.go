package modelcard

import (
	"errors"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
)

// Resolver maps a base-model reference written in a file (a Hub id, a
// relative path) to the subject it names, or returns false when it names
// nothing the caller can look up (a path on someone's training machine).
type Resolver func(ref string) (sources.Subject, bool)

// Input is the parsed files of one subject and where each was read. A nil
// file is absent (or unreadable: report that with [FileError]).
type Input struct {
	// Subject is the subject the files belong to.
	Subject sources.Subject
	// Names are the subject's own names (a Hub id, a folder's base name, the
	// card's model_name), compared case-insensitively with references so
	// that a config naming the model itself is not read as a base. A name
	// without "/" also matches the last segment of a reference.
	Names []string
	// Resolve resolves base-model references. Nil resolves none, so every
	// reference is kept as evidence only.
	Resolve Resolver

	Card       *Card
	CardOrigin sources.Origin
	// CardMetadataOnly says Card holds only the card's metadata as a
	// service parsed it (the Hub's cardData), not a README that was read:
	// its facts are emitted, but no evidence that the card is present.
	CardMetadataOnly bool
	Config           *Config
	ConfigOrigin     sources.Origin
	Adapter          *AdapterConfig
	AdapterOrigin    sources.Origin
	Merge            *MergeConfig
	MergeOrigin      sources.Origin
	// Files lists the subject's files (paths relative to its root) when the
	// caller knows them without having read them all: an
	// adapter_config.json or mergekit configuration listed there decides
	// the relation even when the file itself could not be read.
	Files []string
	// Fingerprints is the table of known base-model architectures
	// ([Fingerprints]); nil matches none. A configuration that matches one
	// family, of a subject that declares and names no base, gets a
	// fingerprint evidence and an undeclared derived_from edge to the
	// family's base.
	Fingerprints []Fingerprint
	// Quantized lists what the caller saw among the subject's files that
	// marks quantized weights ("gguf", "gptq", ...; see [QuantizedName]).
	Quantized []string
}

// Emit turns the parsed files of one subject into evidence and lineage
// edges. Evidence comes in file order (card, config, adapter, merge), each
// file's facts in the order documented for its kind in package sources;
// every evidence is built with [sources.NewEvidence] and repeated facts are
// kept once.
//
// Edges start at the subject. Each card base_model the resolver resolves is
// a declared edge; a base named only by adapter_config.json, the mergekit
// configuration or config.json's _name_or_path is an undeclared edge when
// it resolves (and names something other than the subject) and evidence of
// kind base_model alone when it does not. The relation of lineage edges is
// [InferRelation]'s; a bare _name_or_path, with no file saying more, links
// with derived_from. Declared datasets link with trained_on. There is one
// edge per target: evidence naming an already linked base is added to that
// edge.
func Emit(in Input) ([]sources.Evidence, []sources.Edge) {
	e := &emitter{in: in, sid: in.Subject.ID(), ids: map[string]bool{}, edgeAt: map[string]int{}}
	inf := InferRelation(e.facts())

	if c := in.Card; c != nil {
		e.card(c, inf)
	}
	if c := in.Config; c != nil {
		e.config(c)
	}
	if a := in.Adapter; a != nil {
		o := in.AdapterOrigin
		peft := a.PEFTType
		if peft == "" {
			peft = "unknown"
		}
		id := e.add(sources.KindAdapter, peft, sources.Attrs("base", a.BaseModel, "task_type", a.TaskType, "r", itoa(a.R), "revision", a.Revision), o)
		if a.BaseModel != "" {
			e.base(a.BaseModel, "adapter_config", inf.Relation, inf, o, id)
		}
	}
	if m := in.Merge; m != nil {
		o := in.MergeOrigin
		method := m.Method
		if method == "" {
			method = "unknown"
		}
		id := e.add(sources.KindMerge, method, sources.Attrs("file", path.Base(o.Locator), "base_model", m.BaseModel, "dtype", m.Dtype), o)
		for _, ref := range m.Models {
			e.base(ref, "merge_config", inf.Relation, inf, o, id)
		}
	}
	if c := in.Config; c != nil && c.NameOrPath != "" {
		rel := sources.RelDerivedFrom
		switch inf.Reason {
		case "adapter_config", "merge_config", "quantization":
			rel = inf.Relation
		}
		e.base(c.NameOrPath, "config", rel, inf, in.ConfigOrigin, "")
	}
	if c := in.Card; c != nil && !in.CardMetadataOnly {
		e.prose(c)
	}
	e.safety()
	e.fingerprint()
	return e.ev, e.edges
}

// prose records the bases the card's text names, as evidence and, when
// they resolve, as undeclared edges: the text is written by a person but
// is not the card's metadata.
func (e *emitter) prose(c *Card) {
	o := e.in.CardOrigin
	for _, pb := range ProseBases(c) {
		if e.self(pb.Ref) {
			continue
		}
		id := e.add(sources.KindBaseModel, pb.Ref, sources.Attrs("declared_in", "card_text", "relation", string(pb.Relation),
			"line", itoa(pb.Line), "text", pb.Text), o)
		if to, ok := e.resolve(pb.Ref); ok {
			e.link(to, pb.Relation, false, o, id)
		}
	}
}

// safety records markers of removed safety training in the subject's
// names, tags, declared datasets and card text.
func (e *emitter) safety() {
	var markers []SafetyMarker
	o := e.in.CardOrigin
	for _, n := range e.in.Names {
		markers = append(markers, SafetyMarkersInName("name", n)...)
	}
	if c := e.in.Card; c != nil {
		for _, t := range c.Tags {
			markers = append(markers, SafetyMarkersInName("tag", t)...)
		}
		for _, d := range c.Datasets {
			markers = append(markers, SafetyMarkersInName("dataset", d)...)
		}
		if !e.in.CardMetadataOnly {
			markers = append(markers, SafetyMarkersInCard(c)...)
		}
	}
	// One marker per term and field: the same word in the repository id
	// and in its bare name is one fact.
	seen := map[[2]string]bool{}
	for _, m := range markers {
		k := [2]string{m.Term, m.Field}
		if seen[k] {
			continue
		}
		seen[k] = true
		e.add(sources.KindSafetyMarker, m.Term, sources.Attrs("field", m.Field, "text", m.Text, "line", itoa(m.Line)), o)
	}
}

// fingerprint matches the configuration against known base architectures
// when nothing names a base.
func (e *emitter) fingerprint() {
	c := e.in.Config
	if c == nil || len(e.in.Fingerprints) == 0 {
		return
	}
	for _, ev := range e.ev {
		if ev.Kind == sources.KindBaseModel {
			return
		}
	}
	matches := MatchFingerprint(e.in.Fingerprints, c)
	if len(matches) == 0 {
		return
	}
	var candidates []string
	for _, m := range matches {
		candidates = append(candidates, m.Bases...)
	}
	candidates = dedupe(candidates)
	for _, cand := range candidates {
		if e.self(cand) || sameOwner(e.in.Subject, cand) {
			return // the publisher's own model of that architecture
		}
	}
	first := matches[0]
	if e.claims(first.Family) {
		return // the subject's own name says what it is
	}
	id := e.add(sources.KindFingerprint, first.Bases[0], sources.Attrs("family", first.Family,
		"candidates", strings.Join(candidates, ","), "fields", strings.Join(first.Fields, ",")), e.in.ConfigOrigin)
	// Link when the match is one family, or families of one publisher
	// (Qwen2-7B and Qwen2.5-7B share their dimensions): the base's owner,
	// and with it the license and origin inherited, is then certain even
	// if the exact release is not.
	owner := func(id string) string { o, _, _ := strings.Cut(id, "/"); return strings.ToLower(o) }
	for _, cand := range candidates {
		if owner(cand) != owner(first.Bases[0]) {
			return
		}
	}
	if to, ok := e.resolve(first.Bases[0]); ok {
		e.link(to, sources.RelDerivedFrom, false, e.in.ConfigOrigin, id)
	}
}

// claims reports whether one of the subject's names contains the family's
// name, ignoring case and separators: a folder named llama-2-7b-base whose
// configuration is Llama-2-7B's says so itself.
func (e *emitter) claims(family string) bool {
	want := squash(family)
	for _, n := range e.in.Names {
		if want != "" && strings.Contains(squash(n), want) {
			return true
		}
	}
	return false
}

// squash lower-cases s and drops everything but letters and digits.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sameOwner reports whether the Hub subject s and the Hub id ref have the
// same owner.
func sameOwner(s sources.Subject, ref string) bool {
	id, ok := s.HubID()
	if !ok {
		return false
	}
	owner, _, _ := strings.Cut(id, "/")
	refOwner, _, found := strings.Cut(ref, "/")
	return found && strings.EqualFold(owner, refOwner)
}

// facts gathers what InferRelation needs from the input.
func (e *emitter) facts() RelationFacts {
	f := RelationFacts{Adapter: e.in.Adapter != nil || listed(e.in.Files, AdapterConfigFile),
		Merge: e.in.Merge != nil || listed(e.in.Files, MergeConfigFile, "mergekit_config.yaml")}
	f.Quantized = append(f.Quantized, e.in.Quantized...)
	if c := e.in.Config; c != nil && c.Quantization != nil {
		f.Quantized = append(f.Quantized, "quantization_config:"+c.Quantization.Method)
	}
	if c := e.in.Card; c != nil {
		f.Declared = c.BaseModelRelation
		seen := map[string]bool{}
		for _, b := range c.BaseModels {
			if k := strings.ToLower(b); !seen[k] && !e.self(b) {
				seen[k] = true
				f.Parents++
			}
		}
	}
	return f
}

// listed reports whether one of names is among the top-level files.
func listed(files []string, names ...string) bool {
	for _, f := range files {
		for _, n := range names {
			if strings.EqualFold(f, n) {
				return true
			}
		}
	}
	return false
}

// emitter accumulates the evidence and edges of one subject.
type emitter struct {
	in     Input
	sid    string
	ev     []sources.Evidence
	ids    map[string]bool
	edges  []sources.Edge
	edgeAt map[string]int // edge index by target ID
}

// add appends one piece of evidence, once, and returns its ID.
func (e *emitter) add(kind sources.EvidenceKind, value string, a map[string]string, o sources.Origin) string {
	ev := sources.NewEvidence(e.sid, kind, value, a, o)
	if !e.ids[ev.ID] {
		e.ids[ev.ID] = true
		e.ev = append(e.ev, ev)
	}
	return ev.ID
}

// link adds an edge to `to` resting on evidence ids, or adds the evidence
// to the edge already there.
func (e *emitter) link(to sources.Subject, rel sources.Relation, declared bool, o sources.Origin, ids ...string) {
	key := to.ID()
	if i, ok := e.edgeAt[key]; ok {
		ed := &e.edges[i]
		ed.Declared = ed.Declared || declared
		if ed.Relation == sources.RelDerivedFrom && rel != sources.RelDerivedFrom {
			ed.Relation = rel
		}
		for _, id := range ids {
			if id != "" && !slices.Contains(ed.Evidence, id) {
				ed.Evidence = append(ed.Evidence, id)
			}
		}
		return
	}
	var evIDs []string
	for _, id := range ids {
		if id != "" && !slices.Contains(evIDs, id) {
			evIDs = append(evIDs, id)
		}
	}
	e.edgeAt[key] = len(e.edges)
	e.edges = append(e.edges, sources.Edge{From: e.sid, To: to, Relation: rel, Declared: declared, Evidence: evIDs, Origin: o})
}

// self reports whether ref names the subject itself.
func (e *emitter) self(ref string) bool {
	ref = strings.TrimRight(strings.TrimSpace(ref), "/")
	last := ref[strings.LastIndex(ref, "/")+1:]
	for _, n := range e.in.Names {
		if n == "" {
			continue
		}
		if strings.EqualFold(ref, n) || !strings.Contains(n, "/") && strings.EqualFold(last, n) {
			return true
		}
	}
	return false
}

// resolve resolves ref, refusing references to the subject itself.
func (e *emitter) resolve(ref string) (sources.Subject, bool) {
	if e.in.Resolve == nil {
		return sources.Subject{}, false
	}
	s, ok := e.in.Resolve(ref)
	if !ok || s.IsZero() || s.ID() == e.sid {
		return sources.Subject{}, false
	}
	return s, true
}

// base records a base model named in a file other than the card, as
// evidence and, when it resolves, as an undeclared edge. Names of the
// subject itself are skipped.
func (e *emitter) base(ref, declaredIn string, rel sources.Relation, inf Inference, o sources.Origin, fileEv string) {
	if e.self(ref) {
		return
	}
	id := e.add(sources.KindBaseModel, ref, sources.Attrs("declared_in", declaredIn, "relation", string(rel), "relation_reason", reason(rel, inf)), o)
	if to, ok := e.resolve(ref); ok {
		e.link(to, rel, false, o, id, fileEv)
	}
}

// reason says why an edge has relation rel.
func reason(rel sources.Relation, inf Inference) string {
	if rel == sources.RelDerivedFrom {
		return "undeclared"
	}
	return inf.Reason
}

// card emits the evidence of a model card and its declared edges.
func (e *emitter) card(c *Card, inf Inference) {
	o := e.in.CardOrigin
	if !e.in.CardMetadataOnly {
		e.add(sources.KindCard, "present", nil, o)
	}

	licenses := lowerAll(c.License)
	declaredIn := "card"
	if len(licenses) == 0 {
		declaredIn = "tag"
		for _, t := range c.Tags {
			if l, ok := strings.CutPrefix(t, "license:"); ok && strings.TrimSpace(l) != "" {
				licenses = append(licenses, strings.ToLower(strings.TrimSpace(l)))
			}
		}
		licenses = dedupe(licenses)
	}
	for _, l := range licenses {
		e.add(sources.KindLicense, l, sources.Attrs("declared_in", declaredIn, "name", c.LicenseName, "link", c.LicenseLink), o)
	}

	field := func(name, value string) {
		if value != "" {
			e.add(sources.KindCardField, value, sources.Attrs("field", name), o)
		}
	}
	field("pipeline_tag", c.PipelineTag)
	field("library_name", c.LibraryName)
	for _, l := range c.Languages {
		field("language", l)
	}
	field("license_name", c.LicenseName)
	field("license_link", c.LicenseLink)
	field("new_version", c.NewVersion)
	field("base_model_relation", c.BaseModelRelation)
	field("model_name", c.ModelName)
	for _, d := range c.SourceDatasets {
		field("source_datasets", d)
	}
	for _, t := range c.Tags {
		e.add(sources.KindTag, t, nil, o)
	}

	declaredRel := string(inf.Declared)
	if declaredRel == "" {
		declaredRel = strings.ToLower(c.BaseModelRelation)
	}
	for _, b := range c.BaseModels {
		if e.self(b) {
			continue
		}
		id := e.add(sources.KindBaseModel, b, sources.Attrs("declared_in", "card", "relation", string(inf.Relation),
			"declared_relation", declaredRel, "relation_reason", inf.Reason), o)
		if to, ok := e.resolve(b); ok {
			e.link(to, inf.Relation, true, o, id)
		}
	}
	for _, d := range c.Datasets {
		id := e.add(sources.KindDataset, d, sources.Attrs("declared_in", "card"), o)
		if to, ok := datasetSubject(d); ok {
			e.link(to, sources.RelTrainedOn, true, o, id)
		}
	}
	for _, r := range c.Repositories {
		if to, ok := repositorySubject(r); ok {
			id := e.add(sources.KindCardField, r, sources.Attrs("field", "repository"), o)
			e.link(to, sources.RelCodeRepository, true, o, id)
		}
	}
	if c.RemoteCodeLine > 0 {
		e.add(sources.KindRemoteCode, "trust_remote_code=True", sources.Attrs("declared_in", "card", "line", itoa(c.RemoteCodeLine)), o)
	}
}

// config emits the evidence of a config.json, but not its _name_or_path
// base, which Emit handles after the files that may declare it.
func (e *emitter) config(c *Config) {
	o := e.in.ConfigOrigin
	field := func(name, value string) {
		if value != "" {
			e.add(sources.KindConfig, value, sources.Attrs("field", name), o)
		}
	}
	field("architectures", strings.Join(c.Architectures, ","))
	field("model_type", c.ModelType)
	field("_name_or_path", c.NameOrPath)
	refs := make([]string, 0, len(c.AutoMap))
	for _, m := range c.AutoMap {
		refs = append(refs, m.Ref)
	}
	field("auto_map", strings.Join(dedupe(refs), ","))
	field("torch_dtype", c.TorchDtype)
	if q := c.Quantization; q != nil {
		field("quantization", q.Method)
	}
	for _, m := range c.AutoMap {
		e.add(sources.KindRemoteCode, m.Ref, sources.Attrs("declared_in", "config", "class", m.Class, "repo", m.Repo), o)
	}
}

// datasetSubject returns the Hub dataset a card's datasets entry names: an
// id (OWNER/NAME or NAME) or a huggingface.co dataset URL.
func datasetSubject(d string) (sources.Subject, bool) {
	d = strings.TrimSpace(d)
	if sources.ValidHubID(d) {
		return sources.HubDataset(d, ""), true
	}
	if strings.Contains(d, "huggingface.co/datasets/") || strings.HasPrefix(d, "hf:datasets/") {
		if s, err := sources.ParseRef(d); err == nil && s.Kind == sources.SubjectDataset {
			return s, true
		}
	}
	return sources.Subject{}, false
}

// repositorySubject returns the code repository a card's repository link
// names (github.com/OWNER/REPO, https://github.com/OWNER/REPO[.git][/...]).
func repositorySubject(ref string) (sources.Subject, bool) {
	ref = strings.TrimSpace(ref)
	for _, p := range []string{"https://", "http://", "git+"} {
		ref = strings.TrimPrefix(ref, p)
	}
	const host = "github.com/"
	if !strings.HasPrefix(strings.ToLower(ref), host) {
		return sources.Subject{}, false
	}
	rest := ref[len(host):]
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return sources.Subject{}, false
	}
	repo := strings.TrimSuffix(parts[1], ".git")
	s, err := sources.ParseRef("github.com/" + parts[0] + "/" + repo)
	if err != nil || s.Kind != sources.SubjectRepository {
		return sources.Subject{}, false
	}
	return s, true
}

// FileError returns evidence that the file at filePath (relative to the
// subject root) of part (card, config, adapter_config, merge_config,
// license) could not be read or parsed. The line of a *SyntaxError is
// recorded in Attrs["line"].
func FileError(subjectID, filePath, part string, err error, o sources.Origin) sources.Evidence {
	line := ""
	var se *SyntaxError
	if errors.As(err, &se) && se.Line > 0 {
		line = itoa(se.Line)
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	return sources.NewEvidence(subjectID, sources.KindFileError, filePath, sources.Attrs("part", part, "line", line, "error", msg), o)
}

// itoa formats n, or returns "" for 0.
func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// lowerAll returns ss lower-cased and trimmed, without duplicates.
func lowerAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return dedupe(out)
}
