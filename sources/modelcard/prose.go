package modelcard

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/sources"
)

// ProseBase is a base model the card's text names: "fine-tuned from X", "a
// quantized version of X", "merge of X and Y", "based on X", "LoRA adapter
// for X", "distilled from X", "GGUF quants of X".
type ProseBase struct {
	// Ref is the Hub id (OWNER/NAME) the text names, as a Markdown link to
	// the model's page, a huggingface.co URL, an hf: reference or a bare
	// id. URLs and hf: references are reduced to the id; the case is kept
	// as written. Only references with the shape of a Hub model id are
	// returned: names without an owner, dataset and Space links, and links
	// to files inside a repository are not.
	Ref string
	// Relation is the relation the words imply: finetune, quantized, merge,
	// adapter or distillation, and derived_from for words that name a base
	// without saying how the model derives from it ("based on", "built on",
	// "Base model:", "Original model:").
	Relation sources.Relation
	// Line is the README line on which the reference is written (counted
	// from Card.BodyLine).
	Line int
	// Text is the sentence that names the base, as written with whitespace
	// collapsed, at most 240 characters. For a list that follows an
	// introducing sentence ("The following models were included in the
	// merge:"), it is the sentence followed by the list item.
	Text string
}

// maxProseText is the longest ProseBase.Text and SafetyMarker.Text, in
// characters.
const maxProseText = 240

// ProseBases returns the base models the card's Markdown names, in the order
// written, one per reference and relation (the first mention wins, ids
// compared without regard to case). A derived_from reference that the text
// also names with a more specific relation is dropped.
//
// The text is read as Markdown: fenced code blocks and HTML comments are
// skipped, links are read by their target, and list items, table cells and
// headings are read as sentences of their own. A sentence that ends with a
// colon before naming any model ("This is a merge of the following models:")
// passes its relation to the list that follows it. References that name the
// card's own model are returned like any other; callers that know the
// model's name filter them.
func ProseBases(c *Card) []ProseBase {
	if c == nil || c.Body == "" {
		return nil
	}
	var found []ProseBase
	units := markdownUnits(c.Body, c.BodyLine)
	for i := range units {
		u := &units[i]
		if u.kind == unitBreak {
			continue
		}
		sents := u.sentences()
		for si, s := range sents {
			ps := parseSentence(u, s)
			bases, carry := ps.bases()
			found = append(found, bases...)
			if carry != "" && si == len(sents)-1 {
				found = append(found, carried(units[i+1:], u, ps, carry)...)
			}
		}
	}
	return dedupeBases(found)
}

// carried reads the list items that follow an introducing sentence ending
// in a colon: every item names a base with the sentence's relation. The list
// must follow at once (blank lines aside); an item introduces only the items
// nested under it.
func carried(next []unit, intro *unit, ps *proseSentence, rel sources.Relation) []ProseBase {
	lead := ps.text
	if len(lead) > 1024 {
		i := len(lead) - 1024
		for i < len(lead) && !utf8.RuneStart(lead[i]) {
			i++
		}
		lead = "…" + lead[i:]
	}
	var out []ProseBase
	for i := range next {
		u := &next[i]
		if u.kind != unitItem || intro.kind == unitItem && u.indent <= intro.indent {
			break
		}
		sents := u.sentences()
		if len(sents) == 0 {
			continue
		}
		item := parseSentence(u, sents[0])
		for _, r := range item.scanAfter(0, len(item.masked), false, 0) {
			ref := item.refs[r]
			out = append(out, ProseBase{
				Ref:      ref.id,
				Relation: rel,
				Line:     ref.line,
				Text:     clip(lead+" "+item.raw, len(lead)+1+ref.off),
			})
		}
	}
	return out
}

// dedupeBases keeps the first base of each (id, relation) and drops
// derived_from bases whose id also appears with a specific relation.
func dedupeBases(in []ProseBase) []ProseBase {
	specific := make(map[string]bool)
	for _, b := range in {
		if b.Relation != sources.RelDerivedFrom {
			specific[strings.ToLower(b.Ref)] = true
		}
	}
	seen := make(map[string]bool)
	var out []ProseBase
	for _, b := range in {
		id := strings.ToLower(b.Ref)
		if b.Relation == sources.RelDerivedFrom && specific[id] {
			continue
		}
		key := id + "\x00" + string(b.Relation)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, b)
	}
	return out
}

