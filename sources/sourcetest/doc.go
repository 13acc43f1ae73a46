// Package sourcetest helps test [sources.Source] implementations and the
// code that consumes them.
//
// [RunConformance] is the conformance suite every source runs from its own
// tests, in the manner of gocloud's drivertest:
//
//	func TestConformance(t *testing.T) {
//		sourcetest.RunConformance(t, sourcetest.Harness{
//			NewSource: func(t *testing.T) sources.Source { return mysource.New() },
//			Known:     []sources.Subject{known},
//			Missing:   missing,
//		})
//	}
//
// [Static] is a fake source serving fixed observations, for tests of the
// engine and of anything else that takes a [sources.Source].
package sourcetest
