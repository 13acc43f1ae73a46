package risk

// SourceState is how a source fared with one subject.
type SourceState string

// Source states.
const (
	StateSucceeded SourceState = "succeeded"
	StatePartial   SourceState = "partial"
	StateFailed    SourceState = "failed"
	StateSkipped   SourceState = "skipped"
)

// SourceStatus records how one source fared with one subject.
type SourceStatus struct {
	// Source is the source's name; empty for a subject no source serves.
	Source string `json:"source"`
	// Subject is the subject's ID.
	Subject string `json:"subject"`
	// State is the outcome.
	State SourceState `json:"state"`
	// Reason explains a partial, failed or skipped state: the error's
	// category and message.
	Reason string `json:"reason,omitempty"`
}
