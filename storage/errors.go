package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"entgo.io/ent/privacy"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentstore/agentstore/ent"
)

// Sentinel errors. Every error a Store returns for these conditions matches
// one of them with errors.Is; the typed errors below carry the details.
var (
	// ErrNotFound: no row with that id is visible to the viewer (it does
	// not exist, or belongs to another organization or ACL).
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict: a unique key is taken (a duplicate id, say).
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalidInput: the input was rejected before or by the database;
	// nothing was written.
	ErrInvalidInput = errors.New("storage: invalid input")
	// ErrInvalidCursor: a page cursor that is malformed, from another
	// conversation or direction, or names a row that does not exist.
	ErrInvalidCursor = errors.New("storage: invalid cursor")
	// ErrPermissionDenied: no viewer in the context, or one that may not do
	// this (the privacy policy denied it).
	ErrPermissionDenied = errors.New("storage: permission denied")
	// ErrDimensionMismatch: the embedder's vectors do not fit the
	// embedding columns.
	ErrDimensionMismatch = errors.New("storage: embedding dimension mismatch")
	// ErrTimeout: the statement timeout cancelled a statement.
	ErrTimeout = errors.New("storage: statement timeout")
	// ErrBadEmbedding: the embedder answered with vectors that cannot be
	// stored or searched: the wrong number of them, or NaN/Inf values.
	// (Vectors of the wrong width are ErrDimensionMismatch.)
	ErrBadEmbedding = errors.New("storage: bad embedding")
	// ErrConnectionLost: the connection broke during the call (terminated
	// backend, server restart, network). The call's transaction did not
	// commit; the pool replaces the connection, so a retry can succeed.
	ErrConnectionLost = errors.New("storage: connection lost")
)

// InputError says which input field was rejected and why.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("storage: invalid %s: %s", e.Field, e.Reason)
}

// Is makes InputError match ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// NotFoundError names what was not found.
type NotFoundError struct {
	Entity string
	ID     string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("storage: %s %q not found", e.Entity, e.ID)
}

// Is makes NotFoundError match ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ConflictError names the entity and the constraint that was violated.
type ConflictError struct {
	Entity     string
	Constraint string
	Err        error
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("storage: %s conflicts with an existing row (%s)", e.Entity, e.Constraint)
}

// Is makes ConflictError match ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Unwrap returns the driver error.
func (e *ConflictError) Unwrap() error { return e.Err }

// CursorError says why a cursor was refused.
type CursorError struct{ Reason string }

func (e *CursorError) Error() string { return "storage: invalid cursor: " + e.Reason }

// Is makes CursorError match ErrInvalidCursor.
func (e *CursorError) Is(target error) bool { return target == ErrInvalidCursor }

// DimensionMismatchError reports an embedder whose width differs from the
// embedding columns'.
type DimensionMismatchError struct {
	Embedder, Column int
}

func (e *DimensionMismatchError) Error() string {
	return fmt.Sprintf("storage: embedder produces %d dimensions, the embedding columns hold %d", e.Embedder, e.Column)
}

// Is makes DimensionMismatchError match ErrDimensionMismatch.
func (e *DimensionMismatchError) Is(target error) bool { return target == ErrDimensionMismatch }

// translate maps ent and driver errors to this package's errors, once, at
// the boundary. entity and id describe the row the call was about.
func translate(err error, entity, id string) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, privacy.Deny):
		return fmt.Errorf("%w: %w", ErrPermissionDenied, err)
	case ent.IsNotFound(err):
		return &NotFoundError{Entity: entity, ID: id}
	case ent.IsValidationError(err):
		var v *ent.ValidationError
		errors.As(err, &v)
		return &InputError{Field: v.Name, Reason: v.Error()}
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505": // unique_violation
			return &ConflictError{Entity: entity, Constraint: pgErr.ConstraintName, Err: err}
		case "23514", "23502", "22P02", "22021", "22P05", "54000", "22001", "22000":
			// check, not-null, invalid text, bad encoding, untranslatable
			// character, too large, too long, pgvector data errors.
			return &InputError{Field: pgErr.ColumnName + pgErr.ConstraintName, Reason: pgErr.Message}
		case "23503": // foreign_key_violation
			return foreignKeyError(pgErr, entity)
		case "57014": // query_canceled: statement_timeout (or a cancel request)
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		case "57P01", "57P02", "57P03": // admin or crash shutdown, cannot connect now
			return fmt.Errorf("%w: %w", ErrConnectionLost, err)
		}
		if strings.HasPrefix(pgErr.Code, "08") { // connection exception
			return fmt.Errorf("%w: %w", ErrConnectionLost, err)
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	return fmt.Errorf("storage: %s: %w", entity, err)
}

func fmtDenied(reason string) error { return fmt.Errorf("%w: %s", ErrPermissionDenied, reason) }

// referenceFields maps each foreign key to the input it checks: the
// parent an insert names (a missing one, or one of another organization or
// conversation, reads as not found or as bad input of that field).
var referenceFields = map[string]struct{ entity, field string }{
	"participants_conversations_participants": {"conversation", ""},
	"participants_conversation_organization":  {"conversation", ""},
	"messages_conversations_messages":         {"conversation", ""},
	"messages_conversation_organization":      {"conversation", ""},
	"sessions_conversations_sessions":         {"conversation", ""},
	"sessions_conversation_organization":      {"conversation", ""},
	"chunks_documents_chunks":                 {"document", ""},
	"chunks_document_organization":            {"document", ""},
	"messages_participants_sent_messages":     {"", "from"},
	"messages_from_same_conversation":         {"", "from"},
	"messages_participants_received_messages": {"", "to"},
	"messages_to_same_conversation":           {"", "to"},
	"sessions_participants_user_sessions":     {"", "user participant id"},
	"sessions_user_same_conversation":         {"", "user participant id"},
	"sessions_participants_agent_sessions":    {"", "agent participant id"},
	"sessions_agent_same_conversation":        {"", "agent participant id"},
}

// foreignKeyError explains a foreign key violation of an insert or update:
// the parent it names is not there (or belongs to another organization or
// conversation, which the composite keys treat the same).
func foreignKeyError(pgErr *pgconn.PgError, entity string) error {
	ref, known := referenceFields[pgErr.ConstraintName]
	switch {
	case !known:
		return &ConflictError{Entity: entity, Constraint: pgErr.ConstraintName, Err: pgErr}
	case ref.field != "":
		return &InputError{Field: ref.field, Reason: "not a participant of the conversation (" + keyValue(pgErr.Detail) + ")"}
	default:
		return &NotFoundError{Entity: ref.entity, ID: keyValue(pgErr.Detail)}
	}
}

// keyValue takes the first key value out of a violation's detail,
// `Key (a, b)=(x, y) is not present…`; "" when it has another shape.
func keyValue(detail string) string {
	_, rest, ok := strings.Cut(detail, ")=(")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, ")")
	v, _, _ = strings.Cut(v, ", ")
	return v
}
