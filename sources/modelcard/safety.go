package modelcard

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafetyMarker is a sign that safety training was removed or bypassed.
type SafetyMarker struct {
	// Term is the lexicon entry matched, lower-cased: "abliterated",
	// "abliteration", "uncensored", "decensored", "unfiltered", "refusal
	// removed", "refusal direction", "orthogonalized refusal", "refusal
	// attack", "jailbroken", "jailbreak", "no guardrails", "without
	// guardrails", "guardrails removed", "no safety", "safety removed",
	// "alignment removed", "censorship removed", "unaligned", "unalignment",
	// "toxic-dpo" or "harmful_behaviors".
	Term string
	// Field is where the marker was found: name, tag, dataset or card.
	Field string
	// Text is the name, tag or dataset id, or the card sentence (at most 240
	// characters).
	Text string
	// Line is the README line of a card sentence, 0 otherwise.
	Line int
}

// safetyTerm is an entry of the lexicon of safety-removal markers.
type safetyTerm struct {
	term string
	// steps are the words matched in order; each step accepts any of its
	// words.
	steps [][]string
	// gap is how many other words may stand between steps in card text
	// (names allow none).
	gap int
	// nameOnly terms are markers in names and ids, not in card prose.
	nameOnly bool
	// check is an extra test of the words around a match.
	check termCheck
}

// termCheck names an extra test of a match's context.
type termCheck int

const (
	checkNone      termCheck = iota
	checkJailbreak           // not about detecting, resisting or evaluating jailbreaks
	checkCorpus              // not about a training corpus ("unfiltered web data")
	checkNoSafety            // "no safety" followed by what safety was removed, or nothing
)

var (
	removeVerbs  = []string{"remove", "removed", "removes", "removing", "ablate", "ablated", "ablates", "ablating", "eliminate", "eliminated", "strip", "stripped", "disable", "disabled", "suppress", "suppressed"}
	removedWords = []string{"removed", "removal", "ablated", "ablation", "eliminated", "stripped", "disabled", "suppressed"}
	refusalWords = []string{"refusal", "refusals"}
	orthoWords   = []string{"orthogonalized", "orthogonalised", "orthogonalize", "orthogonalise", "orthogonalizing", "orthogonalising", "orthogonalization", "orthogonalisation"}
	guardWords   = []string{"guardrails", "guardrail"}
)

