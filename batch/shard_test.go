package batch

import (
	"fmt"
	"strings"
	"testing"
)

func TestShardOfGolden(t *testing.T) {
	// Computed independently: int.from_bytes(sha256(key).digest()[:8], "big") % n.
	tests := []struct {
		key                 string
		by2, by4, by7, by1k int
	}{
		{"hf:meta-llama/Llama-2-7b-hf", 0, 2, 5, 926},
		{"hf:linagora/Labess-7b-chat", 0, 2, 5, 390},
		{"./models/local", 0, 0, 5, 772},
		{"pkg:pypi/torch@2.3.0", 0, 2, 3, 654},
		{"hf:TheBloke/Llama-2-7B-Chat-GGML", 0, 0, 1, 116},
		{"hf:日本語/モデル", 1, 3, 0, 327},
		{"", 0, 0, 1, 652},
	}
	for _, tc := range tests {
		got := []int{ShardOf(tc.key, 2), ShardOf(tc.key, 4), ShardOf(tc.key, 7), ShardOf(tc.key, 1000)}
		want := []int{tc.by2, tc.by4, tc.by7, tc.by1k}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ShardOf(%q, 2, 4, 7, 1000) = %v; want %v", tc.key, got, want)
		}
		for _, n := range []int{-3, 0, 1} {
			if s := ShardOf(tc.key, n); s != 0 {
				t.Errorf("ShardOf(%q, %d) = %d; want 0", tc.key, n, s)
			}
		}
	}
}

func TestShardOfBalanced(t *testing.T) {
	const keys, shards = 10000, 4
	for _, form := range []string{"hf:org%d/model", "hf:publisher/model-%d", "pkg:pypi/package%d@1.0", "./models/%d"} {
		counts := make([]int, shards)
		for i := range keys {
			counts[ShardOf(fmt.Sprintf(form, i), shards)]++
		}
		want := keys / shards
		for s, c := range counts {
			if c < want*95/100 || c > want*105/100 {
				t.Errorf("%q: shard %d has %d keys; want %d ± 5%% (all: %v)", form, s, c, want, counts)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	valid := []struct {
		in           string
		index, count int
	}{
		{"0/1", 0, 1},
		{"0/4", 0, 4},
		{"3/4", 3, 4},
		{"07/10", 7, 10},
	}
	for _, tc := range valid {
		i, n, err := ParseShard(tc.in)
		if err != nil || i != tc.index || n != tc.count {
			t.Errorf("ParseShard(%q) = %d, %d, %v; want %d, %d, nil", tc.in, i, n, err, tc.index, tc.count)
		}
	}
	invalid := []struct {
		in, want string
	}{
		{"", "want I/N"},
		{"3", "want I/N"},
		{"4/4", "out of range; the 4 shards are numbered 0 to 3"},
		{"0/0", "at least 1"},
		{"-1/4", "not a number"},
		{"+1/4", "not a number"},
		{"1/-4", "not a number"},
		{" 1/4", "not a number"},
		{"1/4 ", "not a number"},
		{"/4", "index is missing"},
		{"1/", "count is missing"},
		{"1/2/3", "not a number"},
		{"a/b", "not a number"},
		{"1.0/4", "not a number"},
		{"99999999999999999999/1", "too large"},
		{"١/٤", "not a number"},
	}
	for _, tc := range invalid {
		i, n, err := ParseShard(tc.in)
		if err == nil {
			t.Errorf("ParseShard(%q) = %d, %d; want an error", tc.in, i, n)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
			t.Errorf("ParseShard(%q) error %q; want it to quote the input and contain %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "3/4", "4/4", "0/0", "-1/4", "a/b", "", "/", "1/2/3", "99999999999999999999/1", "007/010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, n, err := ParseShard(s)
		if err != nil {
			return
		}
		if n < 1 || i < 0 || i >= n {
			t.Fatalf("ParseShard(%q) = %d, %d; want 0 <= index < count", s, i, n)
		}
		i2, n2, err := ParseShard(fmt.Sprintf("%d/%d", i, n))
		if err != nil || i2 != i || n2 != n {
			t.Fatalf("ParseShard(%q) = %d/%d does not round-trip: %d, %d, %v", s, i, n, i2, n2, err)
		}
		if got := ShardOf(s, n); got < 0 || got >= n {
			t.Fatalf("ShardOf(%q, %d) = %d", s, n, got)
		}
	})
}
