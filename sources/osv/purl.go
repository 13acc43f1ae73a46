package osv

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/pedigree-ai/pedigree/sources"
)

// ecosystems maps PURL types to OSV ecosystems and back.
var purlToEcosystem = map[string]string{
	"pypi":     "PyPI",
	"npm":      "npm",
	"golang":   "Go",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"maven":    "Maven",
	"composer": "Packagist",
	"nuget":    "NuGet",
	"pub":      "Pub",
	"hex":      "Hex",
	"cran":     "CRAN",
	"hackage":  "Hackage",
}

// ecosystemToPURL returns the PURL type of an OSV ecosystem ("PyPI" or
// "Debian:12": the part before ':' counts), or "" when it has none here.
func ecosystemToPURL(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	for t, e := range purlToEcosystem {
		if strings.EqualFold(e, base) {
			return t
		}
	}
	return ""
}

// pkgRef is one package version in OSV's terms.
type pkgRef struct {
	Ecosystem string // OSV ecosystem: PyPI, npm, Go, ...
	Name      string // OSV package name: "requests", "@types/node", "org.x:y"
	Version   string
}

// pep503 matches the runs PyPI name normalisation folds to "-".
var pep503 = regexp.MustCompile(`[-_.]+`)

// normalizeName returns name as OSV and osv-scanner spell it in eco.
func normalizeName(eco, name string) string {
	if eco == "PyPI" {
		return pep503.ReplaceAllString(strings.ToLower(name), "-")
	}
	return name
}

// parsePackage reads a package subject: its PURL names the package, its
// Revision (or, failing that, the PURL's version) the version.
func parsePackage(subj sources.Subject) (pkgRef, error) {
	if subj.PURL == "" {
		return pkgRef{}, fmt.Errorf("%w: package subject %q has no PURL", sources.ErrUnsupported, subj.Ref)
	}
	p, err := packageurl.FromString(subj.PURL)
	if err != nil {
		return pkgRef{}, fmt.Errorf("%w: package URL %q: %v", sources.ErrUnsupported, subj.PURL, err)
	}
	eco, ok := purlToEcosystem[p.Type]
	if !ok {
		return pkgRef{}, fmt.Errorf("%w: package type %q of %q has no OSV ecosystem here; supported types are pypi, npm, golang, cargo, gem, maven, composer, nuget, pub, hex, cran and hackage", sources.ErrUnsupported, p.Type, subj.PURL)
	}
	version := subj.Revision
	if version == "" {
		version = p.Version
	}
	if version == "" {
		return pkgRef{}, fmt.Errorf("%w: package %q has no version; give one as pkg:%s/...@VERSION", sources.ErrUnsupported, subj.PURL, p.Type)
	}
	if p.Name == "" {
		return pkgRef{}, errors.New("package URL has no name")
	}
	var name string
	switch p.Type {
	case "maven":
		if p.Namespace == "" {
			return pkgRef{}, fmt.Errorf("%w: maven package %q has no group id", sources.ErrUnsupported, subj.PURL)
		}
		name = p.Namespace + ":" + p.Name
	case "npm", "golang", "composer":
		name = p.Name
		if p.Namespace != "" {
			name = p.Namespace + "/" + p.Name
		}
	default:
		name = p.Name
	}
	return pkgRef{Ecosystem: eco, Name: normalizeName(eco, name), Version: version}, nil
}

// purl returns the package's PURL without and with its version. ok is false
// when its ecosystem has no PURL type here.
func (r pkgRef) purl() (base, full string, ok bool) {
	t := ecosystemToPURL(r.Ecosystem)
	if t == "" || r.Name == "" {
		return "", "", false
	}
	var ns, name string
	switch t {
	case "maven":
		ns, name, _ = strings.Cut(r.Name, ":")
		if name == "" {
			return "", "", false
		}
	case "npm", "golang", "composer":
		if i := strings.LastIndex(r.Name, "/"); i >= 0 {
			ns, name = r.Name[:i], r.Name[i+1:]
		} else {
			name = r.Name
		}
	case "pypi":
		name = normalizeName("PyPI", r.Name)
	default:
		name = r.Name
	}
	p := packageurl.NewPackageURL(t, ns, name, "", nil, "")
	base = p.ToString()
	if r.Version == "" {
		return base, base, true
	}
	p.Version = r.Version
	return base, p.ToString(), true
}
