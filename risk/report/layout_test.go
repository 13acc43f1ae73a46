package report

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// testLayoutConfig is the configuration the HTML report uses, with fixed
// label sizes.
func testLayoutConfig() layoutConfig {
	return layoutConfig{MaxWidth: 1180, NodeGap: 28, RowGap: 40, LayerGap: 76, Margin: 12, MaxRows: 2,
		MoreW: 170, MoreH: 61, LabelW: func(int) float64 { return 60 }, LabelH: 14}
}

func uniformBoxes(n int) []layoutBox {
	boxes := make([]layoutBox, n)
	for i := range boxes {
		boxes[i] = layoutBox{W: 150 + float64(i%4)*30, H: 46 + float64(i%3)*15}
	}
	return boxes
}

// checkLayout fails when two boxes overlap, a box lies outside the
// drawing, or an edge does not start and end on the borders of its boxes.
func checkLayout(t *testing.T, lay *graphLayout) {
	t.Helper()
	const eps = 0.11 // coordinates are rounded to one decimal
	for i, a := range lay.Nodes {
		if a.X < 0 || a.Y < 0 || a.X+a.W > lay.Width+eps || a.Y+a.H > lay.Height+eps {
			t.Errorf("box %d at (%v,%v) size %vx%v lies outside the %vx%v drawing", i, a.X, a.Y, a.W, a.H, lay.Width, lay.Height)
		}
		for j := i + 1; j < len(lay.Nodes); j++ {
			b := lay.Nodes[j]
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("boxes %d (%v,%v %vx%v) and %d (%v,%v %vx%v) overlap", i, a.X, a.Y, a.W, a.H, j, b.X, b.Y, b.W, b.H)
			}
		}
	}
	onBorder := func(p point, n placedNode) bool {
		inX := p.X >= n.X-eps && p.X <= n.X+n.W+eps
		inY := p.Y >= n.Y-eps && p.Y <= n.Y+n.H+eps
		onH := math.Abs(p.Y-n.Y) <= eps || math.Abs(p.Y-(n.Y+n.H)) <= eps
		onV := math.Abs(p.X-n.X) <= eps || math.Abs(p.X-(n.X+n.W)) <= eps
		return (inX && onH) || (inY && onV)
	}
	for i, e := range lay.Edges {
		if !onBorder(e.P[0], lay.Nodes[e.From]) {
			t.Errorf("edge %d (%d->%d, kind %d) starts at %v, not on its box %+v", i, e.From, e.To, e.Kind, e.P[0], lay.Nodes[e.From])
		}
		if !onBorder(e.P[3], lay.Nodes[e.To]) {
			t.Errorf("edge %d (%d->%d, kind %d) ends at %v, not on its box %+v", i, e.From, e.To, e.Kind, e.P[3], lay.Nodes[e.To])
		}
		for _, p := range e.P {
			if p.X < -eps || p.Y < -eps || p.X > lay.Width+eps || p.Y > lay.Height+eps {
				t.Errorf("edge %d has a point %v outside the drawing", i, p)
			}
		}
	}
}

func TestLayoutSampleReports(t *testing.T) {
	t.Parallel()
	for _, name := range sampleReports {
		t.Run(name, func(t *testing.T) {
			r := loadReport(t, name)
			g := newLineageView(r)
			var edges [][2]int
			for _, e := range r.Lineage.Edges {
				edges = append(edges, [2]int{g.index[e.From], g.index[e.To]})
			}
			lay := layoutGraph(uniformBoxes(len(g.nodes)), edges, 0, testLayoutConfig())
			checkLayout(t, lay)
			if len(lay.Nodes) != len(g.nodes) || len(lay.Edges) != len(edges) {
				t.Errorf("%d boxes and %d edges placed, want %d and %d", len(lay.Nodes), len(lay.Edges), len(g.nodes), len(edges))
			}
			for _, e := range lay.Edges {
				if e.Kind != edgeDown {
					t.Errorf("edge %d->%d of an acyclic lineage is routed as kind %d", e.From, e.To, e.Kind)
				}
			}
			// The root is alone on top.
			for i, n := range lay.Nodes {
				if i != lay.Of[0] && n.Y <= lay.Nodes[lay.Of[0]].Y {
					t.Errorf("box %d is not below the root", i)
				}
			}
		})
	}
}

