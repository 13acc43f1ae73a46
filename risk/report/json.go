// Package report renders risk reports. The canonical form is JSON
// ([WriteJSON], read back by [Decode]); the other formats render from a
// [risk.Report], so a saved JSON report can be rendered again later in any
// format.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
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

// MaxReportSize bounds the bytes of one report [Decode] reads (the
// batch state stores reports up to the same size).
const MaxReportSize = 256 << 20

// Decode reads every JSON report in r: one indented document or JSON Lines.
// It fails on a report whose schema_version is not risk.SchemaVersion, and
// on one larger than MaxReportSize.
func Decode(r io.Reader) ([]*risk.Report, error) {
	return decode(r, MaxReportSize)
}

func decode(r io.Reader, max int64) ([]*risk.Report, error) {
	br := &boundedReader{r: r, max: max}
	dec := json.NewDecoder(br)
	var out []*risk.Report
	for n := 1; ; n++ {
		var rep risk.Report
		br.n = 0
		err := dec.Decode(&rep)
		if err == io.EOF {
			return out, nil
		}
		if br.over {
			return out, fmt.Errorf("report: report %d is larger than %d bytes; is this a Pedigree report?", n, max)
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

// boundedReader fails once more than max bytes were read since n was
// last set to 0. The decoder reads ahead by at most one buffer, so the
// bound holds per report up to that slack.
type boundedReader struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.max {
		b.over = true
		return 0, errors.New("report too large")
	}
	if rest := b.max - b.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	k, err := b.r.Read(p)
	b.n += int64(k)
	return k, err
}
