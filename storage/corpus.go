package storage

import (
	"context"
	"sync"
	"time"

	"github.com/agentstore/agentstore/vector"
)

// CorpusSizeTTL is how old an organization's chunk count (BM25's N) may be
// when a search uses it. Writes through the store forget it at once; other
// writers are seen within the TTL.
const CorpusSizeTTL = time.Minute

// corpusSizes caches chunk counts per organization: counting reads the
// organization's whole index, which grows with it, on every search.
type corpusSizes struct {
	mu    sync.Mutex
	sizes map[string]counted
}

type counted struct {
	n  int64
	at time.Time
}

// everyOrganization keys the system viewer's count (organization ids are
// never empty).
const everyOrganization = ""

func (c *corpusSizes) get(ctx context.Context, q vector.Querier, org *string) (int64, error) {
	key := everyOrganization
	if org != nil {
		key = *org
	}
	c.mu.Lock()
	s, ok := c.sizes[key]
	c.mu.Unlock()
	if ok && time.Since(s.at) < CorpusSizeTTL {
		return s.n, nil
	}
	n, err := vector.CountChunks(ctx, q, org)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sizes == nil {
		c.sizes = map[string]counted{}
	}
	c.sizes[key] = counted{n: n, at: time.Now()}
	return n, nil
}

// forget drops org's count (and every organization's) after a write; ""
// drops all.
func (c *corpusSizes) forget(org string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if org == everyOrganization {
		clear(c.sizes)
	}
	delete(c.sizes, org)
	delete(c.sizes, everyOrganization)
}
