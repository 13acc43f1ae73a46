package report

import (
	"math"
	"sort"
	"unicode"
)

// This file lays out a directed graph in layers for the HTML report's
// drawing: layers by breadth-first depth from a root, order within a layer
// by barycenter sweeps that keep the ordering with the fewest crossings,
// wide layers wrapped into rows and capped with a "+N more" box, and edges
// as cubic Bézier curves between ports on the boxes' borders. The layout
// knows nothing of reports: it places boxes of given sizes.

// layoutBox is a box to place: its size, and how much it matters when a
// layer is too wide to show every box (higher stays visible).
type layoutBox struct {
	W, H     float64
	Priority int
}

// layoutConfig holds the distances of a layout.
type layoutConfig struct {
	// MaxWidth is the widest a row of boxes may be before the layer wraps.
	MaxWidth float64
	// NodeGap separates boxes of a row; RowGap the rows of one wrapped
	// layer; LayerGap consecutive layers (edge labels sit in it).
	NodeGap, RowGap, LayerGap float64
	// Margin surrounds the drawing.
	Margin float64
	// MaxRows is how many rows a layer may wrap into; boxes beyond them
	// are folded into one "+N more" box of size MoreW by MoreH.
	MaxRows      int
	MoreW, MoreH float64
	// LabelW and LabelH estimate the size of an edge label, for nudging
	// labels apart; LabelW is called with the edge's input index.
	LabelW func(edge int) float64
	LabelH float64
}

// edgeKind says how an edge is routed.
type edgeKind int

const (
	// edgeDown goes from a box's bottom to the top of a box in a lower row.
	edgeDown edgeKind = iota
	// edgeSide links two boxes of the same row: an arc below the row from
	// bottom to bottom.
	edgeSide
	// edgeBack goes up (a cycle, or a link to a shallower subject): from
	// the right side of the box to the right side of the target, around
	// the right of the drawing.
	edgeBack
	// edgeSelf is a loop on the right side of one box.
	edgeSelf
)

// point is a position in the drawing.
type point struct{ X, Y float64 }

// placedNode is a box of the layout: its top-left corner and size.
type placedNode struct {
	X, Y, W, H float64
	// Layer is the box's depth; Row its row of the drawing, counting
	// every row of every layer from the top.
	Layer, Row int
	// Index is the input box drawn; -1 for a "+N more" box.
	Index int
	// Hidden lists the input boxes a "+N more" box stands for.
	Hidden []int
}

// placedEdge is an edge of the layout: a cubic Bézier curve from P[0] to
// P[3] with control points P[1] and P[2], and the label's center.
type placedEdge struct {
	From, To int // placed node indexes
	// Edges lists the input edges drawn; several when edges to or from
	// boxes folded into a "+N more" box were merged.
	Edges []int
	Kind  edgeKind
	P     [4]point
	Label point
}

// graphLayout is a laid-out graph.
type graphLayout struct {
	Nodes []placedNode
	Edges []placedEdge
	// Of maps an input box to its placed node: itself, or the "+N more"
	// box that stands for it; -1 for none.
	Of            []int
	Width, Height float64
}

