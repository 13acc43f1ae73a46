package knowledge

import (
	"context"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// Name is the name of the source in origins and statuses.
const Name = "knowledge"

// EmptyLocator is the Locator of the evidence of a source built on a nil
// or empty catalog that was not read from a file.
const EmptyLocator = "empty:publishers"

// Source emits publisher facts for Hugging Face subjects: who the owner of
// OWNER/NAME is, and whether NAME follows the naming of another known
// publisher's models. It reads no network and no files: everything comes
// from its [Catalog]. It is safe for concurrent use.
//
// For a model or dataset OWNER/NAME, Collect emits, in this order:
//
//   - [sources.KindPublisher] with Value OWNER as written in the subject.
//     For a listed owner, Attrs declared_in (knowledge), name, country
//     (absent when the catalog gives none), type and source; for an owner
//     the catalog does not list, Attrs declared_in (knowledge) and type
//     (unlisted).
//   - for a model only, [sources.KindNameMatch] when NAME matches the models
//     pattern of a publisher OWNER is not an account of (see
//     [Catalog.MatchModel]): Value that publisher's first account, Attrs
//     pattern, name and country.
//
// A bare NAME (one of the Hub's owner-less legacy models) has no owner: the
// observation is empty. Evidence origins name the entry's Locator and
// Digest, or for an unlisted owner those of the catalog.
type Source struct {
	cat *Catalog
	now func() time.Time
}

// Option configures a [Source].
type Option func(*Source)

// WithClock sets the clock stamping evidence origins; nil means time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Source) {
		if now != nil {
			s.now = now
		}
	}
}

// New returns a source serving the facts of catalog c, usually
// [Default], possibly merged with a user's file. A nil c is an empty
// catalog: every owner is reported unlisted.
func New(c *Catalog, opts ...Option) *Source {
	s := &Source{cat: c, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name returns "knowledge".
func (s *Source) Name() string { return Name }

// Supplementary implements [sources.Supplementary]: the catalog's facts
// about an owner do not make a subject read.
func (s *Source) Supplementary() bool { return true }

// Supports reports whether subj is a Hugging Face model or dataset with a
// well-formed id. It does no I/O.
func (s *Source) Supports(subj sources.Subject) bool {
	if subj.Kind != sources.SubjectModel && subj.Kind != sources.SubjectDataset {
		return false
	}
	id, ok := subj.HubID()
	return ok && sources.ValidHubID(id)
}

// Collect returns the publisher facts of subj's owner. It fails only for a
// cancelled context (returned as is) or a subject Supports refuses
// (wrapping [sources.ErrUnsupported]).
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.Supports(subj) {
		return nil, sources.Errorf(Name, subj, "look up publisher", sources.ErrUnsupported)
	}
	obs := &sources.Observation{Subject: subj}
	id, _ := subj.HubID()
	owner, name, ok := strings.Cut(id, "/")
	if !ok {
		return obs, nil
	}
	now := s.now()
	subjectID := subj.ID()

	if p, listed := s.cat.Lookup(owner); listed {
		attrs := sources.Attrs("declared_in", "knowledge", "name", p.Name, "country", p.Country, "type", p.Type, "source", p.Source)
		origin := sources.Origin{Source: Name, Locator: p.Locator, Digest: p.Digest, RetrievedAt: now}
		obs.Evidence = append(obs.Evidence, sources.NewEvidence(subjectID, sources.KindPublisher, owner, attrs, origin))
	} else {
		locator, digest := s.cat.Locator(), s.cat.Digest()
		if locator == "" {
			locator = EmptyLocator
		}
		attrs := sources.Attrs("declared_in", "knowledge", "type", "unlisted")
		origin := sources.Origin{Source: Name, Locator: locator, Digest: digest, RetrievedAt: now}
		obs.Evidence = append(obs.Evidence, sources.NewEvidence(subjectID, sources.KindPublisher, owner, attrs, origin))
	}

	if subj.Kind != sources.SubjectModel {
		return obs, nil
	}
	if p, pattern, matched := s.cat.MatchModel(name); matched && !p.HasAccount(owner) {
		attrs := sources.Attrs("pattern", pattern, "name", p.Name, "country", p.Country)
		origin := sources.Origin{Source: Name, Locator: p.Locator, Digest: p.Digest, RetrievedAt: now}
		obs.Evidence = append(obs.Evidence, sources.NewEvidence(subjectID, sources.KindNameMatch, p.Accounts[0], attrs, origin))
	}
	return obs, nil
}
