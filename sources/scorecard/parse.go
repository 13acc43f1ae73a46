package scorecard

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Result is a published Scorecard result: the ScorecardResult schema of the
// REST API, which is also the shape of "scorecard --format json".
type Result struct {
	// Date is when Scorecard ran: RFC 3339, or YYYY-MM-DD in old results.
	Date string `json:"date"`
	// Repo is the repository scored.
	Repo RepoInfo `json:"repo"`
	// Scorecard is the Scorecard release that ran.
	Scorecard ScorecardInfo `json:"scorecard"`
	// Score is the aggregate score, 0 to 10 (-1 when inconclusive).
	Score float64 `json:"score"`
	// Checks are the individual checks, in the order the API lists them.
	Checks []Check `json:"checks"`
}

// RepoInfo names the repository a result is about.
type RepoInfo struct {
	// Name is the repository as Scorecard names it (github.com/OWNER/REPO).
	Name string `json:"name"`
	// Commit is the commit scored.
	Commit string `json:"commit"`
}

// ScorecardInfo names the Scorecard release that produced a result.
type ScorecardInfo struct {
	// Version is the release (v5.3.0), or "unknown".
	Version string `json:"version"`
	// Commit is the Scorecard commit, or "unknown".
	Commit string `json:"commit"`
}

// Check is the outcome of one Scorecard check.
type Check struct {
	// Name is the check's name (Code-Review, Maintained, ...).
	Name string `json:"name"`
	// Score is 0 to 10, or -1 when the check was inconclusive.
	Score int `json:"score"`
	// Reason says why the check scored as it did.
	Reason string `json:"reason"`
	// Details are Scorecard's log lines ("Warn: ...", "Info: ..."); nil
	// when the result carries none.
	Details []string `json:"details"`
	// Documentation points at the check's documentation.
	Documentation Documentation `json:"documentation"`
}

// Documentation describes a check.
type Documentation struct {
	// Short is a one-sentence description of the check.
	Short string `json:"short"`
	// URL is the check's documentation page.
	URL string `json:"url"`
}

// SortedChecks returns the checks ordered by name (then score and reason),
// so that evidence does not depend on the order the API lists them in.
func (r *Result) SortedChecks() []Check {
	out := slices.Clone(r.Checks)
	slices.SortStableFunc(out, func(a, b Check) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Score, b.Score), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// Parse decodes a Scorecard API result. It fails, naming the line and
// column, when body is not JSON or a field has the wrong type, and when the
// body is a JSON object that is not a Scorecard result (no score and no
// checks).
func Parse(body []byte) (*Result, error) {
	var raw struct {
		Result
		Score  *float64        `json:"score"`
		Checks json.RawMessage `json:"checks"`
	}
	if err := jsonUnmarshal(body, &raw); err != nil {
		return nil, describeJSONError(body, err)
	}
	if raw.Score == nil && raw.Checks == nil {
		return nil, errors.New(`not a Scorecard result: no "score" and no "checks" field`)
	}
	res := raw.Result
	if raw.Score != nil {
		res.Score = *raw.Score
	} else {
		res.Score = -1
	}
	if raw.Checks != nil && !bytes.Equal(bytes.TrimSpace(raw.Checks), []byte("null")) {
		if err := json.Unmarshal(raw.Checks, &res.Checks); err != nil {
			return nil, fmt.Errorf(`field "checks": %w`, describeJSONError(raw.Checks, err))
		}
	}
	if res.Score < -1 || res.Score > 10 {
		return nil, fmt.Errorf(`field "score" = %g is outside 0..10`, res.Score)
	}
	return &res, nil
}

// jsonUnmarshal decodes exactly one JSON value from body into v.
func jsonUnmarshal(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return &trailingError{offset: dec.InputOffset()}
	}
	return nil
}

// trailingError reports data after the JSON value.
type trailingError struct{ offset int64 }

func (e *trailingError) Error() string { return "data after the JSON value" }

// describeJSONError rewrites a decoding error of body with the line and
// column where it happened.
func describeJSONError(body []byte, err error) error {
	var (
		syn   *json.SyntaxError
		typ   *json.UnmarshalTypeError
		trail *trailingError
	)
	switch {
	case errors.As(err, &syn):
		// Offset counts the offending byte itself.
		line, col := position(body, syn.Offset-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := position(body, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %q at line %d, column %d: got a JSON %s, want %s", field, line, col, typ.Value, typ.Type)
	case errors.As(err, &trail):
		line, col := position(body, trail.offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, trail)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(body, int64(len(body)))
		return fmt.Errorf("invalid JSON at line %d, column %d: the body ends early", line, col)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// position returns the 1-based line and column of byte offset off in body.
func position(body []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(body))))
	before := body[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}