// TestLayoutMergeAndSharedAncestor draws a merge of two fine-tunes of one
// base: the base is one box, below both parents, between them.
func TestLayoutMergeAndSharedAncestor(t *testing.T) {
	t.Parallel()
	edges := [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {1, 4}, {2, 5}}
	lay := layoutGraph(uniformBoxes(6), edges, 0, testLayoutConfig())
	checkLayout(t, lay)
	base, a, b := lay.Nodes[lay.Of[3]], lay.Nodes[lay.Of[1]], lay.Nodes[lay.Of[2]]
	if base.Layer != 2 || a.Layer != 1 || b.Layer != 1 {
		t.Fatalf("layers: base %d, parents %d and %d; want 2, 1, 1", base.Layer, a.Layer, b.Layer)
	}
	mid := base.X + base.W/2
	lo, hi := math.Min(a.X+a.W/2, b.X+b.W/2), math.Max(a.X+a.W/2, b.X+b.W/2)
	if mid < lo-1 || mid > hi+1 {
		t.Errorf("shared base centered at %v, not between its parents (%v, %v)", mid, lo, hi)
	}
}

// layoutCrossings counts the crossings of a layout's edges between
// consecutive layers, by the boxes' left-to-right order.
func layoutCrossings(lay *graphLayout) int {
	byLayer := map[int][]int{}
	for i, n := range lay.Nodes {
		byLayer[n.Layer] = append(byLayer[n.Layer], i)
	}
	var segs [][2]float64
	total := 0
	for l := 0; ; l++ {
		if _, ok := byLayer[l]; !ok {
			break
		}
		segs = segs[:0]
		for _, e := range lay.Edges {
			a, b := lay.Nodes[e.From], lay.Nodes[e.To]
			if a.Layer == l && b.Layer == l+1 {
				segs = append(segs, [2]float64{a.X, b.X})
			}
		}
		total += crossings(segs)
	}
	return total
}

// inputCrossings counts the crossings when every layer keeps input order.
func inputCrossings(n int, edges [][2]int, layerOf []int) int {
	pos := make([]float64, n)
	count := map[int]int{}
	for i := 0; i < n; i++ {
		pos[i] = float64(count[layerOf[i]])
		count[layerOf[i]]++
	}
	groups := map[int][][2]float64{} // by upper layer
	for _, e := range edges {
		if l := layerOf[e[0]]; layerOf[e[1]] == l+1 {
			groups[l] = append(groups[l], [2]float64{pos[e[0]], pos[e[1]]})
		}
	}
	total := 0
	for _, g := range groups {
		total += crossings(g)
	}
	return total
}

func TestLayoutReducesCrossings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       int
		edges   [][2]int
		layerOf []int
		want    int // crossings the layout must reach at most
	}{
		{
			// The input order puts the child of the right parent on the left.
			name: "swapped children", n: 5,
			edges:   [][2]int{{0, 1}, {0, 2}, {1, 4}, {2, 3}},
			layerOf: []int{0, 1, 1, 2, 2}, want: 0,
		},
		{
			// Three parents whose children come in reverse order.
			name: "reversed", n: 7,
			edges:   [][2]int{{0, 1}, {0, 2}, {0, 3}, {1, 6}, {2, 5}, {3, 4}},
			layerOf: []int{0, 1, 1, 1, 2, 2, 2}, want: 0,
		},
		{
			// A merge and interleaved datasets.
			name: "interleaved", n: 9,
			edges:   [][2]int{{0, 1}, {0, 2}, {0, 3}, {1, 8}, {3, 4}, {2, 7}, {1, 6}, {3, 5}, {2, 5}},
			layerOf: []int{0, 1, 1, 1, 2, 2, 2, 2, 2}, want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := inputCrossings(tt.n, tt.edges, tt.layerOf)
			lay := layoutGraph(uniformBoxes(tt.n), tt.edges, 0, testLayoutConfig())
			checkLayout(t, lay)
			got := layoutCrossings(lay)
			if got > in {
				t.Errorf("layout has %d crossings, more than the input order's %d", got, in)
			}
			if got > tt.want {
				t.Errorf("layout has %d crossings, want at most %d (input order has %d)", got, tt.want, in)
			}
		})
	}
}