// unitKind is the kind of a block of Markdown.
type unitKind int

const (
	unitPara    unitKind = iota // a paragraph
	unitItem                    // a list item with its continuation lines
	unitHeading                 // an ATX heading
	unitTable                   // a table row
	unitBreak                   // a code block or thematic break: no text
)

// unit is a block of Markdown text joined into one line, with the README
// line on which each joined piece starts.
type unit struct {
	kind   unitKind
	indent int // leading columns of a list item's marker
	text   string
	starts []lineStart
}

// lineStart records that the text from off on was written on line.
type lineStart struct {
	off, line int
}

// lineAt returns the README line of the byte offset off of u.text.
func (u *unit) lineAt(off int) int {
	i := sort.Search(len(u.starts), func(i int) bool { return u.starts[i].off > off })
	if i == 0 {
		return 0
	}
	return u.starts[i-1].line
}

// add appends one line's text to u.
func (u *unit) add(text string, line int) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	if u.text != "" {
		u.text += " "
	}
	u.starts = append(u.starts, lineStart{off: len(u.text), line: line})
	u.text += text
}

var (
	headingLine  = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]+|$)`)
	listItemLine = regexp.MustCompile(`^([ \t]*)(?:[-*+•]|\d{1,9}[.)])[ \t]+`)
	ruleLine     = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$`)
	tableRule    = regexp.MustCompile(`^\|?[\s:|-]*-[\s:|-]*$`)
	autoLink     = regexp.MustCompile(`<(https?://[^>\s]+)>`)
	anchorHref   = regexp.MustCompile(`(?i)<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>`)
	htmlTag      = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
)

