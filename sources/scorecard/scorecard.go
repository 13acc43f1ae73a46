package scorecard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
)

// Name is the source's name in origins and statuses.
const Name = "scorecard"

// DefaultEndpoint is the public Scorecard REST API.
const DefaultEndpoint = "https://api.securityscorecards.dev"

// AggregateCheck is the Attrs["check"] value of the aggregate score.
const AggregateCheck = "aggregate"

// maxReason is the longest reason kept in an evidence attribute, in runes.
const maxReason = 300

// Options configure a Source.
type Options struct {
	// Client issues the requests. Nil means a client with the defaults of
	// [httpclient.New] (no cache).
	Client *httpclient.Client
	// Endpoint is the base URL of the Scorecard API [DefaultEndpoint].
	Endpoint string
	// Clock tells the time evidence is read [time.Now].
	Clock func() time.Time
}

// Source reads published Scorecard results. It is safe for concurrent use.
type Source struct {
	client   *httpclient.Client
	initErr  error
	endpoint string
	clock    func() time.Time
}

var _ sources.Source = (*Source)(nil)

// New returns a Source. A bad Endpoint, or a failure to build the default
// client, is reported by every Collect.
func New(o Options) *Source {
	s := &Source{client: o.Client, clock: o.Clock, endpoint: strings.TrimRight(o.Endpoint, "/")}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.endpoint == "" {
		s.endpoint = DefaultEndpoint
	}
	if u, err := url.Parse(s.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s.initErr = fmt.Errorf("scorecard endpoint %q is not an http(s) URL; set it like %s", o.Endpoint, DefaultEndpoint)
		return s
	}
	if s.client == nil {
		c, err := httpclient.New(httpclient.Options{})
		if err != nil {
			s.initErr = fmt.Errorf("scorecard: building the HTTP client: %w", err)
			return s
		}
		s.client = c
	}
	return s
}

// Name implements sources.Source.
func (s *Source) Name() string { return Name }

// Supports implements sources.Source: it accepts code repositories on
// GitHub (kind repository, PURL pkg:github/OWNER/REPO).
func (s *Source) Supports(subj sources.Subject) bool {
	_, _, ok := githubRepo(subj)
	return ok
}

// githubRepo returns the owner and name of a GitHub repository subject.
func githubRepo(subj sources.Subject) (owner, repo string, ok bool) {
	const prefix = "pkg:github/"
	if subj.Kind != sources.SubjectRepository || !strings.HasPrefix(subj.PURL, prefix) {
		return "", "", false
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(subj.PURL, prefix), "?")
	owner, repo, found := strings.Cut(p, "/")
	if !found || !validOwner(owner) || !validRepo(repo) {
		return "", "", false
	}
	return owner, repo, true
}

// URL returns the API URL the source reads for github.com/owner/repo, with
// the commit query when commit is a full commit SHA.
func (s *Source) URL(owner, repo, commit string) string {
	u := s.endpoint + "/projects/github.com/" + url.PathEscape(owner) + "/" + url.PathEscape(repo)
	if isCommit(commit) {
		u += "?commit=" + commit
	}
	return u
}

// isCommit reports whether rev is a full, hexadecimal Git commit SHA.
func isCommit(rev string) bool {
	if len(rev) != 40 {
		return false
	}
	for i := range len(rev) {
		c := rev[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Collect implements sources.Source. It reads the latest published result
// of the repository, or the result for its revision when the subject's
// Revision is a full commit SHA. The observation holds the aggregate
// evidence first, then one evidence per check in check-name order, and no
// edges.
//
// A repository without a published result fails with an error wrapping
// sources.ErrNotFound; an answer that is not a Scorecard result fails with
// sources.ErrMalformed. A result whose individual checks are unusable is
// returned with the usable part and an error wrapping sources.ErrMalformed.
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	owner, repo, ok := githubRepo(subj)
	if !ok {
		return nil, sources.Errorf(Name, subj, "collect", fmt.Errorf("%w: the scorecard source reads GitHub repositories (pkg:github/OWNER/REPO), not %s", sources.ErrUnsupported, subj))
	}
	if s.initErr != nil {
		return nil, sources.Errorf(Name, subj, "collect", s.initErr)
	}
	rawURL := s.URL(owner, repo, subj.Revision)
	op := "get " + rawURL
	resp, err := s.client.Get(ctx, rawURL)
	if err != nil {
		return nil, sources.Errorf(Name, subj, op, classifyTransport(err))
	}
	if err := statusError(resp, owner, repo); err != nil {
		return nil, sources.Errorf(Name, subj, op, err)
	}
	res, err := Parse(resp.Body)
	if err != nil {
		return nil, sources.Errorf(Name, subj, op, fmt.Errorf("%w: %s: %v", sources.ErrMalformed, rawURL, err))
	}
	origin := sources.Origin{Source: Name, Locator: rawURL, Digest: sources.Digest(resp.Body), RetrievedAt: s.clock()}
	obs, problems := Observe(subj, res, origin)
	if len(problems) > 0 {
		return obs, sources.Errorf(Name, subj, op, fmt.Errorf("%w: %s: %s", sources.ErrMalformed, rawURL, strings.Join(problems, "; ")))
	}
	return obs, nil
}

// classifyTransport maps an error of httpclient.Get to a classified error.
func classifyTransport(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, httpclient.ErrRateLimited):
		return fmt.Errorf("%w: %v; try again later", sources.ErrRateLimited, err)
	case errors.Is(err, httpclient.ErrTooLarge), errors.Is(err, httpclient.ErrRedirect):
		return fmt.Errorf("%w: %v", sources.ErrMalformed, err)
	case errors.Is(err, httpclient.ErrTimeout), errors.Is(err, httpclient.ErrTransport):
		return fmt.Errorf("%w: %v; try again later", sources.ErrUnavailable, err)
	}
	return err
}