// safetyLexicon lists the markers. A name or sentence can match several.
var safetyLexicon = []safetyTerm{
	{term: "abliterated", steps: [][]string{{"abliterated", "abliterate", "abliterates", "abliterating", "abliterator"}}},
	{term: "abliteration", steps: [][]string{{"abliteration", "abliterations"}}},
	{term: "uncensored", steps: [][]string{{"uncensored", "uncensor", "uncensoring", "uncensors"}}},
	{term: "uncensored", steps: [][]string{{"un"}, {"censored"}}},
	{term: "decensored", steps: [][]string{{"decensored", "decensor", "decensoring", "decensorship"}}},
	{term: "decensored", steps: [][]string{{"de"}, {"censored"}}},
	{term: "unfiltered", steps: [][]string{{"unfiltered"}}, check: checkCorpus},
	{term: "refusal removed", steps: [][]string{refusalWords, removedWords}, gap: 2},
	{term: "refusal removed", steps: [][]string{removeVerbs, refusalWords}, gap: 2},
	{term: "refusal direction", steps: [][]string{{"refusal"}, {"direction", "directions", "vector", "vectors"}}},
	{term: "orthogonalized refusal", steps: [][]string{orthoWords, refusalWords}, gap: 3},
	{term: "orthogonalized refusal", steps: [][]string{refusalWords, orthoWords}, gap: 3},
	{term: "refusal attack", steps: [][]string{{"refusal"}, {"attack", "attacks"}}, nameOnly: true},
	{term: "jailbroken", steps: [][]string{{"jailbroken"}}, check: checkJailbreak},
	{term: "jailbreak", steps: [][]string{{"jailbreak", "jailbreaks", "jailbreaking", "jailbreaked"}}, check: checkJailbreak},
	{term: "no guardrails", steps: [][]string{{"no"}, guardWords}, gap: 1},
	{term: "no guardrails", steps: [][]string{{"no"}, {"guard"}, {"rails"}}},
	{term: "without guardrails", steps: [][]string{{"without"}, guardWords}, gap: 1},
	{term: "guardrails removed", steps: [][]string{guardWords, removedWords}, gap: 2},
	{term: "guardrails removed", steps: [][]string{removeVerbs, guardWords}, gap: 2},
	{term: "no safety", steps: [][]string{{"no"}, {"safety"}}, gap: 1, check: checkNoSafety},
	{term: "safety removed", steps: [][]string{{"safety"}, removedWords}, gap: 2},
	{term: "safety removed", steps: [][]string{removeVerbs, {"safety"}}, gap: 2},
	{term: "alignment removed", steps: [][]string{{"alignment"}, removedWords}, gap: 2},
	{term: "alignment removed", steps: [][]string{removeVerbs, {"alignment"}}, gap: 2},
	{term: "censorship removed", steps: [][]string{{"censorship"}, removedWords}, gap: 2},
	{term: "censorship removed", steps: [][]string{removeVerbs, {"censorship"}}, gap: 2},
	{term: "unaligned", steps: [][]string{{"unaligned"}}},
	{term: "unalignment", steps: [][]string{{"unalignment"}}},
	{term: "toxic-dpo", steps: [][]string{{"toxic"}, {"dpo"}}, nameOnly: true},
	{term: "harmful_behaviors", steps: [][]string{{"harmful"}, {"behaviors", "behaviours"}}, nameOnly: true},
}

// lexiconWords holds every word of the lexicon: a hyphenated compound made
// only of them and of harmless affixes ("refusal-removed", "fully-
// uncensored") is prose, any other compound ("Lexi-Uncensored") a name.
var lexiconWords = func() map[string]bool {
	m := map[string]bool{"fully": true, "completely": true, "totally": true, "truly": true, "non": true, "style": true, "like": true}
	for _, t := range safetyLexicon {
		for _, st := range t.steps {
			for _, w := range st {
				m[w] = true
			}
		}
	}
	return m
}()

// detectorWords near a marker say the text is about finding or blocking
// such content, not about a model that produces it ("jailbreak detection",
// "a classifier for uncensored prompts", "Prompt-Guard").
var detectorWords = wordSet("detect detects detecting detection detector detectors classifier classifiers classify classifies classifying classification guard guards moderation moderator shield identify identifies identifying identification recognizer")

// jailbreakContext words near "jailbreak" say it is something the model
// resists or is tested against, not what it is.
var jailbreakContext = wordSet("attack attacks attempt attempts prompt prompts injection injections refuse refuses refusing resist resists resisting resistant resistance robust robustness defend defends defending defense defence defenses defences against prevent prevents preventing prevention block blocks blocking protect protects protecting protection mitigate mitigates mitigating mitigation benchmark benchmarks eval evals evaluation evaluations evaluate evaluated red teaming harmbench advbench jailbreakbench study research paper papers safety safe dataset datasets")

// corpusWords near "unfiltered" say it describes training data, not a model.
var corpusWords = wordSet("data dataset datasets corpus corpora web crawl crawled commoncrawl internet text texts documents pretraining pre-training scrape scraped scraping sources images captions tokens pile c4 laion oscar wikipedia wiki refinedweb fineweb redpajama dolma")

// noSafetyObjects are the words that make "no safety" a marker when they
// follow it; "no safety" at the end of a sentence is one too.
var noSafetyObjects = wordSet("filter filters filtering training tuning alignment guardrails guardrail guards restrictions restriction measures mechanisms layer layers checks rails")

