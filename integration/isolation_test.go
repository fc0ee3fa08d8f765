package integration

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/admin"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/checkpoint"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// world is what one organization holds, by kind of row.
type world struct {
	org                                                                string
	conversations, participants, messages, sessions, checkpoints, docs []string
	chunks, memories, connectors, users                                []string
	docText                                                            map[string]string   // document id → a phrase of its content
	docACL                                                             map[string][]string // document id → ACL tokens
	memoryText                                                         map[string]string
}

var isolationGroups = []string{"g1", "g2", "g3"}

// build fills org with random rows through the storage facade.
func build(t *testing.T, st *storage.Store, r *rand.Rand, org string) *world {
	t.Helper()
	w := &world{org: org, docText: map[string]string{}, docACL: map[string][]string{}, memoryText: map[string]string{}}
	ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: org, Role: access.RoleAdmin})
	word := func() string { return fmt.Sprintf("w%d", r.IntN(60)) }
	for c := range 2 + r.IntN(3) {
		conv, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Name: org + " conversation"})
		require.NoError(t, err)
		w.conversations = append(w.conversations, conv.ID)
		var people []string
		for p := range 2 + r.IntN(2) {
			user := fmt.Sprintf("%s-user-%d-%d", org, c, p)
			kind := "user"
			if p == 0 {
				kind = "ai-agent"
			}
			pt, err := st.AddParticipant(ctx, storage.NewParticipant{ConversationID: conv.ID, Type: kind, Name: user,
				ExternalID: &user, Email: ptr(user + "@example.com")})
			require.NoError(t, err)
			people = append(people, pt.ID)
			w.participants = append(w.participants, pt.ID)
			if kind == "user" {
				w.users = append(w.users, user)
			}
		}
		for range 2 + r.IntN(6) {
			m, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: conv.ID, Direction: "inbound",
				Content: chat.FromText(word() + " " + word()), From: people[r.IntN(len(people))], To: people[0]})
			require.NoError(t, err)
			w.messages = append(w.messages, m.ID)
		}
		s, err := st.CreateSession(ctx, storage.NewSession{ConversationID: conv.ID, UserParticipantID: people[1], AgentParticipantID: people[0]})
		require.NoError(t, err)
		w.sessions = append(w.sessions, s.ID)
		cp, err := st.SaveCheckpoint(ctx, storage.NewCheckpoint{AgentID: "agent", ThreadID: conv.ID, State: []byte(`{"n":1}`)})
		require.NoError(t, err)
		w.checkpoints = append(w.checkpoints, cp.ID)
	}
	for d := range 3 + r.IntN(4) {
		var acl *access.ACL
		switch r.IntN(4) {
		case 1:
			acl = &access.ACL{Groups: []string{isolationGroups[r.IntN(len(isolationGroups))]}}
		case 2:
			acl = &access.ACL{Users: []string{w.users[r.IntN(len(w.users))]}}
		case 3:
			acl = &access.ACL{} // locked
		}
		phrase := fmt.Sprintf("%s %s %s", word(), word(), word())
		res, err := st.Ingest(ctx, storage.DocumentInput{Source: fmt.Sprintf("%s/doc-%d.md", org, d), Content: phrase + " refund policy", ACL: acl})
		require.NoError(t, err)
		w.docs = append(w.docs, res.Document.ID)
		w.docText[res.Document.ID] = phrase
		w.docACL[res.Document.ID] = acl.Principals()
		w.chunks = append(w.chunks, res.Document.ID+"#0")
	}
	for _, user := range w.users {
		mem, err := st.Memories(ctx, user)
		require.NoError(t, err)
		text := word() + " " + word() + " memory of " + user
		m, err := mem.Store(ctx, storage.NewMemory{Content: text, MemoryType: "User"})
		require.NoError(t, err)
		w.memories = append(w.memories, m.ID)
		w.memoryText[m.ID] = text
	}
	cc, err := st.UpsertConnectorConfig(ctx, storage.ConnectorConfigInput{Name: "docs", Kind: "web"})
	require.NoError(t, err)
	w.connectors = append(w.connectors, cc.ID)
	return w
}