// markdownUnits splits a Markdown body into blocks. firstLine is the README
// line of the body's first line. Fenced code and HTML comments are dropped
// (a fence becomes a break), HTML tags are dropped but for the targets of
// links, block quotes are read as their text.
func markdownUnits(body string, firstLine int) []unit {
	var (
		units     []unit
		cur       *unit
		fence     string
		inComment bool
	)
	flush := func() {
		if cur != nil && cur.text != "" {
			units = append(units, *cur)
		}
		cur = nil
	}
	for i, raw := range strings.Split(body, "\n") {
		line := firstLine + i
		raw = strings.TrimSuffix(raw, "\r")
		if fence != "" {
			if t := strings.TrimSpace(raw); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		text := raw
		text, inComment = dropComments(text, inComment)
		trimmed := strings.TrimSpace(text)
		if f := fenceOf(trimmed); f != "" {
			flush()
			units = append(units, unit{kind: unitBreak})
			fence = f
			continue
		}
		for strings.HasPrefix(trimmed, ">") {
			trimmed = strings.TrimSpace(strings.TrimPrefix(trimmed, ">"))
			text = trimmed
		}
		text = autoLink.ReplaceAllString(text, " $1 ")
		text = anchorHref.ReplaceAllString(text, " $1 ")
		text = htmlTag.ReplaceAllString(text, " ")
		trimmed = strings.TrimSpace(text)
		switch {
		case trimmed == "":
			flush()
		case ruleLine.MatchString(text):
			flush()
			units = append(units, unit{kind: unitBreak})
		case headingLine.MatchString(text):
			flush()
			u := unit{kind: unitHeading}
			u.add(strings.Trim(headingLine.ReplaceAllString(text, ""), "# \t"), line)
			cur = &u
			flush()
		case strings.HasPrefix(trimmed, "|"):
			flush()
			if !tableRule.MatchString(trimmed) {
				u := unit{kind: unitTable}
				u.add(trimmed, line)
				cur = &u
				flush()
			}
		default:
			if m := listItemLine.FindStringSubmatchIndex(text); m != nil {
				flush()
				cur = &unit{kind: unitItem, indent: columns(text[m[2]:m[3]])}
				cur.add(text[m[1]:], line)
				continue
			}
			if cur == nil {
				cur = &unit{kind: unitPara}
			}
			cur.add(text, line)
		}
	}
	flush()
	return units
}

// columns returns the width of leading white space, a tab counting four.
func columns(ws string) int {
	return len(ws) + 3*strings.Count(ws, "\t")
}

// fenceOf returns the fence a line opens ("```" or "~~~", as long as
// written), or "".
func fenceOf(trimmed string) string {
	for _, c := range []string{"`", "~"} {
		n := 0
		for n < len(trimmed) && trimmed[n] == c[0] {
			n++
		}
		if n >= 3 {
			return trimmed[:n]
		}
	}
	return ""
}

// dropComments removes HTML comments from a line; inComment says whether the
// line starts inside a comment, and the result whether it ends inside one.
func dropComments(s string, inComment bool) (string, bool) {
	var b strings.Builder
	for {
		if inComment {
			end := strings.Index(s, "-->")
			if end < 0 {
				return b.String(), true
			}
			s = s[end+3:]
			inComment = false
			b.WriteByte(' ')
		}
		start := strings.Index(s, "<!--")
		if start < 0 {
			b.WriteString(s)
			return b.String(), false
		}
		b.WriteString(s[:start])
		s = s[start+4:]
		inComment = true
	}
}

// span is a byte range of a unit's text.
type span struct{ start, end int }

// protectedSpans returns the links, URLs and code spans of text, in order
// and without overlaps.
func protectedSpans(text string) []span {
	var all []span
	for _, re := range []*regexp.Regexp{mdLink, bareURL, codeSpan} {
		for _, m := range re.FindAllStringIndex(text, -1) {
			all = append(all, span{m[0], m[1]})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].start < all[j].start })
	var out []span
	for _, s := range all {
		if len(out) > 0 && s.start < out[len(out)-1].end {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sentenceAbbrev lists words after which a period does not end a sentence.
var sentenceAbbrev = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "al": true, "cf": true,
	"dr": true, "mr": true, "ms": true, "fig": true, "approx": true, "no": true,
	"inc": true, "ltd": true, "co": true, "st": true, "eq": true, "ref": true,
}

// sentences splits u into sentences: table rows into cells, other text at a
// full stop, question or exclamation mark followed by white space and a
// letter that is not lower case, outside links, URLs and code.
func (u *unit) sentences() []span {
	text := u.text
	if u.kind == unitTable {
		var out []span
		start := 0
		for i := 0; i <= len(text); i++ {
			if i == len(text) || text[i] == '|' {
				if s := trimSpan(text, start, i); s.end > s.start {
					out = append(out, s)
				}
				start = i + 1
			}
		}
		return out
	}
	prot := protectedSpans(text)
	var out []span
	start, p := 0, 0
	for i := 0; i < len(text); i++ {
		for p < len(prot) && prot[p].end <= i {
			p++
		}
		if p < len(prot) && prot[p].start <= i {
			i = prot[p].end - 1
			continue
		}
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			if strings.HasPrefix(text[i:], "。") {
				out = appendSpan(out, text, start, i+len("。"))
				start = i + len("。")
				i = start - 1
			}
			continue
		}
		if i+1 < len(text) && text[i+1] != ' ' {
			continue
		}
		if c == '.' && abbreviation(text[:i]) {
			continue
		}
		if next := strings.TrimLeft(text[i+1:], " "); next != "" {
			r, _ := utf8.DecodeRuneInString(next)
			if unicode.IsLower(r) {
				continue
			}
		}
		out = appendSpan(out, text, start, i+1)
		start = i + 1
	}
	return appendSpan(out, text, start, len(text))
}

// abbreviation reports whether the text before a period ends in a word that
// the period abbreviates.
func abbreviation(before string) bool {
	i := strings.LastIndexAny(before, " (\t")
	w := strings.ToLower(before[i+1:])
	return sentenceAbbrev[w] || len(w) == 1 && w[0] >= 'a' && w[0] <= 'z'
}

// appendSpan appends the trimmed text[start:end] when it is not empty.
func appendSpan(out []span, text string, start, end int) []span {
	if s := trimSpan(text, start, end); s.end > s.start {
		out = append(out, s)
	}
	return out
}

// trimSpan trims white space from both ends of text[start:end].
func trimSpan(text string, start, end int) span {
	for start < end && (text[start] == ' ' || text[start] == '\t') {
		start++
	}
	for end > start && (text[end-1] == ' ' || text[end-1] == '\t') {
		end--
	}
	return span{start, end}
}

var (
	// mdLink matches a Markdown link or image, with one level of brackets
	// in the text: [text](target "title").
	mdLink = regexp.MustCompile(`!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+"[^"]*")?\s*\)`)
	// bareURL matches a URL written as text.
	bareURL = regexp.MustCompile(`https?://[^\s<>()\[\]"'` + "`" + `]+`)
	// codeSpan matches inline code.
	codeSpan = regexp.MustCompile("`+([^`]+)`+")
	// bareID matches an OWNER/NAME written as a word, with an optional hf:.
	bareID = regexp.MustCompile(`(?:hf:)?[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*`)
	// hubURL matches a URL of the Hugging Face Hub and captures its path.
	hubURL = regexp.MustCompile(`^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([^?#]*)`)
	// idHint matches what tells a bare OWNER/NAME from words like "and/or":
	// a digit, '-', '_' or '.', or an upper-case letter after a lower-case one.
	idHint = regexp.MustCompile(`[0-9._-]|[a-z][A-Z]`)
	// fileName matches names of files rather than repositories.
	fileName = regexp.MustCompile(`(?i)\.(?:gguf|ggml|bin|safetensors|pt|pth|ckpt|onnx|py|ipynb|json|ya?ml|md|txt|sh|zip|tar|gz|csv|parquet|jsonl|png|jpe?g|gif|html?)$`)
)

// hubPages are first path segments of huggingface.co that are not owners.
var hubPages = map[string]bool{
	"datasets": true, "spaces": true, "docs": true, "blog": true, "papers": true,
	"learn": true, "models": true, "api": true, "collections": true, "organizations": true,
	"settings": true, "join": true, "login": true, "pricing": true, "tasks": true,
	"chat": true, "posts": true, "course": true, "new": true, "search": true,
	"enterprise": true, "inference-endpoints": true, "transformers": true,
}

// hubIDOf returns the model id a reference names: a huggingface.co URL of a
// model page (or its tree), an hf: reference or OWNER/NAME.
func hubIDOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if m := hubURL.FindStringSubmatch(s); m != nil {
		segs := strings.Split(strings.Trim(m[1], "/"), "/")
		if len(segs) < 2 || len(segs) > 2 && segs[2] != "tree" {
			return "", false
		}
		s = segs[0] + "/" + segs[1]
	} else if strings.Contains(s, "://") {
		return "", false
	}
	s = strings.TrimPrefix(s, "hf:")
	owner, _, ok := strings.Cut(s, "/")
	if !ok || hubPages[strings.ToLower(owner)] || !sources.ValidHubID(s) {
		return "", false
	}
	return s, true
}

