package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
)

const org = "bench"

// load fills the schema with conversations, two participants each, and
// messages spread round-robin, in set-based statements.
func (e *env) load(ctx context.Context) error {
	stmts := []string{
		`INSERT INTO conversations (id, organization_id, created_at, updated_at, platform, name)
SELECT 'c' || i, $1, now(), now(), 'web', 'conversation ' || i FROM generate_series(1, $2) i`,
		`INSERT INTO participants (id, organization_id, conversation_id, created_at, updated_at, type, name)
SELECT 'c' || i || '-' || p, $1, 'c' || i, now(), now(), CASE p WHEN 'user' THEN 'user' ELSE 'ai-agent' END, p
FROM generate_series(1, $2) i, unnest(ARRAY['user', 'bot']) p`,
		`INSERT INTO messages (id, organization_id, conversation_id, direction, content, created_at,
	from_participant_id, to_participant_id)
SELECT 'm' || g, $1, 'c' || (g % $2 + 1), 'inbound',
	'{"items":[{"type":"text","text":"hello there"}],"text":"hello there"}', now(),
	'c' || (g % $2 + 1) || '-user', 'c' || (g % $2 + 1) || '-bot'
FROM generate_series(1, $3) g`,
		`ANALYZE conversations, participants, messages`, // this schema's: a database-wide one locks every test's tables
	}
	args := [][]any{{org, e.cfg.Conversations}, {org, e.cfg.Conversations}, {org, e.cfg.Conversations, e.cfg.Messages}, nil}
	for i, q := range stmts {
		if _, err := e.pool.Exec(ctx, q, args[i]...); err != nil {
			return fmt.Errorf("bench: load: %w", err)
		}
	}
	return nil
}

// path is one way of doing the work: the raw-pgx floor or the storage facade.
type path interface {
	name() string
	appendMessage(ctx context.Context, conv string) error
	page(ctx context.Context, conv string, p pageAt) (int, error)
}

// pageAt is where a page read starts: a storage cursor and the seq it names.
type pageAt struct {
	cursor string
	seq    int64
}

func (e *env) viewer(ctx context.Context) context.Context {
	return access.NewContext(ctx, access.Viewer{OrganizationID: org})
}

func (e *env) conv(r *rand.Rand) string { return fmt.Sprintf("c%d", r.IntN(e.cfg.Conversations)+1) }