// counts snapshots every table's rows per organization.
func counts(t *testing.T, st *storage.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	rows, err := st.Pool().Query(t.Context(), `
SELECT 'conversations/' || organization_id, count(*) FROM conversations GROUP BY 1 UNION ALL
SELECT 'participants/' || organization_id, count(*) FROM participants GROUP BY 1 UNION ALL
SELECT 'messages/' || organization_id, count(*) FROM messages GROUP BY 1 UNION ALL
SELECT 'sessions/' || organization_id, count(*) FROM sessions GROUP BY 1 UNION ALL
SELECT 'checkpoints/' || organization_id, count(*) FROM checkpoints GROUP BY 1 UNION ALL
SELECT 'documents/' || organization_id, count(*) FROM documents GROUP BY 1 UNION ALL
SELECT 'chunks/' || organization_id, count(*) FROM chunks GROUP BY 1 UNION ALL
SELECT 'memories/' || organization_id, count(*) FROM memories GROUP BY 1 UNION ALL
SELECT 'connectors/' || organization_id, count(*) FROM connector_configs GROUP BY 1 UNION ALL
SELECT 'state/' || organization_id, count(*) FROM conversations WHERE metadata <> '{}' OR name <> organization_id || ' conversation' GROUP BY 1`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		require.NoError(t, rows.Scan(&k, &n))
		out[k] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func pick(r *rand.Rand, ids []string) string { return ids[r.IntN(len(ids))] }

// TestTenantIsolationRandomized builds three organizations with random rows
// and ACLs, then makes thousands of random attempts, as members (with random
// groups) and admins of one organization, to read or change another's rows
// through every path: storage methods, ent queries and traversals, the raw
// SQL search, memory recall, admin queries and mutations by id. It also
// checks that members never see documents their ACL hides. Set
// AGENTSTORE_SEED to replay a run.
func TestTenantIsolationRandomized(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AGENTSTORE_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (replay with AGENTSTORE_SEED=%d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, seed))
	st := storagetest.Store(t)
	a := admin.New(st)
	worlds := []*world{build(t, st, r, "org-a"), build(t, st, r, "org-b"), build(t, st, r, "org-c")}
	before := counts(t, st)

	const attempts = 3000
	leaks := 0
	leak := func(format string, args ...any) {
		leaks++
		t.Errorf("leak (seed %d): "+format, append([]any{seed}, args...)...)
	}
	// gone: the call must fail as not found (or find nothing).
	gone := func(what string, err error) {
		if err == nil || !(errors.Is(err, storage.ErrNotFound) || ent.IsNotFound(err) || errors.Is(err, storage.ErrPermissionDenied)) {
			leak("%s: want not found, got %v", what, err)
		}
	}
	none := func(what string, n int, err error) {
		if err != nil || n != 0 {
			leak("%s: %d rows, %v", what, n, err)
		}
	}
	for range attempts {
		me := worlds[r.IntN(len(worlds))]
		them := worlds[r.IntN(len(worlds))]
		for them == me {
			them = worlds[r.IntN(len(worlds))]
		}
		v := access.Viewer{OrganizationID: me.org, UserID: pick(r, me.users)}
		if r.IntN(2) == 0 {
			v.Groups = []string{pick(r, isolationGroups)}
		}
		if r.IntN(4) == 0 {
			v.Role = access.RoleAdmin
		}
		ctx := access.NewContext(t.Context(), v)
		c := st.Client()
		switch r.IntN(16) {
		case 0:
			_, err := st.Conversation(ctx, pick(r, them.conversations))
			gone("storage conversation", err)
		case 1:
			_, err := st.Participant(ctx, pick(r, them.participants))
			gone("storage participant", err)
		case 2:
			_, err := st.Session(ctx, pick(r, them.sessions))
			gone("storage session", err)
		case 3:
			_, err := st.Checkpoint(ctx, pick(r, them.checkpoints))
			gone("storage checkpoint", err)
		case 4:
			page, err := st.Messages(ctx, pick(r, them.conversations), storage.MessagePageRequest{Limit: 50})
			none("storage messages of another conversation", len(page.Items), err)
		case 5:
			n, err := c.Message.Query().Where(message.ID(pick(r, them.messages))).Count(ctx)
			none("ent message by id", n, err)
			n, err = c.Chunk.Query().Where(chunk.ID(pick(r, them.chunks))).Count(ctx)
			none("ent chunk by id", n, err)
		case 6:
			n, err := c.Conversation.Query().QueryMessages().Where(message.OrganizationID(them.org)).Count(ctx)
			none("ent traversal conversations → messages", n, err)
			n, err = c.Document.Query().QueryChunks().Where(chunk.OrganizationID(them.org)).Count(ctx)
			none("ent traversal documents → chunks", n, err)
			n, err = c.Participant.Query().QueryUserSessions().Where(session.OrganizationID(them.org)).Count(ctx)
			none("ent traversal participants → sessions", n, err)
		case 7:
			doc := pick(r, them.docs)
			hits, err := st.Search(ctx, storage.SearchRequest{Query: them.docText[doc], Limit: 20})
			if err != nil {
				leak("search: %v", err)
			}
			for _, h := range hits {
				if _, mine := me.docACL[h.DocumentID]; !mine {
					leak("search as %s found %s's document %s", me.org, them.org, h.DocumentID)
				}
			}
		case 8:
			// Within the organization: the ACL hides what it hides.
			doc := pick(r, me.docs)
			hits, err := st.Search(ctx, storage.SearchRequest{Query: me.docText[doc], Limit: 20})
			if err != nil {
				leak("search: %v", err)
			}
			for _, h := range hits {
				if !v.CanRead(me.docACL[h.DocumentID]) {
					leak("search as %+v found hidden document %s (ACL %v)", v, h.DocumentID, me.docACL[h.DocumentID])
				}
			}
			visible, err := c.Document.Query().Where(document.ID(doc)).Exist(ctx)
			if err != nil || visible != v.CanRead(me.docACL[doc]) {
				leak("ent document %s visible=%t for %+v (ACL %v), %v", doc, visible, v, me.docACL[doc], err)
			}
		case 9:
			id := pick(r, them.memories)
			for _, user := range []string{v.UserID, ""} {
				mem, err := st.Memories(ctx, user)
				if err != nil {
					leak("memories: %v", err)
					continue
				}
				got, err := mem.Recall(ctx, them.memoryText[id], 10, -1)
				if err != nil {
					leak("recall: %v", err)
				}
				for _, m := range got {
					if m.ID == id {
						leak("recall as %s found %s's memory", me.org, them.org)
					}
				}
			}
		case 10:
			actx := access.NewContext(t.Context(), access.Viewer{OrganizationID: me.org, Role: access.RoleAdmin})
			_, err := a.Transcript(actx, pick(r, them.conversations), admin.TranscriptRequest{})
			gone("admin transcript", err)
			_, err = a.Audience(actx, pick(r, them.docs))
			gone("admin audience", err)
			f, err := a.Footprint(actx, admin.Subject{ExternalID: pick(r, them.users)})
			if err != nil || !f.Empty() {
				leak("admin footprint of another organization's user: %v", err)
			}
		case 11:
			_, err := st.UpdateConversation(ctx, pick(r, them.conversations), storage.ConversationUpdate{Name: ptr("taken"),
				Metadata: map[string]any{"owned": true}})
			gone("update conversation", err)
		case 12:
			ok, err := st.DeleteDocument(ctx, pick(r, them.docs))
			if ok || (err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrPermissionDenied)) {
				leak("delete document: %t, %v", ok, err)
			}
			ok, err = st.DeleteConnectorConfig(ctx, pick(r, them.connectors))
			if ok || (err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrPermissionDenied)) {
				leak("delete connector config: %t, %v", ok, err)
			}
		case 13:
			n, err := c.Message.Update().Where(message.ID(pick(r, them.messages))).SetMetadata(map[string]any{"x": 1}).Save(ctx)
			if n != 0 && err == nil {
				leak("ent bulk update reached %d messages", n)
			}
			n, err = c.Chunk.Delete().Where(chunk.ID(pick(r, them.chunks))).Exec(ctx)
			if n != 0 && err == nil {
				leak("ent bulk delete reached %d chunks", n)
			}
			err = c.Checkpoint.UpdateOneID(pick(r, them.checkpoints)).SetIteration(99).Exec(ctx)
			if err == nil {
				leak("ent update by id reached a checkpoint")
			}
		case 14:
			mem, err := st.Memories(ctx, v.UserID)
			if err != nil {
				leak("memories: %v", err)
				break
			}
			ok, err := mem.Forget(ctx, pick(r, them.memories))
			if ok || (err != nil && !errors.Is(err, storage.ErrNotFound)) {
				leak("forget another organization's memory: %t, %v", ok, err)
			}
			n, err := c.Memory.Delete().Where(memory.ID(pick(r, them.memories))).Exec(ctx)
			if n != 0 && err == nil {
				leak("ent delete reached a memory")
			}
		case 15:
			err := c.Participant.UpdateOneID(pick(r, them.participants)).SetName("taken").Exec(ctx)
			if err == nil {
				leak("ent update by id reached a participant")
			}
			n, err := c.Conversation.Delete().Where(conversation.ID(pick(r, them.conversations))).Exec(ctx)
			if n != 0 && err == nil {
				leak("ent delete reached a conversation")
			}
			n, err = c.Checkpoint.Query().Where(checkpoint.ID(pick(r, them.checkpoints))).Count(ctx)
			none("ent checkpoint by id", n, err)
			n, err = c.Participant.Query().Where(participant.ExternalID(pick(r, them.users))).Count(ctx)
			none("ent participant by external id", n, err)
		}
	}
	require.Equal(t, before, counts(t, st), "no write crossed an organization")
	t.Logf("%d attempts, %d leaks (seed %d)", attempts, leaks, seed)
	require.Zero(t, leaks)
}