// proseRef is a reference to a model in a sentence.
type proseRef struct {
	id     string
	line   int
	off    int  // byte offset in the sentence as written
	linked bool // written as a link or URL, not as a bare word
}

// proseSentence is one sentence with its references replaced by
// placeholders, lower-cased, for matching.
type proseSentence struct {
	raw    string // as written
	text   string // as written, white space collapsed
	masked string // lower-cased, references as refMark+index, markup removed
	refs   []proseRef
}

// markup removes emphasis from a masked sentence.
var markup = strings.NewReplacer("**", " ", "__", " ", "*", " ", "~~", " ", "’", "'")

// refMark starts a reference placeholder in a masked sentence.
const refMark = '\uE000'

// parseSentence reads the references of sentence s of u.
func parseSentence(u *unit, s span) *proseSentence {
	raw := u.text[s.start:s.end]
	ps := &proseSentence{raw: raw, text: strings.Join(strings.Fields(raw), " ")}
	var b strings.Builder
	addRef := func(id string, off int, linked bool) {
		b.WriteString(" " + string(refMark) + strconv.Itoa(len(ps.refs)) + " ")
		ps.refs = append(ps.refs, proseRef{id: id, line: u.lineAt(s.start + off), off: off, linked: linked})
	}
	pos := 0
	plain := func(end int) {
		seg := raw[pos:end]
		last := 0
		for _, m := range bareID.FindAllStringIndex(seg, -1) {
			id := strings.TrimRight(seg[m[0]:m[1]], ".-_")
			if !bareBoundary(seg, m[0], m[0]+len(id)) || !bareHubID(id) {
				continue
			}
			b.WriteString(seg[last:m[0]])
			hid, _ := hubIDOf(id)
			addRef(hid, pos+m[0], false)
			last = m[0] + len(id)
		}
		b.WriteString(seg[last:])
		pos = end
	}
	for _, p := range protectedSpans(raw) {
		plain(p.start)
		tok := raw[p.start:p.end]
		switch {
		case strings.HasPrefix(tok, "!["):
			b.WriteByte(' ')
		case strings.HasPrefix(tok, "["):
			m := mdLink.FindStringSubmatch(tok)
			if m == nil {
				b.WriteString(tok)
				break
			}
			label := strings.Trim(m[1], "` ")
			if id, ok := hubIDOf(m[2]); ok {
				addRef(id, p.start, true)
			} else if id, ok := hubIDOf(label); ok && !strings.Contains(m[2], "://") {
				addRef(id, p.start, false)
			} else {
				b.WriteString(" " + strings.ReplaceAll(m[1], "`", "") + " ")
			}
		case strings.HasPrefix(tok, "`"):
			inner := strings.Trim(tok, "` ")
			if id, ok := hubIDOf(inner); ok {
				addRef(id, p.start, false)
			} else {
				b.WriteString(" " + inner + " ")
			}
		default:
			url := strings.TrimRight(tok, ".,;:!?*")
			if id, ok := hubIDOf(url); ok {
				addRef(id, p.start, true)
			} else {
				b.WriteString(" url ")
			}
		}
		pos = p.end
	}
	plain(len(raw))
	masked := markup.Replace(b.String())
	ps.masked = strings.ToLower(masked)
	return ps
}

