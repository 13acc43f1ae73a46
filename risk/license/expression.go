package license

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
)

// maxExpressionLen bounds the expressions [Expression] parses; longer input
// is rejected rather than parsed.
const maxExpressionLen = 4096

// Expression resolves an SPDX license expression such as "Apache-2.0 OR
// MIT", "(MIT AND CC-BY-4.0)" or "GPL-2.0-or-later WITH
// Classpath-exception-2.0". Operands may be SPDX ids, LicenseRef-
// references, or the Hub ids and aliases [Lookup] knows ("llama3.1").
// Operators are AND, OR and WITH, in upper or lower case; WITH binds
// tighter than AND, and AND tighter than OR.
//
// The result combines the operands:
//   - OR: the licensee may choose, so the result is the least restrictive
//     operand whose class is known (the lowest [Class.Restrictiveness],
//     then the fewest obligations). It is [Unknown] only when no operand is
//     known.
//   - AND: every operand binds, so the result has the most restrictive class
//     and the union of the obligations (the lowest user cap). It is
//     [Unknown] when any operand is.
//   - WITH: the license with its exception. An exception that permits
//     linking or combining (Classpath-exception-2.0, GCC-exception-3.1, ...)
//     turns a copyleft license into weak copyleft; other exceptions leave the
//     class unchanged. Obligations stay those of the license.
//
// The result's ID is the expression normalised by go-spdx (canonical SPDX
// ids, minimal parentheses; table licenses that are not SPDX licenses are
// written LicenseRef-<id>), and its Name joins the operands' names. A single
// license without operators resolves like [Lookup]. Expression returns an
// error naming the problem for a malformed expression (unbalanced
// parentheses, a missing operand, an unknown license or exception); such a
// string stays Unknown for Lookup.
func Expression(expr string) (Info, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Info{}, errors.New("license expression is empty: give an SPDX expression such as \"Apache-2.0 OR MIT\"")
	}
	if len(expr) > maxExpressionLen {
		return Info{}, fmt.Errorf("license expression is %d bytes long, more than the %d accepted", len(expr), maxExpressionLen)
	}
	toks := tokenize(expr)
	p := &parser{toks: toks}
	root, err := p.parseOr()
	if err == nil && p.pos < len(toks) {
		err = fmt.Errorf("unexpected %q at token %d", toks[p.pos], p.pos+1)
	}
	if err != nil {
		return Info{}, fmt.Errorf("license expression %q: %w", expr, err)
	}
	if root.op == "" && root.exception == "" {
		return root.info, nil
	}
	norm, invalid := spdxexp.ValidateAndNormalizeLicensesWithOptions([]string{root.spdx()}, spdxexp.ValidateLicensesOptions{})
	if len(invalid) > 0 || len(norm) != 1 {
		msg := "not a valid SPDX expression"
		if _, err := spdxexp.ExtractLicenses(root.spdx()); err != nil {
			msg = err.Error()
		}
		return Info{}, fmt.Errorf("license expression %q: %s", expr, msg)
	}
	info := root.combine()
	info.ID = norm[0]
	if info.Family == "" {
		info.Family = info.ID
	}
	return info, nil
}

// isExpression reports whether s looks like an SPDX expression of more than
// one license: it has parentheses or an AND, OR or WITH operator.
func isExpression(s string) bool {
	if strings.ContainsAny(s, "()") {
		return true
	}
	for _, t := range strings.Fields(s) {
		switch strings.ToUpper(t) {
		case "AND", "OR", "WITH":
			return true
		}
	}
	return false
}

// tokenize splits an expression into parentheses and words.
func tokenize(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

// node is a parsed expression: an operator over operands, or one license
// with an optional exception.
type node struct {
	op        string // "AND", "OR", or "" for a license
	operands  []*node
	info      Info   // the license, for a leaf
	ref       string // the license as written for go-spdx
	exception string // the canonical SPDX exception id, or ""
}

// parser is a recursive-descent parser of SPDX expressions.
type parser struct {
	toks  []string
	pos   int
	depth int
}

// maxDepth bounds the nesting of parentheses.
const maxDepth = 64

// peekOp returns the next token upper-cased when it is an operator.
func (p *parser) peekOp() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	switch t := strings.ToUpper(p.toks[p.pos]); t {
	case "AND", "OR", "WITH":
		return t
	}
	return ""
}

// parseOr parses operands joined by OR.
func (p *parser) parseOr() (*node, error) {
	return p.parseJoined("OR", p.parseAnd)
}

