package scorecard

import (
	"strings"
)

// reservedOwners are first path segments of github.com URLs that are
// GitHub's own pages, not accounts.
var reservedOwners = map[string]bool{
	"about": true, "apps": true, "codespaces": true, "collections": true, "contact": true,
	"customer-stories": true, "enterprise": true, "events": true, "explore": true,
	"features": true, "join": true, "login": true, "marketplace": true, "new": true,
	"notifications": true, "orgs": true, "organizations": true, "pricing": true,
	"pulls": true, "issues": true, "readme": true, "search": true, "security": true,
	"settings": true, "site": true, "sponsors": true, "team": true, "topics": true,
	"trending": true, "users": true,
}

// RepoLinks returns the GitHub repositories that the text of a model card,
// dataset card or configuration file links to, as lower-case
// "github.com/OWNER/REPO" ids, each once.
//
// It reads links anywhere in the text (https://github.com/OWNER/REPO/...,
// www.github.com/..., bare github.com/OWNER/REPO, git@github.com:OWNER/REPO.git)
// and metadata lines "repo: URL" and "github: OWNER/REPO" (YAML or JSON
// style, quoted or not). Values of those metadata keys come first, in the
// order they appear, then the other links in the order they appear. Links
// to GitHub's own pages (github.com/orgs/..., /topics/, ...), to other
// hosts (gist.github.com, api.github.com) and to accounts without a
// repository are ignored, as are repository names [sources.ParseRef]
// refuses (those starting with '.', such as .github). The result is nil
// when there is none.
func RepoLinks(cardBody string) []string {
	var declared, linked []string
	for line := range strings.Lines(cardBody) {
		declared = append(declared, metadataRepos(line)...)
	}
	linked = scanLinks(cardBody)
	var out []string
	seen := map[string]bool{}
	for _, id := range append(declared, linked...) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// metadataRepos reads a "repo:" or "github:" metadata line.
func metadataRepos(line string) []string {
	s := strings.TrimLeft(line, " \t-{,")
	s = strings.TrimLeft(s, `"'`)
	var key string
	for _, k := range []string{"github", "repo"} {
		if len(s) > len(k) && strings.EqualFold(s[:len(k)], k) {
			key, s = k, s[len(k):]
			break
		}
	}
	if key == "" {
		return nil
	}
	s = strings.TrimLeft(s, `"'`)
	s = strings.TrimLeft(s, " \t")
	if !strings.HasPrefix(s, ":") {
		return nil
	}
	value := metadataValue(s[1:])
	if value == "" {
		return nil
	}
	if ids := scanLinks(value); len(ids) > 0 {
		return ids[:1]
	}
	if key != "github" {
		// A bare OWNER/NAME under "repo" may well be a Hub id.
		return nil
	}
	owner, repo, ok := strings.Cut(value, "/")
	if !ok || strings.Contains(repo, "/") {
		return nil
	}
	if id, ok := repoID(owner, repo); ok {
		return []string{id}
	}
	return nil
}

// metadataValue returns the value after a metadata key's colon: the text
// inside quotes when quoted, else up to the first space, ',', '}' or '#'.
func metadataValue(s string) string {
	s = strings.TrimLeft(s, " \t")
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		v, _, _ := strings.Cut(s[1:], s[:1])
		return strings.TrimSpace(v)
	}
	end := strings.IndexAny(s, " \t\r\n,}#")
	if end >= 0 {
		s = s[:end]
	}
	return s
}

// scanLinks returns the github.com/OWNER/REPO ids linked in text, in order
// of appearance, duplicates included.
func scanLinks(text string) []string {
	const host = "github.com"
	var out []string
	for i := 0; i+len(host) < len(text); i++ {
		if !asciiEqualFold(text[i:i+len(host)], host) {
			continue
		}
		start := i
		if start >= 4 && asciiEqualFold(text[start-4:start], "www.") {
			start -= 4
		}
		if start > 0 && isHostByte(text[start-1]) {
			continue // notgithub.com, gist.github.com, api.github.com
		}
		j := i + len(host)
		switch {
		case text[j] == '/':
		case text[j] == ':' && start > 0 && text[start-1] == '@':
		default:
			continue
		}
		j++
		owner, n := span(text[j:], isOwnerByte)
		j += n
		if owner == "" || j >= len(text) || text[j] != '/' {
			continue
		}
		j++
		repo, n := span(text[j:], isRepoByte)
		if id, ok := repoID(owner, repo); ok {
			out = append(out, id)
		}
		i = j + n - 1
	}
	return out
}

// repoID validates owner and repo (trimming a ".git" suffix and trailing
// dots) and returns the lower-case id.
func repoID(owner, repo string) (string, bool) {
	repo = strings.TrimRight(repo, ".")
	repo = strings.TrimSuffix(repo, ".git")
	repo = strings.TrimRight(repo, ".")
	if !validOwner(owner) || !validRepo(repo) || reservedOwners[strings.ToLower(owner)] {
		return "", false
	}
	return "github.com/" + strings.ToLower(owner) + "/" + strings.ToLower(repo), true
}

// validOwner reports whether s is a possible GitHub account name: 1 to 39
// letters, digits and hyphens, not starting with a hyphen.
func validOwner(s string) bool {
	if s == "" || len(s) > 39 || s[0] == '-' {
		return false
	}
	for i := range len(s) {
		if !isOwnerByte(s[i]) {
			return false
		}
	}
	return true
}

// validRepo reports whether s is a repository name that
// [sources.ParseRef] accepts: 1 to 96 letters, digits, '.', '-' and '_',
// starting with a letter or digit.
func validRepo(s string) bool {
	if s == "" || len(s) > 96 || !isAlnum(s[0]) {
		return false
	}
	for i := range len(s) {
		if !isRepoByte(s[i]) {
			return false
		}
	}
	return true
}

// span returns the longest prefix of s whose bytes satisfy ok, and its length.
func span(s string, ok func(byte) bool) (string, int) {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return s[:n], n
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isOwnerByte(c byte) bool { return isAlnum(c) || c == '-' }

func isRepoByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func isHostByte(c byte) bool { return isAlnum(c) || c == '-' || c == '.' || c == '_' }

// asciiEqualFold compares s and an ASCII lower-case t, ignoring ASCII case.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