// negators before a card marker in the same clause suppress it.
var negators = wordSet("not no never without isn't wasn't aren't weren't don't doesn't didn't won't wouldn't cannot can't couldn't shouldn't nor neither unlike")

// negatorPairs are two-word negations.
var negatorPairs = map[[2]string]bool{{"rather", "than"}: true, {"instead", "of"}: true, {"as", "opposed"}: true}

// clauseBreaks end the clause a negation reaches.
var clauseBreaks = wordSet("but however whereas although though")

func wordSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// SafetyMarkersInName returns the markers of removed safety training in a
// model name, tag or dataset id; field says which ("name", "tag" or
// "dataset") and is copied to the markers. The name is split into words at
// '/', '-', '_', '.', ':', spaces and camelCase, so that
// "Llama-3-8B-Instruct-abliterated", "unalignment/toxic-dpo-v0.2" and
// "ehartford/wizard_vicuna_70k_unfiltered" are found. Names are not read for
// negation, but a jailbreak or other marker next to words of detection
// ("jailbreak-classifier", "Prompt-Guard") is not a marker, nor is
// "unfiltered" next to words of a training corpus ("web-crawl-unfiltered").
// A tag "base_model:..." names another model and has no markers of its own;
// "dataset:X" is read as X. Markers are returned once per term, in lexicon
// order.
func SafetyMarkersInName(field, name string) []SafetyMarker {
	text := name
	if field == "tag" {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "base_model:") {
			return nil
		}
		text = strings.TrimPrefix(lower, "dataset:")
	}
	var words []string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, w := range splitCamel(part) {
			words = append(words, strings.ToLower(w))
		}
	}
	var out []SafetyMarker
	seen := make(map[string]bool)
	for _, t := range safetyLexicon {
		if seen[t.term] {
			continue
		}
		for i := range words {
			end, ok := t.matchAt(words, i, 0, nil)
			if !ok || !contextOK(t.check, words, i, end, 0) || nearAny(words, i, end, 5, detectorWords) {
				continue
			}
			seen[t.term] = true
			out = append(out, SafetyMarker{Term: t.term, Field: field, Text: name})
			break
		}
	}
	return out
}

// SafetyMarkersInCard returns the markers of removed safety training in the
// card's Markdown text (not its metadata: pass tags and datasets to
// [SafetyMarkersInName]). Each term is returned once, with the first
// sentence that states it, in the order written.
//
// The text is read as prose about the model: code blocks, HTML comments,
// URLs, images and link targets are skipped, and so are names of models
// ("Llama-3-8B-Lexi-Uncensored", which the model's lineage accounts for),
// titles (a link text or quotation in Title Case) and citations. A marker is
// suppressed by a negation earlier in its clause ("this model is not
// uncensored", "unlike uncensored models", "we did not remove refusals", "do
// not use it to build uncensored models"), by words of detection near it ("a
// classifier that detects jailbreak attempts"), a jailbreak by words of
// defence or evaluation ("trained to refuse jailbreaks"), and "unfiltered"
// by words of a training corpus ("unfiltered web data").
func SafetyMarkersInCard(c *Card) []SafetyMarker {
	if c == nil || c.Body == "" {
		return nil
	}
	var out []SafetyMarker
	seen := make(map[string]bool)
	for _, u := range markdownUnits(c.Body, c.BodyLine) {
		if u.kind == unitBreak {
			continue
		}
		for _, s := range u.sentences() {
			raw := u.text[s.start:s.end]
			if !lexiconStems.MatchString(raw) || citation.MatchString(raw) {
				continue
			}
			words := cardWords(raw)
			for _, t := range safetyLexicon {
				if t.nameOnly || seen[t.term] {
					continue
				}
				if off, ok := t.findInCard(words); ok {
					seen[t.term] = true
					out = append(out, SafetyMarker{
						Term:  t.term,
						Field: "card",
						Text:  clip(raw, off),
						Line:  u.lineAt(s.start + off),
					})
				}
			}
		}
	}
	return out
}