// parseAnd parses operands joined by AND.
func (p *parser) parseAnd() (*node, error) {
	return p.parseJoined("AND", p.parseAtom)
}

// parseJoined parses operands of next joined by op into one node.
func (p *parser) parseJoined(op string, next func() (*node, error)) (*node, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	n := &node{op: op, operands: []*node{first}}
	for p.peekOp() == op {
		p.pos++
		operand, err := next()
		if err != nil {
			return nil, err
		}
		n.operands = append(n.operands, operand)
	}
	if len(n.operands) == 1 {
		return first, nil
	}
	return n, nil
}

// parseAtom parses a parenthesised expression or a license with an
// optional exception.
func (p *parser) parseAtom() (*node, error) {
	if p.pos >= len(p.toks) {
		return nil, errors.New("expression ends where a license was expected")
	}
	tok := p.toks[p.pos]
	switch {
	case tok == "(":
		if p.depth >= maxDepth {
			return nil, fmt.Errorf("parentheses nested deeper than %d", maxDepth)
		}
		p.pos++
		p.depth++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.depth--
		if p.pos >= len(p.toks) || p.toks[p.pos] != ")" {
			return nil, errors.New("a parenthesis is not closed")
		}
		p.pos++
		return n, nil
	case tok == ")":
		return nil, fmt.Errorf("unexpected \")\" at token %d where a license was expected", p.pos+1)
	case p.peekOp() != "":
		return nil, fmt.Errorf("operator %s at token %d has no license before it", strings.ToUpper(tok), p.pos+1)
	}
	p.pos++
	leaf, err := resolveOperand(tok)
	if err != nil {
		return nil, err
	}
	if p.peekOp() == "WITH" {
		if hasRefPrefix(leaf.ref) {
			return nil, fmt.Errorf("WITH follows %q, but SPDX allows an exception only after an SPDX license id", tok)
		}
		p.pos++
		if p.pos >= len(p.toks) || p.toks[p.pos] == "(" || p.toks[p.pos] == ")" || p.peekOp() != "" {
			return nil, fmt.Errorf("WITH after %q is not followed by an exception id", tok)
		}
		exc := p.toks[p.pos]
		ok, canonical := spdxlicenses.IsException(exc)
		if !ok {
			return nil, fmt.Errorf("unknown SPDX license exception %q after WITH", exc)
		}
		p.pos++
		leaf.exception = canonical
	}
	return leaf, nil
}

// resolveOperand resolves one license of an expression: an SPDX id (with
// the -only, -or-later and + spellings), a LicenseRef- or DocumentRef-
// reference, or a Hub id or alias from the table.
func resolveOperand(tok string) (*node, error) {
	spdxID, isSPDX := spdxBase(tok)
	info := Lookup(tok)
	if !info.Known {
		if e, ok := find(tok); ok {
			info = e.Info
		}
	}
	switch {
	case isSPDX:
		if !info.Known {
			info = Info{ID: strings.ToLower(tok), Name: spdxID, Class: Unknown}
		}
		return &node{info: info, ref: tok}, nil
	case hasRefPrefix(tok):
		if !info.Known {
			info = Info{ID: strings.ToLower(tok), Name: tok, Class: Unknown}
		}
		return &node{info: info, ref: tok}, nil
	case info.Known:
		return &node{info: info, ref: "LicenseRef-" + refID(info.ID)}, nil
	}
	return nil, fmt.Errorf("unknown license %q: use an SPDX id, a LicenseRef- reference or a Hub license id", tok)
}

// hasRefPrefix reports whether tok is an SPDX LicenseRef- or DocumentRef-
// reference.
func hasRefPrefix(tok string) bool {
	l := strings.ToLower(tok)
	return strings.HasPrefix(l, "licenseref-") || strings.HasPrefix(l, "documentref-")
}

// spdxBase reports whether tok is an SPDX license id, allowing the -only,
// -or-later and + spellings, and returns the canonical id it names.
func spdxBase(tok string) (string, bool) {
	candidates := []string{tok}
	for _, suffix := range []string{"+", "-or-later", "-only"} {
		if base, ok := strings.CutSuffix(tok, suffix); ok && base != "" {
			candidates = append(candidates, base)
		}
	}
	for _, c := range candidates {
		if ok, id := spdxlicenses.IsActiveLicense(c); ok {
			return id, true
		}
		if ok, id := spdxlicenses.IsDeprecatedLicense(c); ok {
			return id, true
		}
	}
	return "", false
}

