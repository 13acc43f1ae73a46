package knowledge_test

import (
	"context"
	"fmt"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/knowledge"
)

func ExampleCatalog_Lookup() {
	c, err := knowledge.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	p, ok := c.Lookup("mistralai")
	fmt.Println(ok, p.Name, p.Country, p.Type)
	// Output: true Mistral AI SAS FR company
}

func ExampleCatalog_MatchModel() {
	c, err := knowledge.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	p, pattern, ok := c.MatchModel("TheBloke/Llama-2-7B-Chat-GGML")
	fmt.Println(ok, p.Accounts[0], pattern)
	// Output: true meta-llama Llama-2-*
}

func ExampleCatalog_Merge() {
	builtin, err := knowledge.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	// A user's file, as read by knowledge.Load.
	mine, err := knowledge.Parse("my-publishers.yaml", []byte(`
- accounts: [acme-ai]
  name: Acme AI, Inc.
  country: US
  type: company
  source: https://example.com/about
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := builtin.Merge(mine)
	p, _ := c.Lookup("ACME-AI")
	fmt.Println(p.Name, p.Locator)
	// Output: Acme AI, Inc. my-publishers.yaml
}

func ExampleSource_Collect() {
	c, err := knowledge.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	src := knowledge.New(c, knowledge.WithClock(func() time.Time { return time.Unix(0, 0) }))
	obs, err := src.Collect(context.Background(), sources.HubModel("TheBloke/Llama-2-7B-Chat-GGML", ""))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range obs.Evidence {
		fmt.Println(e.Kind, e.Value, e.Attrs)
	}
	// Output:
	// publisher TheBloke map[declared_in:knowledge name:Tom Jobbins source:https://huggingface.co/TheBloke type:individual]
	// name_match meta-llama map[country:US name:Meta Platforms, Inc. pattern:Llama-2-*]
}
