package storage

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/agentsettings"
	"github.com/agentstore/agentstore/ent/connectorconfig"
	"github.com/agentstore/agentstore/ent/indexingrun"
)

// ParseConnectorKind parses connector kind text: trimmed, any case; unknown
// kinds are ErrInvalidInput.
func ParseConnectorKind(s string) (connectorconfig.Kind, error) {
	k := connectorconfig.Kind(strings.ToLower(strings.TrimSpace(s)))
	if err := connectorconfig.KindValidator(k); err != nil {
		return "", invalid("kind", "%q is not one of github, web, file", s)
	}
	return k, nil
}

// AuthRefKey is the connector config key that names a secret. It holds the
// secret's name (an identifier like GITHUB_TOKEN or vault/path/key), never
// its value.
const AuthRefKey = "auth_ref"

var secretName = regexp.MustCompile(`^[A-Za-z0-9_.\-/]{1,255}$`)

// ConnectorConfigInput is the input of UpsertConnectorConfig.
type ConnectorConfigInput struct {
	ID      string // optional on create; a UUID when empty
	Name    string
	Kind    string // github web file (trimmed, any case)
	Config  map[string]any
	Enabled *bool // default true
}

// UpsertConnectorConfig creates the connector config or updates it in place.
// An id owned by another organization is ErrConflict.
func (o ops) UpsertConnectorConfig(ctx context.Context, in ConnectorConfigInput) (*ent.ConnectorConfig, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("name", in.Name, true)
	c.json("config", in.Config)
	if ref, ok := in.Config[AuthRefKey]; ok {
		if s, isString := ref.(string); !isString || !secretName.MatchString(s) {
			c.fail("config auth_ref", "must be a secret's name (letters, digits, _ . - /), not a value")
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	kind, err := ParseConnectorKind(in.Kind)
	if err != nil {
		return nil, err
	}
	enabled := true
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	create := o.client.ConnectorConfig.Create().SetOrganizationID(org).SetName(in.Name).SetKind(kind).
		SetConfig(orEmpty(in.Config)).SetEnabled(enabled)
	create.SetNillableID(nonEmpty(in.ID))
	id, err := create.OnConflictColumns(connectorconfig.FieldOrganizationID, connectorconfig.FieldID).
		UpdateNewValues().ID(ctx)
	if err != nil {
		return nil, translate(err, "connector config", in.ID)
	}
	return o.ConnectorConfig(ctx, id)
}

// ConnectorConfig returns one connector config; another organization's is
// ErrNotFound.
func (o ops) ConnectorConfig(ctx context.Context, id string) (*ent.ConnectorConfig, error) {
	cc, err := o.client.ConnectorConfig.Get(ctx, id)
	return cc, translate(err, "connector config", id)
}

// ConnectorConfigs lists the organization's connector configs by name, then
// id.
func (o ops) ConnectorConfigs(ctx context.Context) ([]*ent.ConnectorConfig, error) {
	ccs, err := o.client.ConnectorConfig.Query().
		Order(ent.Asc(connectorconfig.FieldName), ent.Asc(connectorconfig.FieldID)).All(ctx)
	return ccs, translate(err, "connector config", "")
}

// DeleteConnectorConfig deletes a connector config and reports whether a row
// went (false for an unknown id or another organization's).
func (o ops) DeleteConnectorConfig(ctx context.Context, id string) (bool, error) {
	n, err := o.client.ConnectorConfig.Delete().Where(connectorconfig.ID(id)).Exec(ctx)
	return n > 0, translate(err, "connector config", id)
}

// Defaults of AgentSettings for an organization that stored none.
const (
	DefaultModel        = "gpt-4o-mini"
	DefaultSystemPrompt = "You are a helpful customer support agent. Answer from the organization's knowledge, " +
		"say so when you are not sure, and offer to hand over to a human when you cannot help."
)

// AgentSettings is an organization's agent configuration.
type AgentSettings struct {
	Model        string
	SystemPrompt string
	Persona      *string
	DefaultTools []string
	UpdatedAt    *time.Time // nil for the defaults
}

// AgentSettings returns the organization's stored settings, or the
// defaults (DefaultModel, DefaultSystemPrompt, no persona, no tools).
func (o ops) AgentSettings(ctx context.Context) (*AgentSettings, error) {
	s, err := o.client.AgentSettings.Query().Only(ctx)
	if ent.IsNotFound(err) {
		return &AgentSettings{Model: DefaultModel, SystemPrompt: DefaultSystemPrompt, DefaultTools: []string{}}, nil
	}
	if err != nil {
		return nil, translate(err, "agent settings", "")
	}
	tools := s.DefaultTools
	if tools == nil {
		tools = []string{}
	}
	return &AgentSettings{Model: s.Model, SystemPrompt: s.SystemPrompt, Persona: s.Persona, DefaultTools: tools, UpdatedAt: &s.UpdatedAt}, nil
}

// PutAgentSettings replaces the organization's settings.
func (o ops) PutAgentSettings(ctx context.Context, in AgentSettings) (*AgentSettings, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("model", in.Model, true)
	c.text("system prompt", in.SystemPrompt)
	if in.Persona != nil {
		c.text("persona", *in.Persona)
	}
	for _, t := range in.DefaultTools {
		c.key("default tool", t, true)
	}
	if c.err != nil {
		return nil, c.err
	}
	tools := in.DefaultTools
	if tools == nil {
		tools = []string{}
	}
	create := o.client.AgentSettings.Create().SetOrganizationID(org).SetModel(in.Model).
		SetSystemPrompt(in.SystemPrompt).SetDefaultTools(tools)
	if in.Persona != nil {
		create.SetPersona(*in.Persona)
	}
	err = create.OnConflictColumns(agentsettings.FieldOrganizationID).
		Update(func(u *ent.AgentSettingsUpsert) {
			u.UpdateModel().UpdateSystemPrompt().UpdateDefaultTools().UpdateUpdatedAt()
			if in.Persona != nil {
				u.UpdatePersona()
			} else {
				u.ClearPersona()
			}
		}).Exec(ctx)
	if err != nil {
		return nil, translate(err, "agent settings", "")
	}
	return o.AgentSettings(ctx)
}

// IndexingRunInput is the input of RecordIndexingRun.
type IndexingRunInput struct {
	ID               string // optional on create; a UUID when empty
	ConnectorName    string
	Status           string     // running succeeded failed
	StartedAt        *time.Time // default now
	FinishedAt       *time.Time
	DocumentsSeen    int64
	ChunksIndexed    int64
	DocumentsSkipped int64
	Cursor           *string
	Error            *string
}

// RecordIndexingRun upserts a run by id within the organization (a running
// run becomes succeeded or failed by recording it again).
func (o ops) RecordIndexingRun(ctx context.Context, in IndexingRunInput) (*ent.IndexingRun, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("connector name", in.ConnectorName, true)
	c.oneOf("status", in.Status, func(s string) error { return indexingrun.StatusValidator(indexingrun.Status(s)) })
	c.optKey("cursor", in.Cursor)
	if in.Error != nil {
		c.text("error", *in.Error)
	}
	if in.DocumentsSeen < 0 || in.ChunksIndexed < 0 || in.DocumentsSkipped < 0 {
		c.fail("counts", "are negative")
	}
	if c.err != nil {
		return nil, c.err
	}
	create := o.client.IndexingRun.Create().SetOrganizationID(org).SetConnectorName(in.ConnectorName).
		SetStatus(indexingrun.Status(in.Status)).SetNillableStartedAt(in.StartedAt).SetNillableFinishedAt(in.FinishedAt).
		SetDocumentsSeen(in.DocumentsSeen).SetChunksIndexed(in.ChunksIndexed).SetDocumentsSkipped(in.DocumentsSkipped).
		SetNillableCursor(in.Cursor).SetNillableError(in.Error)
	create.SetNillableID(nonEmpty(in.ID))
	id, err := create.OnConflictColumns(indexingrun.FieldOrganizationID, indexingrun.FieldID).
		UpdateNewValues().ID(ctx)
	if err != nil {
		return nil, translate(err, "indexing run", in.ID)
	}
	run, err := o.client.IndexingRun.Get(ctx, id)
	return run, translate(err, "indexing run", id)
}

// IndexingRuns lists a connector's runs, oldest first.
func (o ops) IndexingRuns(ctx context.Context, connectorName string) ([]*ent.IndexingRun, error) {
	runs, err := o.client.IndexingRun.Query().Where(indexingrun.ConnectorName(connectorName)).
		Order(ent.Asc(indexingrun.FieldStartedAt), ent.Asc(indexingrun.FieldID)).All(ctx)
	return runs, translate(err, "indexing run", "")
}

// LatestIndexingCursor returns the greatest cursor over the connector's
// succeeded runs; ok is false when there is none.
func (o ops) LatestIndexingCursor(ctx context.Context, connectorName string) (cur string, ok bool, err error) {
	cursors, err := o.client.IndexingRun.Query().
		Where(indexingrun.ConnectorName(connectorName), indexingrun.StatusEQ(indexingrun.StatusSucceeded), indexingrun.CursorNotNil()).
		Order(ent.Desc(indexingrun.FieldCursor)).Limit(1).Select(indexingrun.FieldCursor).Strings(ctx)
	if err != nil || len(cursors) == 0 {
		return "", false, translate(err, "indexing run", "")
	}
	return cursors[0], true, nil
}