// lexiconStems matches every sentence that may hold a marker.
var lexiconStems = regexp.MustCompile(`(?i)ablit|censor|filter|refus|jailb|guard|safety|align`)

// citation matches sentences that cite a publication.
var citation = regexp.MustCompile(`(?i)\bet al\.|^\s*(?:\[\d+\]|@\w+\s*\{|title\s*[=:])|\((?:19|20)\d\d[a-z]?\)|\barxiv:\s*\d`)

// cardWord is a word of a card sentence.
type cardWord struct {
	w    string // lower-cased
	off  int    // byte offset in the sentence
	name bool   // part of a name, URL or title: never a marker
	brk  bool   // a clause ends after this word
}

var (
	// quoted matches a quotation.
	quoted = regexp.MustCompile(`"[^"]{1,200}"|“[^”]{1,200}”`)
	// cardChunk matches a whitespace-separated chunk of a sentence.
	cardChunk = regexp.MustCompile(`\S+`)
)

// cardWords splits a sentence into words, marking those that cannot be
// markers: parts of URLs, link targets, code, ids with '/', compounds that
// are names, and titles.
func cardWords(raw string) []cardWord {
	hidden := []byte(raw)
	blank := func(start, end int) {
		for i := start; i < end; i++ {
			hidden[i] = ' '
		}
	}
	titles := make([]span, 0)
	for _, p := range protectedSpans(raw) {
		tok := raw[p.start:p.end]
		if strings.HasPrefix(tok, "[") {
			m := mdLink.FindStringSubmatchIndex(tok)
			if m == nil {
				continue
			}
			label := tok[m[2]:m[3]]
			blank(p.start+m[3], p.end) // the target
			hidden[p.start] = ' '
			if titleLike(label) {
				titles = append(titles, span{p.start, p.start + m[3]})
			}
			continue
		}
		blank(p.start, p.end) // images, URLs and code
	}
	for _, m := range quoted.FindAllStringIndex(raw, -1) {
		if titleLike(strings.Trim(raw[m[0]:m[1]], `"“”`)) {
			titles = append(titles, span{m[0], m[1]})
		}
	}
	inTitle := func(off int) bool {
		for _, t := range titles {
			if off >= t.start && off < t.end {
				return true
			}
		}
		return false
	}
	var words []cardWord
	for _, m := range cardChunk.FindAllStringIndex(string(hidden), -1) {
		chunk := string(hidden[m[0]:m[1]])
		core := strings.TrimFunc(chunk, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core == "" {
			if len(words) > 0 && strings.ContainsAny(chunk, ",;:()—–") {
				words[len(words)-1].brk = true
			}
			continue
		}
		lead := strings.Index(chunk, core)
		isName := strings.ContainsAny(core, "/\\@") || strings.Contains(core, "://")
		parts := strings.FieldsFunc(core, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
		})
		var split []string
		for _, p := range parts {
			split = append(split, splitCamel(p)...)
		}
		if len(split) > 1 {
			for _, p := range split {
				if !lexiconWords[strings.ToLower(p)] {
					isName = true
				}
			}
		}
		if strings.ContainsAny(chunk[:lead], "(—–") && len(words) > 0 {
			words[len(words)-1].brk = true
		}
		off := m[0] + lead
		pos := 0
		for _, p := range split {
			i := strings.Index(core[pos:], p)
			if i < 0 {
				i = 0
			}
			w := strings.ToLower(strings.ReplaceAll(p, "’", "'"))
			words = append(words, cardWord{w: w, off: off + pos + i, name: isName || inTitle(off+pos+i)})
			pos += i + len(p)
		}
		if strings.ContainsAny(chunk[lead+len(core):], ",;:)—–") {
			words[len(words)-1].brk = true
		}
	}
	return words
}

