package scorecard

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pedigree-ai/pedigree/sources"
)

func FuzzParse(f *testing.F) {
	for _, file := range []string{"testdata/ossf-scorecard.json", "testdata/oidc-test-2022.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "{", "null", "[]", `{"score":null,"checks":null}`, `{"score":11}`,
		`{"checks":[{"name":"","score":-7}]}`, `{"date":"2022-13-45","score":1e308}`, "{}\n{}", "<html>"} {
		f.Add([]byte(s))
	}
	subj := sources.Subject{Kind: sources.SubjectRepository, PURL: "pkg:github/o/r"}
	origin := sources.Origin{Source: Name, Locator: "https://example.test/projects/github.com/o/r"}
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := Parse(body)
		if err != nil {
			if res != nil {
				t.Fatal("Parse returned a result and an error")
			}
			return
		}
		if res.Score < -1 || res.Score > 10 {
			t.Fatalf("Parse accepted score %g", res.Score)
		}
		obs, _ := Observe(subj, res, origin)
		if len(obs.Evidence) == 0 || obs.Evidence[0].Attr("check") != AggregateCheck {
			t.Fatal("no aggregate evidence first")
		}
		ids := map[string]bool{}
		for _, e := range obs.Evidence {
			if ids[e.ID] {
				t.Fatalf("duplicate evidence ID %s", e.ID)
			}
			ids[e.ID] = true
			if r := e.Attr("reason"); utf8.RuneCountInString(r) > maxReason {
				t.Fatalf("reason of %d runes", utf8.RuneCountInString(r))
			}
		}
	})
}

func FuzzRepoLinks(f *testing.F) {
	for _, s := range []string{
		"https://github.com/huggingface/transformers", "git@github.com:o/r.git", "github: a/b\nrepo: https://github.com/c/d",
		"www.github.com/x/y.", "github.com/", "github.com:o/r", "ǦITHUB.COM/o/r", "GitHub.com/O/R/..", `{"repo":"github.com/a/b"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := RepoLinks(text)
		again := RepoLinks(text)
		if strings.Join(got, "\n") != strings.Join(again, "\n") {
			t.Fatalf("RepoLinks is not deterministic: %q then %q", got, again)
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("id %q returned twice", id)
			}
			seen[id] = true
			rest, ok := strings.CutPrefix(id, "github.com/")
			owner, repo, ok2 := strings.Cut(rest, "/")
			if !ok || !ok2 || !validOwner(owner) || !validRepo(repo) || id != strings.ToLower(id) {
				t.Fatalf("malformed id %q", id)
			}
			if _, err := sources.ParseRef(id); err != nil {
				t.Fatalf("id %q is not a reference ParseRef accepts: %v", id, err)
			}
		}
	})
}