// bareBoundary reports whether seg[start:end] is a whole word: not part of a
// path, URL, e-mail address or longer id.
func bareBoundary(seg string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(seg[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/.:@_-~\\", r) {
			return false
		}
	}
	if end < len(seg) {
		r, _ := utf8.DecodeRuneInString(seg[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/@\\", r) {
			return false
		}
	}
	return true
}

// bareHubID reports whether a word written without link or code markup is
// likely a Hub id rather than a phrase such as "and/or" or a file path.
func bareHubID(s string) bool {
	id, ok := hubIDOf(s)
	if !ok {
		return false
	}
	if strings.HasPrefix(s, "hf:") {
		return true
	}
	owner, name, _ := strings.Cut(id, "/")
	return idHint.MatchString(id) && !fileName.MatchString(name) &&
		strings.IndexFunc(owner, unicode.IsLetter) >= 0 && strings.IndexFunc(name, unicode.IsLetter) >= 0
}

// trigger is a phrase that names a base model.
type trigger struct {
	re *regexp.Regexp
	// rel is the relation the phrase implies; "" decides between quantized
	// and derived_from by whether the sentence names a precision or format.
	rel sources.Relation
	// before says the reference is written just before the phrase ("using
	// X as a base") rather than after it.
	before bool
	// linked says only links and URLs count, not bare ids (after phrases
	// that often name datasets, like "fine-tuned on").
	linked bool
	// words is how many words may stand between the phrase and the model it
	// names; 0 means six.
	words int
}

// mergeOrDerived marks a trigger whose relation is merge in a sentence about
// merging and derived_from otherwise.
const mergeOrDerived sources.Relation = "merge?"

// tr returns a trigger for the phrases re matches, implying rel.
func tr(rel sources.Relation, re string) trigger {
	return trigger{re: regexp.MustCompile(re), rel: rel}
}

// triggers are the phrases that name bases, matched on lower-cased text.
var triggers = []trigger{
	// adapters
	tr(sources.RelAdapter, `\b(?:q?lora|peft)(?:[- ](?:adapter|weights|model|checkpoint)s?)?\s+(?:(?:fine[- ]?tuned?|finetuned|trained|tuned)\s+)?(?:version\s+of|for|of|from|on\s+top\s+of)\b`),
	tr(sources.RelAdapter, `\badapters?(?:\s+model)?\s+(?:is\s+)?(?:(?:meant|intended|designed)\s+)?(?:(?:to\s+be\s+used|tailored|trained|built)\s+)?(?:for|of|on\s+top\s+of)\b`),
	tr(sources.RelAdapter, `\bfine[- ]?tuned\s+(?:using|with|via)\s+(?:q?lora|peft)\s+(?:from|of|on\s+top\s+of)\b`),
	// distillation
	tr(sources.RelDistillation, `\bdistill(?:ed|ation)\s+(?:(?:version|model|variant)\s+)?(?:of|from)\b`),
	tr(sources.RelDistillation, `\bteacher(?:\s+model)?\s*:`),
	{re: regexp.MustCompile(`\bas\s+(?:the\s+|a\s+)?teacher\b`), rel: sources.RelDistillation, before: true},
	// quantizations and conversions
	tr(sources.RelQuantized, `\bquanti[sz]ed\s+(?:(?:version|variant|model|weights|copy)\s+)?(?:of|from)\b`),
	tr(sources.RelQuantized, `\bquanti[sz]ations?\s+(?:of|for)\b`),
	tr(sources.RelQuantized, `\bquants\s+(?:of|for)\b`),
	tr(sources.RelQuantized, `\b(?:gguf|ggml|gptq|awq|exl2|mlx|hqq|bnb|onnx|openvino|llamafile|int[48]|fp8|[248][- ]?bits?)\s+(?:format\s+)?(?:model\s+)?(?:files|version|quants|quantizations?|weights|conversion|build|port|model)\s+(?:for|of)\b`),
	tr("", `\bconverted\b(?:\s+\S+){0,8}?\s+from\b`),
	{re: regexp.MustCompile(`\b(?:model\s+)?(?:converted|quanti[sz]ed)\s+(?:to|into|with|using)\b`), before: true},
	// merges
	tr(sources.RelMerge, `\bmerge[sd]?\s+(?:of|from|between)\b`),
	tr(sources.RelMerge, `\bmerged\s+(?:with|together\s+with|(?:variant|version)\s+of)\b`),
	tr(sources.RelMerge, `\bincluded\s+in\s+(?:the|this)\s+merge\b`),
	tr(sources.RelMerge, `\bparent\s+models\b`),
	{re: regexp.MustCompile(`\bas\s+(?:a|the)\s+base(?:\s+model)?\b`), rel: mergeOrDerived, before: true},
	// fine-tunes
	tr(sources.RelFinetune, `\b(?:fine[- ]?tuned|fine[- ]?tuning|instruct(?:ion)?[- ]tuned|chat[- ]tuned|sft[- ]tuned|sft|dpo|rlhf|tuned|trained|further[- ]trained|re-?trained|adapted|adapated)\s+(?:\([^)]*\)\s+)?(?:version|variant|checkpoint|iteration|model)\s+of\b`),
	tr(sources.RelFinetune, `\bfine[- ]?tunes?\s+(?:of|on\s+top\s+of)\b`),
	tr(sources.RelFinetune, `\bfine[- ]?tun(?:ed|ing)\s+(?:from|on\s+top\s+of|upon)\b`),
	{re: regexp.MustCompile(`\bfine[- ]?tuned\s+on\b`), rel: sources.RelFinetune, linked: true},
	tr(sources.RelFinetune, `\b(?:continued?|further)[- ]?pre-?train(?:ed|ing)?\s+(?:from|of|on)\b`),
	tr(sources.RelFinetune, `\b(?:trained|initiali[sz]ed|started|starting|warm[- ]started)\s+(?:from|on\s+top\s+of)\b`),
	{re: regexp.MustCompile(`\b(?:by|from|after)\s+fine[- ]?tuning\b`), rel: sources.RelFinetune, words: 1},
	// named without a relation
	tr(sources.RelDerivedFrom, `\bbased\s+(?:on|upon)\b`),
	tr(sources.RelDerivedFrom, `\bbuilt\s+(?:on|upon)(?:\s+top\s+of)?\b`),
	tr(sources.RelDerivedFrom, `\b(?:derived|forked)\s+from\b`),
	tr(sources.RelDerivedFrom, `\b(?:derivative|fork)\s+of\b`),
	tr(sources.RelDerivedFrom, `\b(?:base|original|parent|source|underlying)\s+model\s*:`),
	tr(sources.RelDerivedFrom, `\bvariant\s+of\b`),
	tr(sources.RelDerivedFrom, `\bmodel\s+files\s+(?:for|of)\b`),
	tr(sources.RelDerivedFrom, `\b(?:abliterated|uncensored|decensored|orthogonali[sz]ed|pruned|modified|customi[sz]ed|extended|enhanced|improved|optimi[sz]ed|compressed|converted)\s+(?:version|variant)\s+of\b`),
}

var (
	// triggerWords matches every sentence that one of triggers can match.
	triggerWords = regexp.MustCompile(`tun|train|quant|merg|base|adapt|lora|peft|distill|teacher|conver|built|deriv|fork|variant|version|original|parent|source model|underlying|files|initiali|start|weight|build|\bport\b`)
	// precision matches words that make a conversion a quantization.
	precision = regexp.MustCompile(`\b(?:gguf|ggml|gptq|awq|exl2|mlx|hqq|bnb|int[48]|fp(?:8|16)|bf16|bfloat16|float16|half[- ]precision|[2-8][- ]?bits?|q[2-8]_[a-z0-9_]+|quanti[sz]\w*)\b`)
	// proseToken splits masked text into references, words and punctuation.
	proseToken = regexp.MustCompile("\uE000[0-9]+|[\\pL\\pN][\\pL\\pN'._+-]*|[,;:|()&/+]")
)

// proseStops end the words that may separate a phrase from the model it
// names, and a list of models.
var proseStops = map[string]bool{
	"on": true, "using": true, "with": true, "by": true, "via": true, "in": true,
	"that": true, "which": true, "who": true, "where": true, "to": true, "into": true,
	"for": true, "at": true, "while": true, "but": true, "because": true, ";": true, "|": true,
}

// proseJoins join models in a list.
var proseJoins = map[string]bool{",": true, "and": true, "&": true, "+": true, "/": true, "or": true}

// match is a trigger found in a sentence.
type match struct {
	t          *trigger
	start, end int
}

// bases returns the bases a sentence names and, when a phrase names none
// and the sentence ends in a colon, the relation to pass to a following list.
func (ps *proseSentence) bases() ([]ProseBase, sources.Relation) {
	if len(ps.refs) == 0 && !strings.HasSuffix(strings.TrimSpace(ps.masked), ":") || !triggerWords.MatchString(ps.masked) {
		return nil, ""
	}
	var ms []match
	for i := range triggers {
		t := &triggers[i]
		for _, m := range t.re.FindAllStringIndex(ps.masked, -1) {
			ms = append(ms, match{t, m[0], m[1]})
		}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].start != ms[j].start {
			return ms[i].start < ms[j].start
		}
		return ms[i].end > ms[j].end
	})
	var chosen []match
	for _, m := range ms {
		if len(chosen) > 0 && m.start < chosen[len(chosen)-1].end {
			continue
		}
		chosen = append(chosen, m)
	}
	var out []ProseBase
	var carry sources.Relation
	for i, m := range chosen {
		rel := ps.relation(m.t)
		var refs []int
		if m.t.before {
			refs = ps.scanBefore(m.start)
		} else {
			limit := len(ps.masked)
			if i+1 < len(chosen) {
				limit = chosen[i+1].start
			}
			refs = ps.scanAfter(m.end, limit, m.t.linked, m.t.words)
			if len(refs) == 0 && i == len(chosen)-1 && strings.HasSuffix(strings.TrimSpace(ps.masked), ":") {
				carry = rel
			}
		}
		for _, r := range refs {
			out = append(out, ProseBase{
				Ref:      ps.refs[r].id,
				Relation: rel,
				Line:     ps.refs[r].line,
				Text:     clip(ps.raw, ps.refs[r].off),
			})
		}
	}
	return out, carry
}

