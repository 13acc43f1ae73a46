package report

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// chromium returns the path of a Chromium or Chrome binary: the one
// $PEDIGREE_CHROMIUM names, else the first of chromium, chromium-browser
// and google-chrome on PATH; empty when there is none.
func chromium() string {
	if p := os.Getenv("PEDIGREE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs a headless browser on a page with a fresh profile and
// returns what it prints on standard output.
func runChromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}, args...)
	all = append(all, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, all, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestHTMLInBrowser renders a real report in headless Chromium: the
// screenshot shows the graph's severity colours, the page prints to PDF,
// and the browser's DOM holds the SVG with one box per subject. It is
// skipped where no Chromium is installed.
func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH and $PEDIGREE_CHROMIUM unset")
	}
	t.Parallel()
	r := loadReport(t, "labess")
	dir := t.TempDir()
	page := filepath.Join(dir, "labess.html")
	if err := os.WriteFile(page, []byte(renderHTML(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	g := newLineageView(r)

	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "shot.png")
		runChromium(t, bin, page, "--screenshot="+out, "--window-size=1366,2000")
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1366 || b.Dy() != 2000 {
			t.Fatalf("screenshot is %dx%d, want 1366x2000", b.Dx(), b.Dy())
		}
		seen := map[color.RGBA]int{}
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				r, g, bl, _ := img.At(x, y).RGBA()
				seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}]++
			}
		}
		if len(seen) < 20 {
			t.Errorf("the screenshot has %d colours: the page looks blank", len(seen))
		}
		for _, n := range g.nodes {
			_, fill, ok := severityColors(n.worst())
			if !ok {
				continue
			}
			want := hexColor(t, fill)
			if !hasColor(seen, want, 3, 200) {
				t.Errorf("no area of the %s fill %s of %s in the screenshot", n.worst(), fill, n.n.Ref)
			}
		}
	})

	t.Run("print", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "page.pdf")
		runChromium(t, bin, page, "--no-pdf-header-footer", "--print-to-pdf="+out)
		pdf, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10000 {
			t.Errorf("print to PDF gave %d bytes starting %q", len(pdf), pdf[:min(len(pdf), 8)])
		}
		if pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)); pages < 2 {
			t.Errorf("the PDF has %d pages, want several", pages)
		}
	})

	t.Run("dom", func(t *testing.T) {
		t.Parallel()
		dom := runChromium(t, bin, page, "--dump-dom")
		svgs := regexp.MustCompile(`(?s)<svg[^>]*>.*?</svg>`).FindAll(dom, -1)
		if len(svgs) != 1 {
			t.Fatalf("the DOM holds %d <svg> elements, want 1", len(svgs))
		}
		nodes := len(regexp.MustCompile(`<g class="node[ "]`).FindAll(svgs[0], -1))
		if nodes != len(g.nodes) {
			t.Errorf("the DOM's SVG holds %d subject boxes, want %d", nodes, len(g.nodes))
		}
		edges := len(regexp.MustCompile(`<g class="edge[^"]*"><title>`).FindAll(svgs[0], -1))
		if edges != len(r.Lineage.Edges) {
			t.Errorf("the DOM's SVG holds %d edge paths, want %d", edges, len(r.Lineage.Edges))
		}
		if !bytes.Contains(dom, []byte(`id="r1-lineage-table"`)) {
			t.Error("the DOM lacks the lineage table")
		}
	})
}

// hexColor reads a #rrggbb colour.
func hexColor(t *testing.T, s string) color.RGBA {
	t.Helper()
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if len(s) != 7 || err != nil {
		t.Fatalf("bad colour %q", s)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// hasColor reports whether at least minPixels sampled pixels are within
// tol of want on every channel.
func hasColor(seen map[color.RGBA]int, want color.RGBA, tol, minPixels int) bool {
	n := 0
	for c, k := range seen {
		if absDiff(c.R, want.R) <= tol && absDiff(c.G, want.G) <= tol && absDiff(c.B, want.B) <= tol {
			n += k
		}
	}
	return n >= minPixels
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
