package batch

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseShard reads a shard as "I/N": shard I of N, numbered from 0, so
// 0 <= I < N and N >= 1. "0/1" is the whole catalog.
func ParseShard(s string) (index, count int, err error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("batch: shard %q: want I/N, such as 0/4 for the first of four shards", s)
	}
	if index, err = shardNumber(is); err != nil {
		return 0, 0, fmt.Errorf("batch: shard %q: index %w", s, err)
	}
	if count, err = shardNumber(ns); err != nil {
		return 0, 0, fmt.Errorf("batch: shard %q: count %w", s, err)
	}
	if count < 1 {
		return 0, 0, fmt.Errorf("batch: shard %q: count must be at least 1", s)
	}
	if index >= count {
		return 0, 0, fmt.Errorf("batch: shard %q: index %d is out of range; the %d shards are numbered 0 to %d", s, index, count, count-1)
	}
	return index, count, nil
}

// shardNumber reads a decimal number of digits only (no sign, no spaces).
func shardNumber(s string) (int, error) {
	if s == "" {
		return 0, errors.New("is missing; want a number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number; want digits only", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

// ShardOf returns the shard, from 0 to count-1, of the catalog entry whose
// reference is key: the first 8 bytes of the SHA-256 of the key's bytes, as
// a big-endian unsigned integer, modulo count. The function is part of the
// contract and never changes between versions. A count below 2 puts every
// key in shard 0.
func ShardOf(key string, count int) int {
	if count < 2 {
		return 0
	}
	sum := sha256.Sum256([]byte(key))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(count))
}