// relation returns the relation a trigger implies in this sentence.
func (ps *proseSentence) relation(t *trigger) sources.Relation {
	switch t.rel {
	case "":
		if precision.MatchString(ps.masked) {
			return sources.RelQuantized
		}
		return sources.RelDerivedFrom
	case mergeOrDerived:
		if strings.Contains(ps.masked, "merg") {
			return sources.RelMerge
		}
		return sources.RelDerivedFrom
	}
	return t.rel
}

// refIndex returns the reference a token stands for, or -1.
func (ps *proseSentence) refIndex(tok string) int {
	if !strings.HasPrefix(tok, string(refMark)) {
		return -1
	}
	n, err := strconv.Atoi(tok[len(string(refMark)):])
	if err != nil || n < 0 || n >= len(ps.refs) {
		return -1
	}
	return n
}

// scanAfter returns the references that are the object of a phrase ending
// at from: the first model within maxWords words (six when 0) and before any
// stop word, and the models joined to it by commas and "and". linked limits
// them to links and URLs.
func (ps *proseSentence) scanAfter(from, limit int, linked bool, maxWords int) []int {
	if maxWords == 0 {
		maxWords = 6
	}
	var refs []int
	words, gap, joined := 0, 0, false
	for _, tok := range proseToken.FindAllString(ps.masked[from:limit], -1) {
		if r := ps.refIndex(tok); r >= 0 {
			if len(refs) > 0 && !joined {
				break
			}
			if linked && !ps.refs[r].linked {
				break
			}
			refs = append(refs, r)
			gap, joined = 0, false
			continue
		}
		tok = strings.TrimRight(tok, ".")
		if proseStops[tok] {
			break
		}
		if len(refs) == 0 {
			if len(tok) > 1 || !strings.ContainsAny(tok, ",;:|()&/+") {
				words++
				if words > maxWords {
					break
				}
			}
			continue
		}
		if proseJoins[tok] {
			joined = true
			continue
		}
		if tok == "(" || tok == ")" || tok == ":" {
			continue
		}
		gap++
		if gap > 3 || !joined && gap > 2 {
			break
		}
	}
	return refs
}