// spdx writes n as an SPDX expression for go-spdx, with every operand
// parenthesised.
func (n *node) spdx() string {
	if n.op == "" {
		if n.exception != "" {
			return n.ref + " WITH " + n.exception
		}
		return n.ref
	}
	parts := make([]string, len(n.operands))
	for i, o := range n.operands {
		parts[i] = o.spdx()
		if o.op != "" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+n.op+" ")
}

// linkingExceptions are the SPDX exceptions (lower case) that let other code
// link with or be combined with a copyleft work without falling under its
// license, turning copyleft into weak copyleft.
var linkingExceptions = map[string]bool{
	"classpath-exception-2.0": true, "gcc-exception-2.0": true, "gcc-exception-3.1": true,
	"linux-syscall-note": true, "bison-exception-2.2": true, "autoconf-exception-2.0": true,
	"autoconf-exception-3.0": true, "font-exception-2.0": true, "libtool-exception": true,
	"universal-foss-exception-1.0": true, "wxwindows-exception-3.1": true, "ecos-exception-2.0": true,
	"lgpl-3.0-linking-exception": true, "gpl-3.0-linking-exception": true,
	"gpl-3.0-linking-source-exception": true, "openjdk-assembly-exception-1.0": true,
	"qt-lgpl-exception-1.1": true, "mif-exception": true, "llvm-exception": true,
}

// combine computes the license of n as [Expression] documents; the caller
// sets the ID.
func (n *node) combine() Info {
	switch n.op {
	case "":
		info := n.info
		if n.exception != "" {
			if info.Class == Copyleft && linkingExceptions[strings.ToLower(n.exception)] {
				info.Class = WeakCopyleft
			}
			name := info.Name
			if name == "" {
				name = info.ID
			}
			info.Name = name + " with " + n.exception
			info.Family = info.Family + "+" + strings.ToLower(n.exception)
		}
		return info
	case "OR":
		return n.combineOr()
	}
	return n.combineAnd()
}

// names joins the names of the operands of n, resolved as ops, with word;
// the names of compound operands are parenthesised.
func (n *node) names(ops []Info, word string) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.Name
		if parts[i] == "" {
			parts[i] = o.ID
		}
		if n.operands[i].op != "" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+word+" ")
}

// combineOr returns the least restrictive known operand.
func (n *node) combineOr() Info {
	ops := make([]Info, len(n.operands))
	for i, o := range n.operands {
		ops[i] = o.combine()
	}
	var best *Info
	for i := range ops {
		o := &ops[i]
		if o.Class.Restrictiveness() < 0 {
			continue
		}
		if best == nil || lessRestrictive(*o, *best) {
			best = o
		}
	}
	name := n.names(ops, "or")
	if best == nil {
		return Info{Name: name, Class: Unknown}
	}
	out := *best
	out.Name = name
	out.Obligations = slices.Clone(best.Obligations)
	return out
}

// lessRestrictive reports whether a is less restrictive than b: a lower
// class, then fewer obligations, then a higher user cap.
func lessRestrictive(a, b Info) bool {
	if ra, rb := a.Class.Restrictiveness(), b.Class.Restrictiveness(); ra != rb {
		return ra < rb
	}
	if len(a.Obligations) != len(b.Obligations) {
		return len(a.Obligations) < len(b.Obligations)
	}
	return a.UserCap > b.UserCap
}

// combineAnd returns the union of the operands' terms.
func (n *node) combineAnd() Info {
	ops := make([]Info, len(n.operands))
	for i, o := range n.operands {
		ops[i] = o.combine()
	}
	out := Info{Name: n.names(ops, "and"), Known: true, Family: ops[0].Family, URL: ops[0].URL}
	var obligations []Obligation
	unknown := false
	for _, o := range ops {
		obligations = append(obligations, o.Obligations...)
		out.Known = out.Known && o.Known
		if o.Class.Restrictiveness() < 0 {
			unknown = true
		} else if o.Class.Restrictiveness() > out.Class.Restrictiveness() {
			out.Class = o.Class
		}
		if o.Family != out.Family {
			out.Family = ""
		}
		if o.URL != out.URL {
			out.URL = ""
		}
		if o.NamingNotice != "" && out.NamingNotice == "" {
			out.NamingNotice = o.NamingNotice
		}
		if o.UserCap > 0 && (out.UserCap == 0 || o.UserCapUnit == out.UserCapUnit && o.UserCap < out.UserCap) {
			out.UserCap, out.UserCapUnit = o.UserCap, o.UserCapUnit
		}
	}
	if unknown {
		out.Class = Unknown
		out.Known = false
	}
	out.Obligations = obligations
	return derive(out)
}