// layoutGraph places boxes and edges ([from, to] input indexes; an index
// out of range is ignored) with root on top. Boxes the root does not
// reach are laid out in layers from their own first box, in input order.
func layoutGraph(boxes []layoutBox, edges [][2]int, root int, cfg layoutConfig) *graphLayout {
	n := len(boxes)
	lay := &graphLayout{Of: make([]int, n)}
	if n == 0 {
		lay.Width, lay.Height = 2*cfg.Margin, 2*cfg.Margin
		return lay
	}
	if cfg.MaxRows < 1 {
		cfg.MaxRows = 1
	}
	if root < 0 || root >= n {
		root = 0
	}
	valid := make([][2]int, 0, len(edges))
	validIdx := make([]int, 0, len(edges))
	out := make([][]int, n)
	for i, e := range edges {
		if e[0] < 0 || e[0] >= n || e[1] < 0 || e[1] >= n {
			continue
		}
		valid = append(valid, e)
		validIdx = append(validIdx, i)
		out[e[0]] = append(out[e[0]], e[1])
	}

	// Layers: breadth-first depth from the root, then from every box not
	// yet reached.
	layer := make([]int, n)
	for i := range layer {
		layer[i] = -1
	}
	bfs := func(start int) {
		layer[start] = 0
		queue := []int{start}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, to := range out[cur] {
				if layer[to] < 0 {
					layer[to] = layer[cur] + 1
					queue = append(queue, to)
				}
			}
		}
	}
	bfs(root)
	for i := range boxes {
		if layer[i] < 0 {
			bfs(i)
		}
	}
	nLayers := 0
	for _, l := range layer {
		nLayers = max(nLayers, l+1)
	}
	byLayer := make([][]int, nLayers)
	for i, l := range layer {
		byLayer[l] = append(byLayer[l], i)
	}

	// Cap wide layers: keep the boxes that matter most and fold the rest
	// into one "+N more" box at the end of the layer.
	for i := range lay.Of {
		lay.Of[i] = -1
	}
	layers := make([][]int, nLayers) // placed node indexes
	for l, members := range byLayer {
		widest := cfg.MoreW
		for _, b := range members {
			widest = max(widest, boxes[b].W)
		}
		cols := max(1, int((cfg.MaxWidth+cfg.NodeGap)/(widest+cfg.NodeGap)))
		capacity := cols * cfg.MaxRows
		keep := members
		var hidden []int
		if len(members) > capacity {
			ranked := append([]int(nil), members...)
			sort.SliceStable(ranked, func(a, b int) bool { return boxes[ranked[a]].Priority > boxes[ranked[b]].Priority })
			kept := map[int]bool{}
			for _, b := range ranked[:capacity-1] {
				kept[b] = true
			}
			keep = nil
			for _, b := range members {
				if kept[b] {
					keep = append(keep, b)
				} else {
					hidden = append(hidden, b)
				}
			}
		}
		for _, b := range keep {
			lay.Of[b] = len(lay.Nodes)
			layers[l] = append(layers[l], len(lay.Nodes))
			lay.Nodes = append(lay.Nodes, placedNode{W: boxes[b].W, H: boxes[b].H, Layer: l, Index: b})
		}
		if len(hidden) > 0 {
			more := len(lay.Nodes)
			for _, b := range hidden {
				lay.Of[b] = more
			}
			layers[l] = append(layers[l], more)
			lay.Nodes = append(lay.Nodes, placedNode{W: cfg.MoreW, H: cfg.MoreH, Layer: l, Index: -1, Hidden: hidden})
		}
	}

	// Edges between placed nodes; edges that reach a "+N more" box are
	// merged, and edges inside one are dropped.
	merged := map[[2]int]int{}
	for k, e := range valid {
		from, to := lay.Of[e[0]], lay.Of[e[1]]
		folded := lay.Nodes[from].Index < 0 || lay.Nodes[to].Index < 0
		if folded {
			if from == to {
				continue
			}
			if j, ok := merged[[2]int{from, to}]; ok {
				lay.Edges[j].Edges = append(lay.Edges[j].Edges, validIdx[k])
				continue
			}
			merged[[2]int{from, to}] = len(lay.Edges)
		}
		lay.Edges = append(lay.Edges, placedEdge{From: from, To: to, Edges: []int{validIdx[k]}})
	}

	orderLayers(lay, layers)
	placeRows(lay, layers, cfg)
	routeEdges(lay, cfg)
	placeLabels(lay, cfg)
	lay.normalize(cfg.Margin)
	return lay
}

// orderLayers orders the boxes of every layer by barycenter sweeps, down
// and up, and keeps the ordering with the fewest crossings, starting from
// the input order: the result never has more crossings than the input.
func orderLayers(lay *graphLayout, layers [][]int) {
	pos := make([]float64, len(lay.Nodes))
	setPos := func() {
		for _, members := range layers {
			for i, v := range members {
				pos[v] = float64(i)
			}
		}
	}
	setPos()
	up := make([][]int, len(lay.Nodes))   // neighbors in the layer above
	down := make([][]int, len(lay.Nodes)) // neighbors in the layer below
	for _, e := range lay.Edges {
		a, b := lay.Nodes[e.From], lay.Nodes[e.To]
		switch {
		case b.Layer == a.Layer+1:
			down[e.From] = append(down[e.From], e.To)
			up[e.To] = append(up[e.To], e.From)
		case a.Layer == b.Layer+1:
			down[e.To] = append(down[e.To], e.From)
			up[e.From] = append(up[e.From], e.To)
		}
	}
	best := copyLayers(layers)
	bestCross := layerCrossings(layers, down, pos)
	sweep := func(l int, nb [][]int) {
		members := layers[l]
		bary := make(map[int]float64, len(members))
		for _, v := range members {
			if len(nb[v]) == 0 {
				bary[v] = pos[v]
				continue
			}
			s := 0.0
			for _, u := range nb[v] {
				s += pos[u]
			}
			bary[v] = s / float64(len(nb[v]))
		}
		sort.SliceStable(members, func(i, j int) bool { return bary[members[i]] < bary[members[j]] })
		for i, v := range members {
			pos[v] = float64(i)
		}
	}
	for iter := 0; iter < 12 && bestCross > 0; iter++ {
		if iter%2 == 0 {
			for l := 1; l < len(layers); l++ {
				sweep(l, up)
			}
		} else {
			for l := len(layers) - 2; l >= 0; l-- {
				sweep(l, down)
			}
		}
		if c := layerCrossings(layers, down, pos); c < bestCross {
			best, bestCross = copyLayers(layers), c
		}
	}
	for l := range layers {
		copy(layers[l], best[l])
	}
	setPos()
}

