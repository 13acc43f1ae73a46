package knowledge

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// update makes TestPublishersDocFresh rewrite docs/publishers.md instead of
// comparing with it: go test ./sources/knowledge -run TestPublishersDocFresh -update.
var update = flag.Bool("update", false, "rewrite generated files instead of comparing with them")

const (
	docFile    = "../../docs/publishers.md"
	tableStart = "<!-- BEGIN GENERATED TABLE: go test ./sources/knowledge -run TestPublishersDocFresh -update -->"
	tableEnd   = "<!-- END GENERATED TABLE -->"
)

// writeTable renders the entries of c as the Markdown table of
// docs/publishers.md, in catalog order.
func writeTable(w io.Writer, c *Catalog) {
	cell := func(s string) string {
		if s == "" {
			return "-"
		}
		return strings.ReplaceAll(s, "|", `\|`)
	}
	fmt.Fprintf(w, "| account(s) | name | country | type |\n|---|---|---|---|\n")
	for _, p := range c.Publishers() {
		accounts := make([]string, len(p.Accounts))
		for i, a := range p.Accounts {
			accounts[i] = "`" + a + "`"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", strings.Join(accounts, ", "), cell(p.Name), cell(p.Country), p.Type)
	}
	fmt.Fprintf(w, "\n%d entries.\n", len(c.Publishers()))
}

func TestPublishersDocFresh(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatalf("read %s: %v", docFile, err)
	}
	before, rest, ok1 := bytes.Cut(doc, []byte(tableStart))
	_, after, ok2 := bytes.Cut(rest, []byte(tableEnd))
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q around the table", docFile, tableStart, tableEnd)
	}
	var table bytes.Buffer
	writeTable(&table, defaultCatalog(t))
	var want bytes.Buffer
	want.Write(before)
	want.WriteString(tableStart + "\n\n")
	want.Write(table.Bytes())
	want.WriteString("\n" + tableEnd)
	want.Write(after)

	if *update {
		if err := os.WriteFile(docFile, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(doc, want.Bytes()) {
		t.Errorf("%s is stale; run go test ./sources/knowledge -run TestPublishersDocFresh -update", docFile)
	}
}
