package scorecard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRepoLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		card string
		want []string
	}{
		{"none", "# Model\nNo links here.", nil},
		{"https link with path", "Code: https://github.com/huggingface/transformers/tree/main/src.", []string{"github.com/huggingface/transformers"}},
		{"markdown and trailing dot", "See [the repo](https://github.com/QwenLM/Qwen2.5). And github.com/QwenLM/Qwen2.5.", []string{"github.com/qwenlm/qwen2.5"}},
		{"www, git suffix and ssh", "www.github.com/a/b.git and git@github.com:c-d/e_f.git", []string{"github.com/a/b", "github.com/c-d/e_f"}},
		{"metadata first", "---\nlicense: mit\nrepo: https://github.com/org/code\n---\nBuilt with https://github.com/pytorch/pytorch\ngithub: \"Other/Tool\"\n",
			[]string{"github.com/org/code", "github.com/other/tool", "github.com/pytorch/pytorch"}},
		{"json style", `{"github": "acme/engine", "_name_or_path": "x"}`, []string{"github.com/acme/engine"}},
		{"bare repo value is not github", "repo: meta-llama/Llama-2-7b-hf\n", nil},
		{"other hosts and pages", "gist.github.com/u/abc api.github.com/repos/o/r notgithub.com/o/r https://github.com/orgs/acme/people https://github.com/topics/llm https://github.com/acme", nil},
		{"duplicates once", "https://github.com/A/B https://github.com/a/b http://github.com/a/b#readme", []string{"github.com/a/b"}},
		{"invalid owner", "https://github.com/-bad/repo https://github.com/" + "x234567890123456789012345678901234567890/r", nil},
		{"dot repos", "https://github.com/o/.. https://github.com/o/./x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, RepoLinks(tt.card)); diff != "" {
				t.Errorf("RepoLinks (-want +got):\n%s", diff)
			}
		})
	}
}
