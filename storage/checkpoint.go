package storage

import (
	"context"
	"encoding/json"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/checkpoint"
)

// NewCheckpoint is the input of SaveCheckpoint.
type NewCheckpoint struct {
	ID        string // optional; a UUID when empty. Saving an existing id updates it in place.
	AgentID   string
	ThreadID  string
	ParentID  *string
	Iteration int
	State     json.RawMessage // the engine's conversation state; required
	Metadata  map[string]any
}

// SaveCheckpoint upserts a checkpoint by id within the viewer's
// organization. A re-save keeps the checkpoint's place (seq) in its thread.
func (o ops) SaveCheckpoint(ctx context.Context, in NewCheckpoint) (*ent.Checkpoint, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("agent id", in.AgentID, true)
	c.key("thread id", in.ThreadID, false)
	c.optKey("parent id", in.ParentID)
	if in.Iteration < 0 {
		c.fail("iteration", "%d is negative", in.Iteration)
	}
	if len(in.State) == 0 {
		c.fail("state", "is empty")
	}
	c.json("state", in.State)
	c.json("metadata", in.Metadata)
	if c.err != nil {
		return nil, c.err
	}
	create := o.client.Checkpoint.Create().SetOrganizationID(org).SetAgentID(in.AgentID).SetThreadID(in.ThreadID).
		SetNillableParentID(in.ParentID).SetIteration(in.Iteration).SetState(in.State).SetMetadata(orEmpty(in.Metadata))
	create.SetNillableID(nonEmpty(in.ID))
	// The conflict key includes organization_id: an id of another
	// organization collides on the primary key instead of being taken over.
	id, err := create.OnConflictColumns(checkpoint.FieldOrganizationID, checkpoint.FieldID).
		UpdateNewValues().ID(ctx)
	if err != nil {
		return nil, translate(err, "checkpoint", in.ID)
	}
	return o.Checkpoint(ctx, id)
}

// Checkpoint returns one checkpoint.
func (o ops) Checkpoint(ctx context.Context, id string) (*ent.Checkpoint, error) {
	cp, err := o.client.Checkpoint.Get(ctx, id)
	return cp, translate(err, "checkpoint", id)
}

// LatestCheckpoint returns the agent's newest checkpoint in a thread (the
// highest seq); none is ErrNotFound.
func (o ops) LatestCheckpoint(ctx context.Context, agentID, threadID string) (*ent.Checkpoint, error) {
	cp, err := o.client.Checkpoint.Query().
		Where(checkpoint.AgentID(agentID), checkpoint.ThreadID(threadID)).
		Order(ent.Desc(checkpoint.FieldSeq)).First(ctx)
	return cp, translate(err, "checkpoint for agent/thread", agentID+"/"+threadID)
}

const checkpointsCursor = "checkpoints"

// Checkpoints lists the agent's checkpoints in a thread, newest first.
func (o ops) Checkpoints(ctx context.Context, agentID, threadID string, page PageRequest) (Page[*ent.Checkpoint], error) {
	out := Page[*ent.Checkpoint]{Items: []*ent.Checkpoint{}}
	c := o.check()
	c.key("agent id", agentID, true)
	c.limit(page.Limit)
	if c.err != nil {
		return out, c.err
	}
	scope := agentID + "\x00" + threadID
	q := o.client.Checkpoint.Query().Where(checkpoint.AgentID(agentID), checkpoint.ThreadID(threadID))
	if page.Cursor != "" {
		cur, err := decodeCursor(page.Cursor, checkpointsCursor, scope, true)
		if err != nil {
			return out, err
		}
		q.Where(checkpoint.SeqLT(cur.Seq))
	}
	if page.Limit == 0 {
		return out, nil
	}
	rows, err := q.Order(ent.Desc(checkpoint.FieldSeq)).Limit(page.Limit + 1).All(ctx)
	if err != nil {
		return out, translate(err, "checkpoint", "")
	}
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		out.Next = cursor{Kind: checkpointsCursor, Scope: scope, Desc: true, Seq: rows[len(rows)-1].Seq}.encode()
	}
	out.Items = rows
	return out, nil
}

// PruneCheckpoints deletes all but the newest keep checkpoints of the agent
// in a thread and returns how many it deleted.
func (o ops) PruneCheckpoints(ctx context.Context, agentID, threadID string, keep int) (int, error) {
	c := o.check()
	c.key("agent id", agentID, true)
	if keep < 0 {
		c.fail("keep", "%d is negative", keep)
	}
	if c.err != nil {
		return 0, c.err
	}
	seqs, err := o.client.Checkpoint.Query().
		Where(checkpoint.AgentID(agentID), checkpoint.ThreadID(threadID)).
		Order(ent.Desc(checkpoint.FieldSeq)).Offset(keep).Limit(1).
		Select(checkpoint.FieldSeq).Ints(ctx)
	if err != nil || len(seqs) == 0 {
		return 0, translate(err, "checkpoint", "")
	}
	n, err := o.client.Checkpoint.Delete().
		Where(checkpoint.AgentID(agentID), checkpoint.ThreadID(threadID), checkpoint.SeqLTE(int64(seqs[0]))).
		Exec(ctx)
	return n, translate(err, "checkpoint", "")
}
