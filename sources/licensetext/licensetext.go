// Package licensetext recognises license texts: the LICENSE file of a model
// repository, or the license text quoted in a model card.
//
// Two recognisers run in order. Texts of AI model licenses (the Llama
// community licenses, Gemma terms of use, the OpenRAIL family, Qwen, DeepSeek
// and others), which no general license corpus knows, are recognised by
// distinctive phrases kept as data in a table (method "pattern"). All other
// texts go to github.com/google/licenseclassifier/v2 with its bundled corpus
// of SPDX licenses (method "classifier").
//
// A [Classifier] is safe for concurrent use. It loads the license corpus on
// first use and caches every classification by the SHA-256 digest of the
// text. A pattern match of confidence 0.9 or more is final; a weaker one
// (a title alone, as when a model card names the license) is compared with
// the corpus match and the more confident wins.
package licensetext

import (
	"crypto/sha256"
	"sync"

	classifier "github.com/google/licenseclassifier/v2"
)

// Recognition methods reported in [Match.Method].
const (
	// MethodClassifier means the text matched a license of the
	// licenseclassifier corpus.
	MethodClassifier = "classifier"
	// MethodPattern means the text matched the distinctive phrases of an AI
	// model license.
	MethodPattern = "pattern"
)

// cacheSize bounds the number of classifications a Classifier remembers.
const cacheSize = 4096

// Match is the result of classifying a text.
type Match struct {
	// ID is the Hugging Face Hub / SPDX style license id in lower case, for
	// example "apache-2.0", "mit", "llama2", "llama3.1", "gemma",
	// "creativeml-openrail-m", "cc-by-nc-4.0", "tongyi-qianwen" or
	// "deepseek". It is empty when the text was not recognised.
	ID string
	// Name names the license: its human name for pattern matches ("Llama 2
	// Community License Agreement"), its SPDX id for classifier matches
	// ("Apache-2.0"). It is empty when the text was not recognised.
	Name string
	// Confidence is how sure the recognition is, from 0 to 1.
	Confidence float64
	// Method is how the text was recognised: [MethodClassifier] or
	// [MethodPattern]. It is empty when the text was not recognised.
	Method string
}

// Classifier recognises license texts. Its zero value is ready to use, as is
// one returned by [New]. A Classifier is safe for concurrent use; it initialises its
// license corpus lazily on first use and caches every classification by the
// SHA-256 digest of the text, in a bounded cache.
type Classifier struct {
	once    sync.Once
	lc      *classifier.Classifier
	initErr error

	mu    sync.Mutex
	cache map[[sha256.Size]byte]Match
	order [][sha256.Size]byte // insertion order, for eviction
}

// New returns a Classifier. The license corpus is loaded on the first call
// to [Classifier.Classify] that needs it, not here; loading takes about 1.5 s
// of CPU, so share one Classifier rather than creating one per text.
func New() *Classifier {
	return &Classifier{cache: make(map[[sha256.Size]byte]Match)}
}

// Classify recognises the license in data. It returns the zero Match when
// data is empty or no license is recognised. The result for a given text is
// cached, so classifying the same bytes again is cheap and returns the same
// Match.
func (c *Classifier) Classify(data []byte) Match {
	if len(data) == 0 {
		return Match{}
	}
	key := digest(data)
	c.mu.Lock()
	m, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return m
	}
	m = c.classify(data)
	c.remember(key, m)
	return m
}

// digest is the cache key of a text.
func digest(data []byte) [sha256.Size]byte { return sha256.Sum256(data) }

// remember stores m under key, evicting the oldest entry when the cache is
// full.
func (c *Classifier) remember(key [sha256.Size]byte, m Match) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cache[key]; ok {
		return
	}
	if c.cache == nil {
		c.cache = make(map[[sha256.Size]byte]Match)
	}
	if len(c.order) >= cacheSize {
		oldest := c.order[0]
		c.order = c.order[1:]
		delete(c.cache, oldest)
	}
	c.cache[key] = m
	c.order = append(c.order, key)
}

// patternSure is the confidence from which a pattern match is taken without
// consulting the license corpus as well.
const patternSure = 0.9

// classify recognises data without consulting the cache: first by the AI
// model license patterns; when none matches surely, by the licenseclassifier
// corpus as well, and the more confident match wins.
func (c *Classifier) classify(data []byte) Match {
	m, ok := matchPattern(data)
	if ok && m.Confidence >= patternSure {
		return m
	}
	if cm := c.matchCorpus(data); cm.Confidence > m.Confidence {
		return cm
	}
	return m
}
