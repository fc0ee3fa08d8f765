package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
)

// SoakConfig bounds a soak run: it stops at Duration or after Ops
// operations, whichever comes first.
type SoakConfig struct {
	URL      string // must name a loopback server
	Duration time.Duration
	Ops      int
	Workers  int
	Pool     int32 // the store's connections
}

// SoakDefaults: three minutes, 32 workers on 16 connections.
func SoakDefaults(url string) SoakConfig {
	return SoakConfig{URL: url, Duration: 3 * time.Minute, Ops: 1_000_000, Workers: 32, Pool: 16}
}

// SoakResult is one operation's numbers.
type SoakResult struct {
	Operation     string
	N, Errors     int
	PerSecond     float64
	P50, P95, P99 time.Duration
}

// soakOps are the mixed operations and their weights.
var soakOps = []struct {
	name   string
	weight int
}{{"append message", 40}, {"page messages", 25}, {"hybrid search", 15}, {"ingest document", 10}, {"recall memories", 10}}

// Soak mixes appends, pages, searches, ingests and memory recalls from
// Workers goroutines on a throwaway schema until the bound, then prints
// throughput, p50/p95/p99 and errors per operation and the pool's
// saturation. Any error is returned after the table (a soak must have none).
func Soak(ctx context.Context, cfg SoakConfig, w io.Writer) ([]SoakResult, error) {
	if err := loopback(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Workers < 1 || cfg.Pool < 1 || cfg.Ops < 1 || cfg.Duration <= 0 {
		return nil, fmt.Errorf("bench: soak config %+v is out of range", cfg)
	}
	e, err := setup(ctx, cfg.URL, cfg.Pool)
	if err != nil {
		return nil, err
	}
	defer e.close(context.WithoutCancel(ctx))
	vctx := access.NewContext(ctx, access.Viewer{OrganizationID: org, UserID: "soak", Role: access.RoleAdmin})
	convs, err := seedSoak(vctx, e.store)
	if err != nil {
		return nil, err
	}

	type sample struct {
		op  int
		lat time.Duration
		err error
	}
	samples := make([][]sample, cfg.Workers)
	var (
		wg        sync.WaitGroup
		done      = make(chan struct{})
		remaining = make(chan struct{}, cfg.Ops)
	)
	for range cfg.Ops {
		remaining <- struct{}{}
	}
	close(remaining)
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	for i := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for range remaining {
				if time.Now().After(deadline) || ctx.Err() != nil {
					return
				}
				op := pickOp(r)
				t := time.Now()
				err := soakOp(vctx, e.store, r, op, convs[r.IntN(len(convs))], i)
				samples[i] = append(samples[i], sample{op, time.Since(t), err})
			}
		}()
	}
	peak := 0 // connections in use, sampled
	sampler := make(chan struct{})
	go func() {
		defer close(sampler)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				peak = max(peak, int(e.store.Pool().Stat().AcquiredConns()))
			}
		}
	}()
	wg.Wait()
	close(done)
	<-sampler
	elapsed := time.Since(start)
	stat := e.store.Pool().Stat()
	waited, acquires := stat.EmptyAcquireCount(), stat.AcquireCount()

	var results []SoakResult
	var errs []error
	for op, o := range soakOps {
		var lat []time.Duration
		res := SoakResult{Operation: o.name}
		for _, ws := range samples {
			for _, s := range ws {
				if s.op != op {
					continue
				}
				lat = append(lat, s.lat)
				if s.err != nil {
					res.Errors++
					errs = append(errs, fmt.Errorf("%s: %w", o.name, s.err))
				}
			}
		}
		slices.Sort(lat)
		res.N, res.PerSecond = len(lat), float64(len(lat))/elapsed.Seconds()
		res.P50, res.P95, res.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
		results = append(results, res)
	}
	fmt.Fprintf(w, "agentstore soak: %d workers on %d connections for %s\n\n", cfg.Workers, cfg.Pool, elapsed.Round(time.Millisecond))
	fmt.Fprintln(w, "| operation | n | ops/s | p50 | p95 | p99 | errors |\n|---|---|---|---|---|---|---|")
	total := 0
	for _, r := range results {
		total += r.N
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %d |\n", r.Operation, r.N, r.PerSecond, ms(r.P50), ms(r.P95), ms(r.P99), r.Errors)
	}
	fmt.Fprintf(w, "| all | %d | %.0f | | | | %d |\n", total, float64(total)/elapsed.Seconds(), len(errs))
	fmt.Fprintf(w, "\npool: %d connections, peak %d in use (%.0f%%); %d of %d acquires waited for a connection (%.1f%%)\n",
		cfg.Pool, peak, 100*float64(peak)/float64(cfg.Pool), waited, acquires, 100*float64(waited)/float64(max(acquires, 1)))
	if len(errs) > 0 {
		return results, fmt.Errorf("bench: soak had %d errors, first: %w", len(errs), errs[0])
	}
	return results, nil
}

// seedSoak makes conversations to append to and page, knowledge to search
// and memories to recall.
func seedSoak(ctx context.Context, st *storage.Store) ([]string, error) {
	r := rand.New(rand.NewPCG(3, 3))
	var convs []string
	for range 50 {
		c, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web"})
		if err != nil {
			return nil, err
		}
		convs = append(convs, c.ID)
	}
	docs := make([]storage.DocumentInput, 500)
	for i := range docs {
		docs[i] = storage.DocumentInput{Source: fmt.Sprintf("seed-%d", i), Content: sentence(r, soakVocab, 60)}
	}
	if _, err := st.IngestMany(ctx, docs); err != nil {
		return nil, err
	}
	mem, err := st.Memories(ctx, "soak")
	if err != nil {
		return nil, err
	}
	for range 200 {
		if _, err := mem.Store(ctx, storage.NewMemory{Content: sentence(r, soakVocab, 8), MemoryType: "User"}); err != nil {
			return nil, err
		}
	}
	return convs, nil
}

func pickOp(r *rand.Rand) int {
	n := r.IntN(100)
	for i, o := range soakOps {
		if n < o.weight {
			return i
		}
		n -= o.weight
	}
	return 0
}

// soakOp runs operation op once.
func soakOp(ctx context.Context, st *storage.Store, r *rand.Rand, op int, conv string, worker int) error {
	vocab := soakVocab
	switch op { // the order of soakOps
	case 0:
		_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: conv, Direction: "inbound",
			Content: chat.FromText(sentence(r, vocab, 12))})
		return err
	case 1:
		_, err := st.Messages(ctx, conv, storage.MessagePageRequest{Limit: 50, Descending: true})
		return err
	case 2:
		_, err := st.Search(ctx, storage.SearchRequest{Query: sentence(r, vocab, 4), Limit: 10})
		return err
	case 3:
		// Re-ingests a small set of sources, so replacement runs too.
		_, err := st.Ingest(ctx, storage.DocumentInput{Source: fmt.Sprintf("live-%d-%d", worker, r.IntN(20)),
			Content: sentence(r, vocab, 120)})
		return err
	default:
		mem, err := st.Memories(ctx, "soak")
		if err != nil {
			return err
		}
		_, err = mem.Recall(ctx, sentence(r, vocab, 4), 5, -1)
		return err
	}
}

var soakVocab = vocabulary(2000)

// loopback refuses servers that are not on this machine: a soak is load.
func loopback(raw string) error {
	u, err := neturl.Parse(raw)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	host := u.Hostname()
	socket := strings.HasPrefix(u.Query().Get("host"), "/")
	if host == "" || host == "localhost" || socket {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("bench: the soak only runs against a loopback server, not " + host)
}
