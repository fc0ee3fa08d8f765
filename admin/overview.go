package admin

import (
	"context"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/indexingrun"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/session"
)

// LargestConversations is how many conversations an overview lists.
const LargestConversations = 5

// Overview summarises an organization.
type Overview struct {
	Organization string         `json:"organization"`
	Counts       map[string]int `json:"counts"` // rows per entity
	Largest      []Largest      `json:"largest_conversations"`
	Sessions     map[string]int `json:"sessions_by_status"` // "unset" for sessions without a status
	Memories     map[string]int `json:"memories_by_type"`
	Connectors   []Connector    `json:"indexing_by_connector"`
}

// Largest is a conversation and its message count.
type Largest struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Messages int    `json:"messages"`
}

// Connector is the indexing history of one connector.
type Connector struct {
	Name        string     `json:"name"`
	Runs        int        `json:"runs"`
	LastSuccess *time.Time `json:"last_success,omitempty"` // start of the newest succeeded run
	LastFailure *time.Time `json:"last_failure,omitempty"` // start of the newest failed run
}

// Overview counts the viewer's organization.
func (a *Admin) Overview(ctx context.Context) (*Overview, error) {
	client, v, err := a.client(ctx, false)
	if err != nil {
		return nil, err
	}
	o := &Overview{Organization: v.OrganizationID, Counts: map[string]int{}, Sessions: map[string]int{}, Memories: map[string]int{}}
	counters := map[string]func(context.Context) (int, error){
		"conversations": client.Conversation.Query().Count, "participants": client.Participant.Query().Count,
		"messages": client.Message.Query().Count, "sessions": client.Session.Query().Count,
		"documents": client.Document.Query().Count, "chunks": client.Chunk.Query().Count,
		"memories": client.Memory.Query().Count, "checkpoints": client.Checkpoint.Query().Count,
		"connector_configs": client.ConnectorConfig.Query().Count, "agent_settings": client.AgentSettings.Query().Count,
		"indexing_runs": client.IndexingRun.Query().Count,
	}
	for name, count := range counters {
		if o.Counts[name], err = count(ctx); err != nil {
			return nil, err
		}
	}
	convs, err := client.Conversation.Query().
		Order(conversation.ByMessagesCount(sql.OrderDesc()), conversation.ByID()).Limit(LargestConversations).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range convs {
		n, err := c.QueryMessages().Count(ctx)
		if err != nil {
			return nil, err
		}
		o.Largest = append(o.Largest, Largest{ID: c.ID, Name: c.Name, Messages: n})
	}
	if err := countBy(ctx, client.Session.Query().Modify(perValue(session.FieldStatus)), o.Sessions); err != nil {
		return nil, err
	}
	if err := countBy(ctx, client.Memory.Query().Modify(perValue(memory.FieldMemoryType)), o.Memories); err != nil {
		return nil, err
	}
	o.Connectors, err = connectors(ctx, client)
	return o, err
}

// Unset is the key under which rows without a value are counted.
const Unset = "unset"

// countBy adds the (key, count) rows of q to into; a NULL key counts as Unset.
func countBy(ctx context.Context, q interface {
	Scan(context.Context, any) error
}, into map[string]int) error {
	var rows []struct {
		Key   *string `json:"key"`
		Count int     `json:"count"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		key := Unset
		if r.Key != nil {
			key = *r.Key
		}
		into[key] = r.Count
	}
	return nil
}

// perValue selects (key, count) grouped by column col.
func perValue(col string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.Select(sql.As(s.C(col), "key"), sql.As(sql.Count("*"), "count")).GroupBy(s.C(col))
	}
}

func connectors(ctx context.Context, client *ent.Client) ([]Connector, error) {
	var rows []struct {
		Name   string    `json:"connector_name"`
		Status string    `json:"status"`
		Runs   int       `json:"runs"`
		Last   time.Time `json:"last"`
	}
	if err := client.IndexingRun.Query().GroupBy(indexingrun.FieldConnectorName, indexingrun.FieldStatus).
		Aggregate(ent.As(ent.Count(), "runs"), ent.As(ent.Max(indexingrun.FieldStartedAt), "last")).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	byName := map[string]*Connector{}
	for _, r := range rows {
		c := byName[r.Name]
		if c == nil {
			c = &Connector{Name: r.Name}
			byName[r.Name] = c
		}
		c.Runs += r.Runs
		switch r.Status {
		case indexingrun.StatusSucceeded.String():
			c.LastSuccess = &r.Last
		case indexingrun.StatusFailed.String():
			c.LastFailure = &r.Last
		}
	}
	out := make([]Connector, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Connector) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
