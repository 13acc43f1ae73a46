package risk

import (
	"fmt"
	"strings"
)

// Level is a risk level derived from a score.
type Level string

// Levels, lowest first.
const (
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelHigh     Level = "high"
	LevelCritical Level = "critical"
)

// LevelOf returns the level of a score: low below 20, medium below 50,
// high below 80, critical from 80.
func LevelOf(score float64) Level {
	switch {
	case score < 20:
		return LevelLow
	case score < 50:
		return LevelMedium
	case score < 80:
		return LevelHigh
	}
	return LevelCritical
}

// Rank orders levels: low 0 to critical 3, and -1 for an unknown value.
func (l Level) Rank() int {
	switch l {
	case LevelLow:
		return 0
	case LevelMedium:
		return 1
	case LevelHigh:
		return 2
	case LevelCritical:
		return 3
	}
	return -1
}

// AtLeast reports whether l is at or above min. An empty min is never reached.
func (l Level) AtLeast(min Level) bool {
	return min != "" && l.Rank() >= min.Rank() && min.Rank() >= 0
}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if l.Rank() < 0 {
		return "", fmt.Errorf("unknown level %q (want low, medium, high or critical)", s)
	}
	return l, nil
}