// titleLike reports whether a link text or quotation reads as a title: two
// or more words, every word with letters capitalized.
func titleLike(s string) bool {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return false
	}
	for _, f := range fields {
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(f, `"'“(*_`+"`"))
		if unicode.IsLetter(r) && !unicode.IsUpper(r) && !minorWord[strings.ToLower(f)] {
			return false
		}
	}
	return true
}

// minorWord lists words a title leaves in lower case.
var minorWord = wordSet("a an the of and or for to in on with by at from via vs")

// findInCard returns the byte offset of the first match of t in a sentence
// that no negation, detection or corpus context suppresses.
func (t *safetyTerm) findInCard(words []cardWord) (int, bool) {
	plain := make([]string, len(words))
	for i, w := range words {
		plain[i] = w.w
	}
	for i := range words {
		end, ok := t.matchAt(plain, i, t.gap, words)
		if !ok {
			continue
		}
		if !contextOK(t.check, plain, i, end, 1) || nearAny(plain, i, end, 5, detectorWords) || negated(words, i) {
			continue
		}
		return words[i].off, true
	}
	return 0, false
}

// matchAt matches t's steps at words[i:], allowing gap other words between
// steps; it returns the index after the match. With cw given (card text),
// words of names cannot match and a match does not cross a clause break.
func (t *safetyTerm) matchAt(words []string, i, gap int, cw []cardWord) (int, bool) {
	pos := i
	for s, step := range t.steps {
		limit := pos
		if s > 0 {
			limit = pos + gap
		}
		found := -1
		for j := pos; j <= limit && j < len(words); j++ {
			if cw != nil && cw[j].name {
				break
			}
			if contains(step, words[j]) {
				found = j
				break
			}
			if cw != nil && cw[j].brk {
				break
			}
		}
		if found < 0 || s == 0 && found != i {
			return 0, false
		}
		if cw != nil && s+1 < len(t.steps) && cw[found].brk {
			return 0, false
		}
		pos = found + 1
	}
	return pos, true
}

// contextOK applies a term's extra check to the words around words[i:end];
// for card text (card == 1) "no safety" may end the sentence.
func contextOK(check termCheck, words []string, i, end, card int) bool {
	switch check {
	case checkJailbreak:
		return !nearAny(words, i, end, 5, jailbreakContext)
	case checkCorpus:
		return !nearAny(words, i, end, 4, corpusWords)
	case checkNoSafety:
		return end == len(words) && card == 1 || end < len(words) && noSafetyObjects[words[end]]
	}
	return true
}

// nearAny reports whether a word of set stands within n words of
// words[i:end], outside it.
func nearAny(words []string, i, end, n int, set map[string]bool) bool {
	for j := max(0, i-n); j < min(len(words), end+n); j++ {
		if (j < i || j >= end) && set[words[j]] {
			return true
		}
	}
	return false
}

// negated reports whether a negation precedes words[i] in its clause.
func negated(words []cardWord, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if words[j].brk || clauseBreaks[words[j].w] {
			return false
		}
		w := words[j].w
		if negators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if j+1 < i && negatorPairs[[2]string{w, words[j+1].w}] {
			return true
		}
	}
	return false
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// splitCamel splits a word at camelCase boundaries: "LexiUncensored" gives
// "Lexi" and "Uncensored", "HTMLParser" gives "HTML" and "Parser", and
// "Llama3Uncensored" gives "Llama3" and "Uncensored".
func splitCamel(s string) []string {
	runes := []rune(s)
	var out []string
	start := 0
	for i := 1; i < len(runes); i++ {
		prev, cur := runes[i-1], runes[i]
		boundary := unicode.IsLower(prev) && unicode.IsUpper(cur) ||
			unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(runes) && unicode.IsLower(runes[i+1]) ||
			unicode.IsDigit(prev) && unicode.IsUpper(cur) && i+1 < len(runes) && unicode.IsLower(runes[i+1])
		if boundary {
			out = append(out, string(runes[start:i]))
			start = i
		}
	}
	return append(out, string(runes[start:]))
}