func copyLayers(layers [][]int) [][]int {
	out := make([][]int, len(layers))
	for i, l := range layers {
		out[i] = append([]int(nil), l...)
	}
	return out
}

// layerCrossings counts the crossings of edges between consecutive layers
// when every box sits at pos; down lists each box's neighbors one layer
// below.
func layerCrossings(layers [][]int, down [][]int, pos []float64) int {
	total := 0
	for _, members := range layers {
		var segs [][2]float64
		for _, v := range members {
			for _, w := range down[v] {
				segs = append(segs, [2]float64{pos[v], pos[w]})
			}
		}
		total += crossings(segs)
	}
	return total
}

// crossings counts the pairs of segments between two parallel lines that
// cross, each segment given by its positions on the two lines.
func crossings(segs [][2]float64) int {
	sort.Slice(segs, func(i, j int) bool {
		if segs[i][0] != segs[j][0] {
			return segs[i][0] < segs[j][0]
		}
		return segs[i][1] < segs[j][1]
	})
	c := 0
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			if segs[j][0] > segs[i][0] && segs[j][1] < segs[i][1] {
				c++
			}
		}
	}
	return c
}

// placeRows wraps every layer into rows no wider than cfg.MaxWidth, sets
// each box's position, and centers each row under the boxes it links to
// in the rows above.
func placeRows(lay *graphLayout, layers [][]int, cfg layoutConfig) {
	parents := make([][]int, len(lay.Nodes))
	for _, e := range lay.Edges {
		if lay.Nodes[e.To].Layer == lay.Nodes[e.From].Layer+1 {
			parents[e.To] = append(parents[e.To], e.From)
		}
	}
	y := 0.0
	row := 0
	for l, members := range layers {
		if l > 0 {
			y += cfg.LayerGap
		}
		var rows [][]int
		width := 0.0
		for _, v := range members {
			w := lay.Nodes[v].W
			if len(rows) == 0 || width+cfg.NodeGap+w > cfg.MaxWidth {
				rows = append(rows, nil)
				width = -cfg.NodeGap
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], v)
			width += cfg.NodeGap + w
		}
		for r, members := range rows {
			if r > 0 {
				y += cfg.RowGap
			}
			h := 0.0
			for _, v := range members {
				h = max(h, lay.Nodes[v].H)
			}
			centers := packRow(lay, members, parents, cfg.NodeGap, len(rows) > 1)
			if len(rows) > 1 && r%2 == 1 {
				// Stagger the odd rows of a wrapped layer by half a box, so
				// that edges to the rows below pass between boxes.
				shift := (lay.Nodes[members[0]].W + cfg.NodeGap) / 2
				for i := range centers {
					centers[i] += shift
				}
			}
			for i, v := range members {
				nd := &lay.Nodes[v]
				nd.X, nd.Y, nd.Row = centers[i]-nd.W/2, y, row
			}
			y += h
			row++
		}
	}
}

// packRow returns the centers of a row's boxes, in order and separated by
// gap: each as near as it can be to the mean center of its parents, or,
// for a wrapped layer, the row as a block centered under its parents.
func packRow(lay *graphLayout, members []int, parents [][]int, gap float64, wrapped bool) []float64 {
	desired := make([]float64, len(members))
	has := make([]bool, len(members))
	for i, v := range members {
		if len(parents[v]) == 0 {
			continue
		}
		s := 0.0
		for _, p := range parents[v] {
			s += lay.Nodes[p].X + lay.Nodes[p].W/2
		}
		desired[i], has[i] = s/float64(len(parents[v])), true
	}
	centers := make([]float64, len(members))
	for i, v := range members {
		w := lay.Nodes[v].W
		if i == 0 {
			centers[i] = 0
			if has[i] && !wrapped {
				centers[i] = desired[i]
			}
			continue
		}
		prev := lay.Nodes[members[i-1]].W
		minC := centers[i-1] + (prev+w)/2 + gap
		centers[i] = minC
		if has[i] && !wrapped {
			centers[i] = math.Max(minC, desired[i])
		}
	}
	// Shift the row so that its boxes are, on average, where they want to
	// be; a row without parents is centered on zero.
	shift, count := 0.0, 0
	for i := range members {
		if has[i] {
			shift += desired[i] - centers[i]
			count++
		}
	}
	if count > 0 {
		shift /= float64(count)
	} else {
		first, last := lay.Nodes[members[0]], lay.Nodes[members[len(members)-1]]
		shift = -((centers[0] - first.W/2) + (centers[len(centers)-1] + last.W/2)) / 2
	}
	for i := range centers {
		centers[i] += shift
	}
	return centers
}

