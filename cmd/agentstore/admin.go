package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/admin"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/vector"
)

// Exit codes scripts can rely on.
const (
	exitOK       = 0
	exitError    = 1 // the command failed
	exitUsage    = 2 // bad flags or arguments
	exitFindings = 3 // admin integrity found rows that break the schema's rules
)

const adminUsage = `usage: agentstore admin COMMAND --org ORG [flags]

commands:
  transcript CONVERSATION   participants, sessions, counts and a page of messages
  footprint                 everything tied to a person (--external-id and/or --email), as JSON
  erase                     delete that footprint in one transaction (--dry-run reports only)
  audience DOCUMENT         who can read a document, and its chunks
  visibility                which documents of --set a --user/--groups member can read
  overview                  counts, largest conversations, sessions, memories, indexing
  integrity                 cross-organization and dangling references (all organizations; exit 3 on findings)
  index                     build the organization's own HNSW index, concurrently (--drop drops it)

Run "agentstore admin COMMAND --help" for a command's flags.`

// runAdmin runs one admin query and prints it (JSON with --json).
func runAdmin(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(stderr, adminUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name := args[0]
	fs := flag.NewFlagSet("agentstore admin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	org := fs.String("org", "", "organization (required except for integrity)")
	asJSON := fs.Bool("json", false, "print JSON")
	var subject admin.Subject
	var page admin.TranscriptRequest
	var dryRun, drop bool
	var who access.Viewer
	var groups, set string
	positional := 0
	switch name {
	case "transcript":
		positional = 1
		fs.Int64Var(&page.After, "after", 0, "messages after this seq")
		fs.IntVar(&page.Limit, "limit", admin.DefaultTranscriptPage, "messages per page")
	case "footprint", "erase":
		fs.StringVar(&subject.ExternalID, "external-id", "", "the person's external id (also their memories' user id)")
		fs.StringVar(&subject.Email, "email", "", "the person's email")
		if name == "erase" {
			fs.BoolVar(&dryRun, "dry-run", false, "report what would be erased, erase nothing")
		}
	case "audience":
		positional = 1
	case "visibility":
		fs.StringVar(&set, "set", "", "document set (default every document)")
		fs.StringVar(&who.UserID, "user", "", "the member's user id")
		fs.StringVar(&groups, "groups", "", "the member's groups, comma-separated")
	case "index":
		fs.BoolVar(&drop, "drop", false, "drop the organization's own index (its searches use the global one)")
	case "overview", "integrity":
	default:
		fmt.Fprintf(stderr, "agentstore admin: unknown command %q\n\n%s\n", name, adminUsage)
		return exitUsage
	}
	least := positional
	if name == "integrity" {
		least = 0
	}
	operands, code, ok := parse(fs, args[1:], least, positional)
	if !ok {
		return code
	}
	if (*org == "") != (name == "integrity") {
		fmt.Fprintf(stderr, "agentstore admin %s: --org is required (and not taken by integrity)\n", name)
		return exitUsage
	}
	if groups != "" {
		who.Groups = strings.Split(groups, ",")
	}
	store, err := openMigrated(ctx, url)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	if name == "index" {
		return index(ctx, store, *org, drop, stdout, stderr)
	}
	a := admin.New(store)
	ctx = access.NewContext(ctx, access.Viewer{OrganizationID: *org, Role: access.RoleAdmin})
	var out any
	switch name {
	case "transcript":
		out, err = a.Transcript(ctx, operands[0], page)
	case "footprint":
		out, err = a.Footprint(ctx, subject)
		*asJSON = true // an export: JSON is its only form
	case "erase":
		out, err = a.Erase(ctx, subject, dryRun)
	case "audience":
		out, err = a.Audience(ctx, operands[0])
	case "visibility":
		out, err = a.Visibility(ctx, who, set)
	case "overview":
		out, err = a.Overview(ctx)
	case "integrity":
		var findings []admin.Finding
		var ok bool
		findings, ok, err = a.Integrity(access.SystemContext(ctx))
		out = findings
		if !ok {
			code = exitFindings
		}
	}
	if err != nil {
		return fail(stderr, err)
	}
	if printed := emit(stdout, *asJSON, out, func(w io.Writer) { admin.Print(w, out) }); printed != exitOK {
		return printed
	}
	return code
}

// index builds (or drops) org's own HNSW index, as the operator.
func index(ctx context.Context, store *storage.Store, org string, drop bool, stdout, stderr io.Writer) int {
	ctx = access.SystemContext(ctx)
	name := vector.OrganizationIndex(org)
	if drop {
		if err := store.DropOrganizationIndex(ctx, org); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "dropped %s (organization %q)\n", name, org)
		return exitOK
	}
	if err := store.IndexOrganization(ctx, org); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "built %s (organization %q)\n", name, org)
	return exitOK
}
