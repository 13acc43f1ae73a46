package sources

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors classifying why a source could not read a subject. Test
// for them with errors.Is.
var (
	// ErrNotFound: the subject, or a file of it, does not exist.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the subject is private or gated and the credentials
	// given (if any) do not grant access.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited: the service refused because too many requests were made.
	ErrRateLimited = errors.New("rate limited")
	// ErrOffline: the source runs offline and its snapshot lacks the data.
	ErrOffline = errors.New("offline")
	// ErrUnsupported: the source does not handle this kind of subject.
	ErrUnsupported = errors.New("unsupported")
	// ErrMalformed: the service or folder answered with data that could not be read.
	ErrMalformed = errors.New("malformed")
	// ErrUnavailable: the service could not be reached or failed (timeouts,
	// connection errors, 5xx answers), even after retries; trying again
	// later may succeed.
	ErrUnavailable = errors.New("unavailable")
)

// Error is a classified source failure. Err wraps one of the sentinels.
type Error struct {
	Source  string // the source's Name
	Subject string // the subject's ID
	Op      string // what was being done: "read card", "get /api/models/x"
	Err     error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s %s: %v", e.Source, e.Op, e.Subject, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error for source and subject s wrapping err. If err is
// a context cancellation or deadline it is returned unchanged.
func Errorf(source string, s Subject, op string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Source: source, Subject: s.ID(), Op: op, Err: err}
}

// Category returns the name of the sentinel err wraps ("not_found",
// "unauthorized", "rate_limited", "offline", "unsupported", "malformed",
// "unavailable", "canceled"), or "error" for an unclassified error.
func Category(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrOffline):
		return "offline"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}