// appends runs cfg.Appends appends from cfg.Workers goroutines.
func (e *env) appends(ctx context.Context, p path) (Result, error) {
	ctx = e.viewer(ctx)
	per := max(1, e.cfg.Appends/e.cfg.Workers)
	lat := make([][]time.Duration, e.cfg.Workers)
	errs := make([]error, e.cfg.Workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range e.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range per {
				t := time.Now()
				if err := p.appendMessage(ctx, e.conv(r)); err != nil {
					errs[w] = err
					return
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for w := range lat {
		if errs[w] != nil {
			return Result{}, errs[w]
		}
		all = append(all, lat[w]...)
	}
	return summarize(all, elapsed), nil
}

// pages reads cfg.Pages pages one after another, each from a cursor at a
// random place in a random conversation.
func (e *env) pages(ctx context.Context, p path) (Result, error) {
	ctx = e.viewer(ctx)
	starts, err := e.pageStarts(ctx, 100)
	if err != nil {
		return Result{}, err
	}
	r := rand.New(rand.NewPCG(7, 7))
	lat := make([]time.Duration, 0, e.cfg.Pages)
	start := time.Now()
	for range e.cfg.Pages {
		s := starts[r.IntN(len(starts))]
		t := time.Now()
		n, err := p.page(ctx, s.conv, s.at)
		if err != nil {
			return Result{}, err
		}
		if n != e.cfg.PageSize {
			return Result{}, fmt.Errorf("page of %d rows, want %d", n, e.cfg.PageSize)
		}
		lat = append(lat, time.Since(t))
	}
	return summarize(lat, time.Since(start)), nil
}

type pageStart struct {
	conv string
	at   pageAt
}

// pageStarts takes n cursors from the storage facade, each far enough from
// its conversation's end that a whole page follows.
func (e *env) pageStarts(ctx context.Context, n int) ([]pageStart, error) {
	r := rand.New(rand.NewPCG(3, 3))
	perConv := e.cfg.Messages / e.cfg.Conversations
	if perConv < 2*e.cfg.PageSize {
		return nil, fmt.Errorf("bench: %d messages per conversation is too few for pages of %d", perConv, e.cfg.PageSize)
	}
	out := make([]pageStart, 0, n)
	for range n {
		conv := e.conv(r)
		skip := 1 + r.IntN(perConv-e.cfg.PageSize-1)
		page, err := e.store.Messages(ctx, conv, storage.MessagePageRequest{Limit: skip})
		if err != nil {
			return nil, err
		}
		out = append(out, pageStart{conv: conv, at: pageAt{cursor: page.Next, seq: page.Items[len(page.Items)-1].Seq}})
	}
	return out, nil
}

// storePath goes through storage (ent, privacy, validation).
type storePath struct {
	store *storage.Store
	size  int
}

func (storePath) name() string { return "storage" }

func (p storePath) appendMessage(ctx context.Context, conv string) error {
	_, err := p.store.AppendMessage(ctx, storage.NewMessage{ConversationID: conv, Direction: "inbound",
		Content: chat.FromText("a new message"), From: conv + "-user", To: conv + "-bot"})
	return err
}

func (p storePath) page(ctx context.Context, conv string, at pageAt) (int, error) {
	page, err := p.store.Messages(ctx, conv, storage.MessagePageRequest{Limit: p.size, Cursor: at.cursor})
	return len(page.Items), err
}

// rawPath is the floor: the facade's statements with pgx, no ent, no
// privacy.
type rawPath struct {
	pool *pgxpool.Pool
	size int
}

func (rawPath) name() string { return "raw pgx" }

func (p rawPath) appendMessage(ctx context.Context, conv string) error {
	from, to := conv+"-user", conv+"-bot"
	// The facade's two statements: insert (foreign keys check the
	// references), then read back seq and the references.
	content, err := json.Marshal(chat.FromText("a new message"))
	if err != nil {
		return err
	}
	var id string
	err = p.pool.QueryRow(ctx, `INSERT INTO messages (id, organization_id, conversation_id, direction, content,
	metadata, analytics, created_at, from_participant_id, to_participant_id)
VALUES (gen_random_uuid()::text, $1, $2, 'inbound', $3, '{}', '{}', now(), $4, $5) RETURNING id`,
		org, conv, content, from, to).Scan(&id)
	if err != nil {
		return err
	}
	var (
		seq            int64
		ft, fn, tt, tn *string
	)
	return p.pool.QueryRow(ctx, `SELECT m.seq, fp.type, fp.name, tp.type, tp.name
FROM messages m
LEFT JOIN participants fp ON m.from_participant_id = fp.id
LEFT JOIN participants tp ON m.to_participant_id = tp.id
WHERE m.organization_id = $1 AND m.id = $2`, org, id).Scan(&seq, &ft, &fn, &tt, &tn)
}

func (p rawPath) page(ctx context.Context, conv string, at pageAt) (int, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, organization_id, external_id, conversation_id, direction,
	content, from_participant_id, to_participant_id, metadata, analytics, seq, created_at, updated_at
FROM messages WHERE organization_id = $1 AND conversation_id = $2 AND seq >= $3
ORDER BY seq LIMIT $4`, org, conv, at.seq, p.size+2)
	if err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	n, err := scanMessages(rows, func(from, to *string, _, _, _, _ *string) {
		for _, id := range []*string{from, to} {
			if id != nil {
				ids[*id] = true
			}
		}
	}, false)
	if err != nil {
		return 0, err
	}
	n = pageLen(n, p.size)
	refs, err := p.pool.Query(ctx, `SELECT id, type, name FROM participants WHERE organization_id = $1 AND id = ANY($2)`,
		org, keys(ids))
	if err != nil {
		return 0, err
	}
	defer refs.Close()
	for refs.Next() {
		var id, typ, name string
		if err := refs.Scan(&id, &typ, &name); err != nil {
			return 0, err
		}
	}
	return n, refs.Err()
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// oneStatementPath is raw pgx doing each operation in one statement.
type oneStatementPath struct{ rawPath }

func (oneStatementPath) name() string { return "raw pgx, one stmt" }

func (p oneStatementPath) appendMessage(ctx context.Context, conv string) error {
	content, err := json.Marshal(chat.FromText("a new message"))
	if err != nil {
		return err
	}
	var (
		seq            int64
		ft, fn, tt, tn *string
	)
	return p.pool.QueryRow(ctx, `WITH m AS (
	INSERT INTO messages (id, organization_id, conversation_id, direction, content, metadata, analytics, created_at,
		from_participant_id, to_participant_id)
	VALUES (gen_random_uuid()::text, $1, $2, 'inbound', $3, '{}', '{}', now(), $4, $5)
	RETURNING seq, from_participant_id, to_participant_id)
SELECT m.seq, fp.type, fp.name, tp.type, tp.name FROM m
LEFT JOIN participants fp ON m.from_participant_id = fp.id
LEFT JOIN participants tp ON m.to_participant_id = tp.id`, org, conv, content, conv+"-user", conv+"-bot").
		Scan(&seq, &ft, &fn, &tt, &tn)
}

func (p oneStatementPath) page(ctx context.Context, conv string, at pageAt) (int, error) {
	rows, err := p.pool.Query(ctx, `SELECT m.id, m.organization_id, m.external_id, m.conversation_id, m.direction,
	m.content, m.from_participant_id, m.to_participant_id, m.metadata, m.analytics, m.seq, m.created_at, m.updated_at,
	fp.type, fp.name, tp.type, tp.name
FROM messages m
LEFT JOIN participants fp ON m.from_participant_id = fp.id
LEFT JOIN participants tp ON m.to_participant_id = tp.id
WHERE m.organization_id = $1 AND m.conversation_id = $2 AND m.seq >= $3
ORDER BY m.seq LIMIT $4`, org, conv, at.seq, p.size+2)
	if err != nil {
		return 0, err
	}
	n, err := scanMessages(rows, func(_, _ *string, _, _, _, _ *string) {}, true)
	return pageLen(n, p.size), err
}

// pageLen is the page size of n rows read from the cursor row on, with one
// look-ahead row.
func pageLen(n, size int) int { return min(max(0, n-1), size) }

// scanMessages decodes rows as the facade does (every column, the JSON
// documents) and counts them; joined rows carry the references' type and
// name after the columns.
func scanMessages(rows pgx.Rows, refs func(from, to, ft, fn, tt, tn *string), joined bool) (int, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id, orgID, convID, dir   string
			ext, from, to            *string
			seq                      int64
			content, meta, analytics []byte
			created                  time.Time
			updated                  *time.Time
			ft, fn, tt, tn           *string
			c                        chat.Content
			m, a                     map[string]any
		)
		dest := []any{&id, &orgID, &ext, &convID, &dir, &content, &from, &to, &meta, &analytics, &seq, &created, &updated}
		if joined {
			dest = append(dest, &ft, &fn, &tt, &tn)
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
		for _, j := range []struct {
			b []byte
			v any
		}{{content, &c}, {meta, &m}, {analytics, &a}} {
			if err := json.Unmarshal(j.b, j.v); err != nil {
				return 0, err
			}
		}
		refs(from, to, ft, fn, tt, tn)
		n++
	}
	return n, rows.Err()
}