// scanBefore returns the reference written just before a phrase starting at
// to, allowing two words between ("X model converted to").
func (ps *proseSentence) scanBefore(to int) []int {
	toks := proseToken.FindAllString(ps.masked[:to], -1)
	for i, n := len(toks)-1, 0; i >= 0 && n <= 2; i-- {
		if r := ps.refIndex(toks[i]); r >= 0 {
			return []int{r}
		}
		if proseStops[toks[i]] {
			break
		}
		n++
	}
	return nil
}

// clip collapses white space and shortens text to at most maxProseText
// characters. When it must cut, it keeps the text from about 60 bytes before
// focus (the byte offset in text of what matters), marking cuts with "…".
// Only a window of a few kilobytes around focus is read, so that clipping
// many references of one long sentence stays cheap.
func clip(text string, focus int) string {
	focus = min(max(focus, 0), len(text))
	const window = 2048
	cutStart, cutEnd := false, false
	if focus > window {
		lo := focus - window
		for lo < focus && !utf8.RuneStart(text[lo]) {
			lo++
		}
		text, focus, cutStart = text[lo:], focus-lo, true
	}
	if len(text) > focus+window {
		hi := focus + window
		for hi > focus && !utf8.RuneStart(text[hi]) {
			hi--
		}
		text, cutEnd = text[:hi], true
	}
	focus = len(strings.Join(strings.Fields(text[:focus]), " "))
	text = strings.Join(strings.Fields(text), " ")
	if !cutStart && !cutEnd && utf8.RuneCountInString(text) <= maxProseText {
		return text
	}
	start := 0
	if focus > 60 {
		start = focus - 60
		for start < len(text) && !utf8.RuneStart(text[start]) {
			start++
		}
		if sp := strings.IndexByte(text[start:], ' '); sp >= 0 && sp < 20 {
			start += sp + 1
		}
	}
	runes := []rune(text[start:])
	prefix := ""
	budget := maxProseText
	if start > 0 || cutStart {
		prefix = "…"
		budget--
	}
	if len(runes) > budget || cutEnd {
		runes = append(runes[:min(len(runes), budget-1)], '…')
	}
	return prefix + string(runes)
}
