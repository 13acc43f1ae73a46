package huggingface_test

import (
	"context"
	"fmt"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
)

// Reading a model from an offline snapshot: the revision it resolved to
// and the lineage edges its files declare.
func ExampleSnapshot() {
	snap, err := huggingface.Snapshot("testdata/snap")
	if err != nil {
		fmt.Println(err)
		return
	}
	src := huggingface.New(huggingface.WithStore(snap))
	obs, err := src.Collect(context.Background(), sources.HubModel("lora/chat-lora", ""))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(obs.Subject.Revision)
	for _, e := range obs.Edges {
		fmt.Println(e.Relation, e.To.Ref)
	}
	// Output:
	// 04aecd9653e29474526e573986d35954588307d6
	// adapter hf:acme/base-7b-chat
}
