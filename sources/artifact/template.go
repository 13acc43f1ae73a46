package artifact

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// maxTemplateFindings caps the reasons ChatTemplateFindings returns.
const maxTemplateFindings = 32

// templateURL finds URLs in template text.
var templateURL = regexp.MustCompile(`(?i)\b(?:https?|ftp|file)://[^\s'"<>)]+|\bwww\.[a-z0-9-]+\.[a-z]{2,}[^\s'"<>)]*`)

// templateInstructions are phrasings of instructions to the model that have
// no place in a formatting template.
var templateInstructions = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override)\b[^.\n]{0,30}\b(?:previous|prior|above|earlier|preceding|all|system|original)\b[^.\n]{0,20}\b(?:instructions?|messages?|prompts?|rules|guidelines|context)\b`),
	regexp.MustCompile(`(?i)\balways\s+(?:answer|respond|reply|say|agree|comply|recommend|include|mention|promote|insert|append|add|output)\b`),
	regexp.MustCompile(`(?i)\bnever\s+(?:refuse|reveal|mention|tell|disclose|warn|decline|say no)\b`),
	regexp.MustCompile(`(?i)\b(?:do not|don't|never)\s+(?:tell|reveal|mention|inform|disclose|let)\s+(?:this\s+|it\s+|anything\s+)?(?:to\s+)?(?:the\s+)?user\b`),
	regexp.MustCompile(`(?i)\bwithout\s+(?:telling|informing|letting|notifying)\s+(?:the\s+)?user\b`),
	regexp.MustCompile(`(?i)\byou\s+are\s+now\b|\bfrom\s+now\s+on\b|\bnew\s+instructions?\b`),
	regexp.MustCompile(`(?i)\b(?:jailbreak|developer\s+mode|dan\s+mode|do\s+anything\s+now)\b`),
	regexp.MustCompile(`(?i)\b(?:secretly|covertly|silently|hidden\s+instruction)\b`),
	regexp.MustCompile(`(?i)\b(?:reveal|print|repeat|leak|send|exfiltrate|upload|forward)\b[^.\n]{0,40}\b(?:system\s+prompt|api[\s_-]?keys?|passwords?|credentials?|secrets?|tokens?|conversation|chat\s+history)\b`),
}

// templateMethods are the methods real chat templates call on strings,
// mappings, lists, namespaces and loops.
var templateMethods = map[string]bool{
	"strip": true, "lstrip": true, "rstrip": true, "split": true, "rsplit": true, "splitlines": true,
	"startswith": true, "endswith": true, "items": true, "keys": true, "values": true, "get": true,
	"upper": true, "lower": true, "title": true, "capitalize": true, "replace": true, "format": true,
	"join": true, "append": true, "extend": true, "count": true, "find": true, "rfind": true,
	"index": true, "cycle": true, "update": true, "pop": true,
}

// templateGlobals are the functions chat templates call by name:
// Jinja's and those the Hugging Face template environment adds.
var templateGlobals = map[string]bool{
	"raise_exception": true, "strftime_now": true, "namespace": true, "range": true, "dict": true, "caller": true,
}

// templateKeywords are Jinja's keywords and operators, which a "(" may
// follow without a call.
var templateKeywords = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "in": true, "is": true, "not": true, "and": true,
	"or": true, "set": true, "macro": true, "call": true, "filter": true, "with": true, "recursive": true,
	"true": true, "false": true, "none": true, "True": true, "False": true, "None": true,
}

// templateDanger are names that reach outside the template: Python
// internals, the Jinja environment and common sandbox escapes.
var templateDanger = map[string]bool{
	"os": true, "sys": true, "subprocess": true, "popen": true, "eval": true, "exec": true, "open": true,
	"import": true, "globals": true, "builtins": true, "config": true, "request": true, "self": true,
	"cycler": true, "joiner": true, "lipsum": true, "url_for": true, "get_flashed_messages": true,
	"getattr": true, "setattr": true, "compile": true, "environment": true, "attr": true,
}

// ChatTemplateFindings reports content of a Jinja chat template that has
// nothing to do with formatting a conversation: URLs, instructions to the
// model ("ignore previous instructions", "always answer ...", "do not tell
// the user"), long text emitted unconditionally outside any condition or
// loop (a system prompt the user did not write), template imports and
// includes, Python internals (__class__, __globals__), and calls of
// functions or methods beyond the usual helpers. It returns one
// human-readable reason per finding, sorted; none (nil) for a template
// that only formats messages.
func ChatTemplateFindings(tmpl string) []string {
	f := &templateScan{found: map[string]bool{}, macros: map[string]bool{}}
	f.scan(tmpl)
	var out []string
	for r := range f.found {
		out = append(out, r)
	}
	sort.Strings(out)
	if len(out) > maxTemplateFindings {
		out = append(out[:maxTemplateFindings], fmt.Sprintf("%d more findings not listed", len(out)-maxTemplateFindings))
	}
	return out
}

// templateScan is the state of a scan of one template.
type templateScan struct {
	found  map[string]bool
	macros map[string]bool
	depth  int
	calls  []string // names called, checked once all macros are known
}

// add records a reason.
func (f *templateScan) add(format string, args ...any) { f.found[fmt.Sprintf(format, args...)] = true }