// routeEdges draws every edge between ports spread along the borders of
// its boxes, ordered by where the other end lies so that edges leaving
// one box do not cross each other.
func routeEdges(lay *graphLayout, cfg layoutConfig) {
	type port struct {
		edge  int
		start bool    // the edge starts here
		other float64 // the other end's center x (or y on a right side)
	}
	bottom := map[int][]port{}
	top := map[int][]port{}
	right := map[int][]port{}
	rightmost := 0.0
	for _, nd := range lay.Nodes {
		rightmost = max(rightmost, nd.X+nd.W)
	}
	center := func(v int) point {
		nd := lay.Nodes[v]
		return point{nd.X + nd.W/2, nd.Y + nd.H/2}
	}
	for i := range lay.Edges {
		e := &lay.Edges[i]
		a, b := lay.Nodes[e.From], lay.Nodes[e.To]
		switch {
		case e.From == e.To:
			e.Kind = edgeSelf
		case b.Row > a.Row:
			e.Kind = edgeDown
			bottom[e.From] = append(bottom[e.From], port{i, true, center(e.To).X})
			top[e.To] = append(top[e.To], port{i, false, center(e.From).X})
		case b.Row == a.Row:
			e.Kind = edgeSide
			bottom[e.From] = append(bottom[e.From], port{i, true, center(e.To).X})
			bottom[e.To] = append(bottom[e.To], port{i, false, center(e.From).X})
		default:
			e.Kind = edgeBack
			right[e.From] = append(right[e.From], port{i, true, center(e.To).Y})
			right[e.To] = append(right[e.To], port{i, false, center(e.From).Y})
		}
	}
	ends := make([][2]point, len(lay.Edges))
	assign := func(ports map[int][]port, at func(nd placedNode, f float64) point) {
		keys := make([]int, 0, len(ports))
		for k := range ports {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, v := range keys {
			ps := ports[v]
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].other < ps[j].other })
			for i, p := range ps {
				// Ports share the middle half of the side.
				f := 0.5
				if len(ps) > 1 {
					f = 0.25 + 0.5*float64(i)/float64(len(ps)-1)
				}
				pt := at(lay.Nodes[v], f)
				if p.start {
					ends[p.edge][0] = pt
				} else {
					ends[p.edge][1] = pt
				}
			}
		}
	}
	assign(bottom, func(nd placedNode, f float64) point { return point{nd.X + nd.W*f, nd.Y + nd.H} })
	assign(top, func(nd placedNode, f float64) point { return point{nd.X + nd.W*f, nd.Y} })
	assign(right, func(nd placedNode, f float64) point { return point{nd.X + nd.W, nd.Y + nd.H*f} })
	for i := range lay.Edges {
		e := &lay.Edges[i]
		s, t := ends[i][0], ends[i][1]
		switch e.Kind {
		case edgeDown:
			my := (s.Y + t.Y) / 2
			e.P = [4]point{s, {s.X, my}, {t.X, my}, t}
		case edgeSide:
			dip := s.Y + cfg.LayerGap*0.6
			e.P = [4]point{s, {s.X, dip}, {t.X, dip}, t}
		case edgeBack:
			out := rightmost + 24 + math.Min(120, math.Abs(s.Y-t.Y)*0.15)
			e.P = [4]point{s, {out, s.Y}, {out, t.Y}, t}
		case edgeSelf:
			nd := lay.Nodes[e.From]
			s = point{nd.X + nd.W, nd.Y + nd.H*0.3}
			t = point{nd.X + nd.W, nd.Y + nd.H*0.7}
			e.P = [4]point{s, {s.X + 40, s.Y - 10}, {t.X + 40, t.Y + 10}, t}
		}
		e.Label = bezier(e.P, 0.5)
	}
}

