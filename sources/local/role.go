package local

// FileRole says what a repository file is for, from its path (relative to
// the repository root, slash-separated) and detected format: weights,
// code, config, card, license or other. Every source that lists a
// repository's files uses it, so that rules read one vocabulary.
func FileRole(rel, format string) string { return role(rel, format) }