// statusError maps an API answer that is not a success to a classified
// error, or returns nil for a 2xx.
func statusError(resp *httpclient.Response, owner, repo string) error {
	if resp.Status >= 200 && resp.Status < 300 {
		return nil
	}
	what := fmt.Sprintf("HTTP %d from %s", resp.Status, resp.URL)
	if msg := apiMessage(resp.Body); msg != "" {
		what += " (" + msg + ")"
	}
	switch {
	case resp.Status == http.StatusNotFound || resp.Status == http.StatusGone:
		return fmt.Errorf("%w: %s: no published Scorecard result for github.com/%s/%s: run scorecard yourself (https://github.com/ossf/scorecard) or ask its maintainers to publish results with the scorecard action",
			sources.ErrNotFound, what, owner, repo)
	case resp.Status == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s; try again later", sources.ErrRateLimited, what)
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return fmt.Errorf("%w: %s; the Scorecard API refused the request", sources.ErrUnauthorized, what)
	case resp.Status >= 500:
		return fmt.Errorf("%w: %s: the Scorecard API failed; try again later", sources.ErrUnavailable, what)
	}
	return errors.New(what)
}

// apiMessage returns the message of an API error body ({"code", "message"}),
// clipped, or "" when the body is not one.
func apiMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if len(body) == 0 || jsonUnmarshal(body, &e) != nil {
		return ""
	}
	return clip(oneLine(e.Message), 200)
}

// Observe turns a decoded result into evidence about subj read at origin.
// It returns the observation and, for every check it had to leave out or
// field it could not read, a problem saying why; the aggregate evidence is
// always present.
func Observe(subj sources.Subject, res *Result, origin sources.Origin) (*sources.Observation, []string) {
	id := subj.ID()
	var problems []string
	date, err := normalizeDate(res.Date)
	if err != nil {
		problems = append(problems, err.Error())
	}
	agg := sources.NewEvidence(id, sources.KindScorecard, formatAggregate(res.Score), sources.Attrs(
		"check", AggregateCheck,
		"date", date,
		"commit", res.Repo.Commit,
		"repo", res.Repo.Name,
		"scorecard_version", res.Scorecard.Version,
	), origin)
	obs := &sources.Observation{Subject: subj, Evidence: []sources.Evidence{agg}}
	seen := map[string]bool{agg.ID: true}
	for i, c := range res.SortedChecks() {
		if c.Name == "" {
			problems = append(problems, fmt.Sprintf("checks: a check has no name (position %d in name order); it is left out", i))
			continue
		}
		if c.Score < -1 || c.Score > 10 {
			problems = append(problems, fmt.Sprintf("check %q: score %d is outside -1..10; it is left out", c.Name, c.Score))
			continue
		}
		ev := sources.NewEvidence(id, sources.KindScorecard, strconv.Itoa(c.Score), sources.Attrs(
			"check", c.Name,
			"reason", clip(oneLine(c.Reason), maxReason),
			"documentation", c.Documentation.URL,
		), origin)
		if seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		obs.Evidence = append(obs.Evidence, ev)
	}
	return obs, problems
}

// formatAggregate writes the aggregate score as the API does: one decimal,
// or "-1" for an inconclusive result.
func formatAggregate(score float64) string {
	if score < 0 {
		return "-1"
	}
	return strconv.FormatFloat(score, 'f', 1, 64)
}

// normalizeDate returns a result date as RFC 3339 in UTC, or as YYYY-MM-DD
// for the date-only form of old results.
func normalizeDate(d string) (string, error) {
	if d == "" {
		return "", errors.New(`field "date" is missing`)
	}
	if t, err := time.Parse(time.RFC3339, d); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	if _, err := time.Parse(time.DateOnly, d); err == nil {
		return d, nil
	}
	return "", fmt.Errorf(`field "date" = %q is neither RFC 3339 nor YYYY-MM-DD`, clip(d, 64))
}

// oneLine replaces line breaks, tabs and other control characters by
// spaces and trims the result.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// clip shortens s to at most n runes, ending a shortened string with "...".
func clip(s string, n int) string {
	if n < 4 {
		n = 4
	}
	count := 0
	for i := range s {
		if count == n-3 {
			if len([]rune(s[i:])) <= 3 {
				return s
			}
			return s[:i] + "..."
		}
		count++
	}
	return s
}