// scan splits the template into text, {{ expressions }}, {% statements %}
// and {# comments #} and checks each.
func (f *templateScan) scan(t string) {
	for len(t) > 0 {
		i := strings.IndexByte(t, '{')
		for i >= 0 && (i+1 >= len(t) || !strings.ContainsRune("{%#", rune(t[i+1]))) {
			j := strings.IndexByte(t[i+1:], '{')
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			f.literal(t, true)
			break
		}
		f.literal(t[:i], true)
		kind := t[i+1]
		t = t[i+2:]
		if kind == '#' {
			end := strings.Index(t, "#}")
			if end < 0 {
				return
			}
			t = t[end+2:]
			continue
		}
		closer := "}}"
		if kind == '%' {
			closer = "%}"
		}
		code, strs, rest := splitTag(t, closer)
		t = rest
		code = strings.Trim(code, "-+ \t\r\n")
		if kind == '%' {
			if f.statement(code, strs, &t) {
				continue
			}
		}
		for _, s := range strs {
			f.literal(s, kind == '{')
		}
		f.code(code)
	}
	for _, name := range f.calls {
		if !templateGlobals[name] && !f.macros[name] {
			f.add("calls function %q, not a template helper", name)
		}
	}
}

// splitTag reads a tag's content up to closer, outside string literals. It
// returns the code with each string literal replaced by an empty one, the
// literals, and what follows the tag.
func splitTag(t, closer string) (code string, strs []string, rest string) {
	var sb strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '\'' || c == '"' {
			var lit strings.Builder
			j := i + 1
			for ; j < len(t) && t[j] != c; j++ {
				if t[j] == '\\' && j+1 < len(t) {
					j++
					switch t[j] {
					case 'n':
						lit.WriteByte('\n')
					case 't':
						lit.WriteByte('\t')
					default:
						lit.WriteByte(t[j])
					}
					continue
				}
				lit.WriteByte(t[j])
			}
			strs = append(strs, lit.String())
			sb.WriteString("''")
			i = j
			continue
		}
		if strings.HasPrefix(t[i:], closer) {
			return sb.String(), strs, t[i+len(closer):]
		}
		sb.WriteByte(c)
	}
	return sb.String(), strs, ""
}

// statement handles a {% statement %}: block nesting, macros, raw blocks
// and imports. It returns true when it consumed the statement whole.
func (f *templateScan) statement(code string, strs []string, t *string) bool {
	word, args, _ := strings.Cut(code, " ")
	word = strings.TrimSpace(word)
	switch word {
	case "if", "for", "filter", "call", "block":
		f.depth++
	case "macro":
		f.depth++
		name, _, _ := strings.Cut(strings.TrimSpace(args), "(")
		f.macros[strings.TrimSpace(name)] = true
	case "set":
		if !strings.Contains(args, "=") {
			f.depth++ // a block set: {% set x %}...{% endset %}
		} else if f.depth == 0 {
			for _, s := range strs {
				f.unconditional(s)
			}
		}
	case "endif", "endfor", "endfilter", "endcall", "endblock", "endmacro", "endset":
		f.depth = max(f.depth-1, 0)
	case "raw":
		end := strings.Index(*t, "endraw")
		if end < 0 {
			f.literal(*t, true)
			*t = ""
			return true
		}
		f.literal((*t)[:end], true)
		if c := strings.Index((*t)[end:], "%}"); c >= 0 {
			*t = (*t)[end+c+2:]
		} else {
			*t = ""
		}
		return true
	case "import", "from", "include", "extends":
		f.add("%q statement loads another template: %s", word, clipTemplate(code))
	}
	return false
}

// literal checks text the template holds; output says whether it is
// emitted (text between tags, strings of expressions).
func (f *templateScan) literal(s string, output bool) {
	if strings.TrimSpace(s) == "" {
		return
	}
	for _, u := range templateURL.FindAllString(s, 4) {
		f.add("URL in the template: %s", clipTemplate(u))
	}
	for _, re := range templateInstructions {
		if m := re.FindString(s); m != "" {
			f.add("instruction to the model in the template: %q", clipTemplate(m))
		}
	}
	if output && f.depth == 0 {
		f.unconditional(s)
	}
}

// specialToken matches the role markers and special tokens of chat
// formats (<|im_start|>, <start_of_turn>, [INST]).
var specialToken = regexp.MustCompile(`<\|?[/a-zA-Z0-9_:.-]+\|?>|\[/?[A-Z_]+\]`)

// unconditional reports prose emitted whatever the conversation holds.
func (f *templateScan) unconditional(s string) {
	words := strings.Fields(specialToken.ReplaceAllString(s, " "))
	if len(words) >= 8 {
		f.add("text emitted unconditionally, outside any condition: %q", clipTemplate(strings.Join(words, " ")))
	}
}

// identifier matches a name in template code with what precedes it.
var identifier = regexp.MustCompile(`([.|]?\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*\()?`)

// code checks the code of a tag (string literals removed).
func (f *templateScan) code(code string) {
	if strings.Contains(code, "__") {
		f.add("access to Python internals (double-underscore names): %s", clipTemplate(code))
	}
	prevWord := ""
	for _, m := range identifier.FindAllStringSubmatch(code, -1) {
		prefix, name, call := strings.TrimSpace(m[1]), m[2], m[3] != ""
		switch {
		case prefix == "|":
			if name == "attr" {
				f.add("attribute lookup by name with the attr filter: %s", clipTemplate(code))
			}
		case prefix == ".":
			if call && !templateMethods[name] {
				f.add("calls method %q, not a string, list or mapping helper", name)
			}
		case templateDanger[name]:
			f.add("reference to %q, outside what a chat template needs", name)
		case templateKeywords[name]:
		case call && prevWord != "is" && prevWord != "not" && prevWord != "macro":
			f.calls = append(f.calls, name)
		}
		prevWord = name
	}
}

// clipTemplate shortens a piece of template for a reason.
func clipTemplate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		cut := 80
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return s[:cut] + "…"
	}
	return s
}
