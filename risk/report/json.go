// Package report renders risk reports. The canonical form is JSON
// ([WriteJSON], read back by [Decode]); the other formats render from a
// [risk.Report], so a saved JSON report can be rendered again later in any
// format.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pedigree-ai/pedigree/risk"
)

// WriteJSON writes r as one indented JSON document followed by a newline.
func WriteJSON(w io.Writer, r *risk.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode json: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// WriteJSONLine writes r as one compact line of JSON (JSON Lines).
func WriteJSONLine(w io.Writer, r *risk.Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("report: encode json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Decode reads every JSON report in r: one indented document or JSON Lines.
// It fails on a report whose schema_version is not risk.SchemaVersion.
func Decode(r io.Reader) ([]*risk.Report, error) {
	dec := json.NewDecoder(r)
	var out []*risk.Report
	for n := 1; ; n++ {
		var rep risk.Report
		err := dec.Decode(&rep)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("report: decode report %d: %w", n, err)
		}
		if rep.SchemaVersion != risk.SchemaVersion {
			return out, fmt.Errorf("report: report %d has schema_version %q; this version of pedigree reads %q", n, rep.SchemaVersion, risk.SchemaVersion)
		}
		out = append(out, &rep)
	}
}
