package modelcard

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYAML parses text into a document node and returns its top-level
// mapping, or nil when the document is empty. file and firstLine place
// errors in the file the text was taken from. A panic of the parser is
// turned into an error: nothing about untrusted bytes may crash a caller.
func parseYAML(file string, firstLine int, text []byte) (m *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, &SyntaxError{File: file, Line: firstLine, Msg: fmt.Sprintf("yaml: parser failed: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, yamlError(file, firstLine, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := resolve(doc.Content[0])
	switch {
	case root == nil:
		return nil, nil
	case root.Kind == yaml.ScalarNode && root.Tag == "!!null":
		return nil, nil
	case root.Kind != yaml.MappingNode:
		return nil, &SyntaxError{File: file, Line: firstLine + root.Line - 1,
			Msg: fmt.Sprintf("yaml: metadata is a %s, want a mapping of fields such as \"license: mit\"", kindName(root))}
	}
	return root, nil
}

// kindName names the kind of n for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.MappingNode:
		return "mapping"
	}
	return "document"
}

// resolve follows an alias to the node it names, once: aliases of aliases
// do not occur in parsed YAML.
func resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// fields calls fn for each key and value of mapping m, in document order.
// Keys that are not scalars are skipped.
func fields(m *yaml.Node, fn func(key string, v *yaml.Node)) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := resolve(m.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		fn(k.Value, resolve(m.Content[i+1]))
	}
}

// lookup returns the value of key in mapping m (the last one when the key
// is repeated), or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	var out *yaml.Node
	fields(m, func(k string, v *yaml.Node) {
		if k == key {
			out = v
		}
	})
	return out
}

// scalar returns the text of a scalar node, trimmed, and "" for null, a
// list, a mapping or a missing node. Numbers and booleans give their text.
func scalar(n *yaml.Node) string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// strs returns the non-empty scalar texts of a scalar or a list of
// scalars, in order and without duplicates. Nested lists and mappings are
// skipped.
func strs(n *yaml.Node) []string {
	n = resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if s := scalar(n); s != "" {
			return []string{s}
		}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if s := scalar(c); s != "" {
				out = append(out, s)
			}
		}
		return dedupe(out)
	}
	return nil
}

// dedupe removes repeated strings from ss in place, keeping the first of
// each.
func dedupe(ss []string) []string {
	if len(ss) < 2 {
		return ss
	}
	seen := make(map[string]bool, len(ss))
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