func TestLayoutCyclesAndSelfLoops(t *testing.T) {
	t.Parallel()
	// 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 2 (a loop), 1 -> 1, and a link
	// between siblings 3 and 4.
	edges := [][2]int{{0, 1}, {1, 2}, {2, 0}, {2, 2}, {1, 1}, {0, 3}, {0, 4}, {3, 4}, {9, 1}, {-1, 2}}
	lay := layoutGraph(uniformBoxes(5), edges, 0, testLayoutConfig())
	checkLayout(t, lay)
	kinds := map[edgeKind]int{}
	for _, e := range lay.Edges {
		kinds[e.Kind]++
	}
	if kinds[edgeBack] != 1 || kinds[edgeSelf] != 2 || kinds[edgeSide] != 1 || len(lay.Edges) != 8 {
		t.Errorf("edge kinds %v of %d edges; want 1 back, 2 self, 1 side of 8 (edges out of range ignored)", kinds, len(lay.Edges))
	}
	// A graph that is only a cycle, with the root inside it.
	lay = layoutGraph(uniformBoxes(3), [][2]int{{1, 2}, {2, 0}, {0, 1}}, 1, testLayoutConfig())
	checkLayout(t, lay)
	if lay.Nodes[lay.Of[1]].Layer != 0 || lay.Nodes[lay.Of[0]].Layer != 2 {
		t.Errorf("cycle layers from root 1: %+v", lay.Nodes)
	}
}

func TestLayoutUnreachedAndEmpty(t *testing.T) {
	t.Parallel()
	lay := layoutGraph(nil, nil, 0, testLayoutConfig())
	if len(lay.Nodes) != 0 || lay.Width <= 0 {
		t.Errorf("empty layout: %+v", lay)
	}
	// Box 2 and 3 are not reached from the root; 3 links to the root.
	lay = layoutGraph(uniformBoxes(4), [][2]int{{0, 1}, {3, 0}}, 0, testLayoutConfig())
	checkLayout(t, lay)
	if len(lay.Nodes) != 4 {
		t.Errorf("%d boxes placed, want 4", len(lay.Nodes))
	}
	// An out-of-range root falls back to the first box.
	lay = layoutGraph(uniformBoxes(2), [][2]int{{0, 1}}, 7, testLayoutConfig())
	checkLayout(t, lay)
}

// TestLayoutWideLayer caps a layer of dozens of packages with a "+N more"
// box that keeps the failing ones visible and stands for the rest.
func TestLayoutWideLayer(t *testing.T) {
	t.Parallel()
	const n = 61
	boxes := uniformBoxes(n)
	var edges [][2]int
	for i := 1; i < n; i++ {
		edges = append(edges, [2]int{0, i})
	}
	boxes[57].Priority = 100 // a failing package near the end
	edges = append(edges, [2]int{58, 59})
	lay := layoutGraph(boxes, edges, 0, testLayoutConfig())
	checkLayout(t, lay)
	var more *placedNode
	rows := map[int]bool{}
	for i := range lay.Nodes {
		if lay.Nodes[i].Index < 0 {
			more = &lay.Nodes[i]
		}
		if lay.Nodes[i].Layer == 1 {
			rows[lay.Nodes[i].Row] = true
		}
	}
	if more == nil {
		t.Fatal("no +N more box for a layer of 60 boxes")
	}
	if len(rows) > testLayoutConfig().MaxRows {
		t.Errorf("layer wrapped into %d rows, want at most %d", len(rows), testLayoutConfig().MaxRows)
	}
	if lay.Nodes[lay.Of[57]].Index != 57 {
		t.Error("the failing box was folded into +N more")
	}
	visible := 0
	for _, nd := range lay.Nodes {
		if nd.Index > 0 {
			visible++
		}
	}
	if visible+len(more.Hidden) != n-1 {
		t.Errorf("%d visible + %d hidden, want %d", visible, len(more.Hidden), n-1)
	}
	for _, k := range more.Hidden {
		if lay.Of[k] < 0 || lay.Nodes[lay.Of[k]].Index >= 0 {
			t.Errorf("hidden box %d does not map to the +N more box", k)
		}
	}
	// Edges into folded boxes merge into one edge to the +N more box.
	toMore := 0
	for _, e := range lay.Edges {
		if lay.Nodes[e.To].Index < 0 {
			toMore++
			if len(e.Edges) < 2 {
				t.Errorf("edge to +N more draws %d input edges", len(e.Edges))
			}
		}
	}
	if toMore != 1 {
		t.Errorf("%d edges into +N more, want 1", toMore)
	}
	if lay.Width > testLayoutConfig().MaxWidth+400 {
		t.Errorf("drawing is %v wide for a row limit of %v", lay.Width, testLayoutConfig().MaxWidth)
	}
}