// bezier returns the point at t of a cubic Bézier curve.
func bezier(p [4]point, t float64) point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return point{a*p[0].X + b*p[1].X + c*p[2].X + d*p[3].X, a*p[0].Y + b*p[1].Y + c*p[2].Y + d*p[3].Y}
}

// placeLabels nudges edge labels up or down along their edge so that
// they do not overlap each other, trying a few positions on the curve.
func placeLabels(lay *graphLayout, cfg layoutConfig) {
	if cfg.LabelW == nil {
		return
	}
	type rect struct{ x0, y0, x1, y1 float64 }
	var placed []rect
	overlaps := func(r rect) bool {
		for _, q := range placed {
			if r.x0 < q.x1 && q.x0 < r.x1 && r.y0 < q.y1 && q.y0 < r.y1 {
				return true
			}
		}
		return false
	}
	for i := range lay.Edges {
		e := &lay.Edges[i]
		w := cfg.LabelW(e.Edges[0])
		h := cfg.LabelH
		box := func(p point) rect { return rect{p.X - w/2, p.Y - h/2, p.X + w/2, p.Y + h/2} }
		chosen := e.Label
		for _, t := range []float64{0.5, 0.35, 0.65, 0.25, 0.75} {
			if p := bezier(e.P, t); !overlaps(box(p)) {
				chosen = p
				break
			}
		}
		e.Label = chosen
		placed = append(placed, box(chosen))
	}
}

// normalize moves the drawing so that its leftmost and topmost extents,
// labels included, sit at margin, and sets its size.
func (lay *graphLayout) normalize(margin float64) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	grow := func(x, y float64) {
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	for _, nd := range lay.Nodes {
		grow(nd.X, nd.Y)
		grow(nd.X+nd.W, nd.Y+nd.H)
	}
	for _, e := range lay.Edges {
		for _, p := range e.P {
			grow(p.X, p.Y)
		}
	}
	if math.IsInf(minX, 1) {
		minX, minY, maxX, maxY = 0, 0, 0, 0
	}
	dx, dy := margin-minX, margin-minY
	for i := range lay.Nodes {
		lay.Nodes[i].X = round1(lay.Nodes[i].X + dx)
		lay.Nodes[i].Y = round1(lay.Nodes[i].Y + dy)
	}
	for i := range lay.Edges {
		e := &lay.Edges[i]
		for j := range e.P {
			e.P[j] = point{round1(e.P[j].X + dx), round1(e.P[j].Y + dy)}
		}
		e.Label = point{round1(e.Label.X + dx), round1(e.Label.Y + dy)}
	}
	lay.Width = math.Ceil(maxX - minX + 2*margin)
	lay.Height = math.Ceil(maxY - minY + 2*margin)
}

// round1 rounds to one decimal, so that coordinates print briefly and the
// same on every platform.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// textWidth estimates the width in pixels of s set in a sans-serif font
// of the given size: glyph widths approximate DejaVu Sans, the widest of
// the common sans-serif fonts, so text measured here fits in the others.
func textWidth(s string, size float64, bold bool) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	if bold {
		w *= 1.1
	}
	return w * size
}

// runeWidth is the approximate advance of r in ems.
func runeWidth(r rune) float64 {
	switch {
	case r == ' ' || r == '.' || r == ',' || r == ':' || r == ';' || r == '\'' || r == '|' || r == '!' || r == 'i' || r == 'j' || r == 'l':
		return 0.32
	case r == 'f' || r == 't' || r == 'r' || r == '/' || r == '\\' || r == '(' || r == ')' || r == '[' || r == ']' || r == '-' || r == 'I':
		return 0.42
	case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '@' || r == '%':
		return 0.98
	case r >= 'A' && r <= 'Z':
		return 0.74
	case r < 0x80:
		return 0.64
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x1F000 && r <= 0x1FAFF):
		return 1.0
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.IsControl(r) || r == '\u200b' || r == '\u200d':
		return 0
	}
	return 0.75
}

// truncateText shortens s with an ellipsis so that it fits in maxW
// pixels at the given font size; s is returned whole when it fits.
func truncateText(s string, maxW, size float64, bold bool) string {
	if textWidth(s, size, bold) <= maxW {
		return s
	}
	ell := textWidth("…", size, bold)
	w := 0.0
	scale := size
	if bold {
		scale *= 1.1
	}
	for i, r := range s {
		rw := runeWidth(r) * scale
		if w+rw+ell > maxW {
			return s[:i] + "…"
		}
		w += rw
	}
	return s
}