// TestLayoutLargeGraph lays out 500 subjects with merges, cycles and
// wide layers; it must finish and stay consistent.
func TestLayoutLargeGraph(t *testing.T) {
	t.Parallel()
	const n = 500
	var edges [][2]int
	for i := 1; i < n; i++ {
		edges = append(edges, [2]int{(i - 1) / 3, i}) // a ternary tree
		if i%7 == 0 {
			edges = append(edges, [2]int{(i * 13) % n, i}) // merges and cross links
		}
		if i%50 == 0 {
			edges = append(edges, [2]int{i, i / 10}) // back edges
		}
	}
	lay := layoutGraph(uniformBoxes(n), edges, 0, testLayoutConfig())
	checkLayout(t, lay)
	for i, p := range lay.Of {
		if p < 0 || p >= len(lay.Nodes) {
			t.Fatalf("box %d is not drawn", i)
		}
	}
}

func TestTextMeasureAndTruncate(t *testing.T) {
	t.Parallel()
	if a, b := textWidth("iiii", 12, false), textWidth("MMMM", 12, false); a >= b {
		t.Errorf("narrow text %v not narrower than wide text %v", a, b)
	}
	if a, b := textWidth("abc", 12, false), textWidth("abc", 12, true); a >= b {
		t.Errorf("bold %v not wider than regular %v", b, a)
	}
	if w := textWidth("模型模型", 12, false); w < 4*11 {
		t.Errorf("CJK text measured %v, want about one em per character", w)
	}
	for _, s := range []string{"hf:meta-llama/Llama-2-7b-chat-hf", strings.Repeat("模型", 40), "e\u0301" + strings.Repeat("x", 100), "short"} {
		got := truncateText(s, 120, 12, true)
		if !utf8.ValidString(got) {
			t.Errorf("truncateText(%q) = %q, not valid UTF-8", s, got)
		}
		if got != s && (!strings.HasSuffix(got, "…") || !strings.HasPrefix(s, strings.TrimSuffix(got, "…"))) {
			t.Errorf("truncateText(%q) = %q, not a prefix with an ellipsis", s, got)
		}
		if w := textWidth(got, 12, true); got != s && w > 120+0.01 {
			t.Errorf("truncateText(%q) = %q is %v wide, over 120", s, got, w)
		}
	}
	if got := truncateText("short", 120, 12, false); got != "short" {
		t.Errorf("text that fits was cut: %q", got)
	}
}

func TestLayoutDeterministic(t *testing.T) {
	t.Parallel()
	edges := [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 0}, {2, 4}}
	a := fmt.Sprintf("%+v", *layoutGraph(uniformBoxes(5), edges, 0, testLayoutConfig()))
	for i := 0; i < 5; i++ {
		if b := fmt.Sprintf("%+v", *layoutGraph(uniformBoxes(5), edges, 0, testLayoutConfig())); a != b {
			t.Fatalf("layout differs between runs:\n%s\n%s", a, b)
		}
	}
}
