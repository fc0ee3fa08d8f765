package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/storage/storagetest"
)

const sourceDir = "../../ent/migrate/migrations"

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"NoCommand":       nil,
		"UnknownCommand":  {"frobnicate"},
		"DiffWithoutName": {"--dir", sourceDir, "diff"},
		"LintNotANumber":  {"--dir", sourceDir, "lint", "x"},
		"BadFlag":         {"--nope"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			require.Equal(t, 2, run(t.Context(), args, &out, &errOut))
			require.Contains(t, errOut.String(), "usage: migrate")
		})
	}
}

func TestValidateSourceDirectory(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(t.Context(), []string{"--dir", sourceDir, "validate"}, &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "atlas.sum matches")
}

func TestApplyAndStatusOnEmbeddedMigrations(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	args := func(verb string) []string {
		return []string{"--url", s.URL, verb} // history goes to the search_path schema
	}
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(t.Context(), args("status"), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "current version: none")

	out.Reset()
	require.Equal(t, 0, run(t.Context(), args("apply"), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "(vector): 1 statements")

	out.Reset()
	require.Equal(t, 0, run(t.Context(), args("apply"), &out, &errOut), errOut.String())
	require.Equal(t, "no pending migrations\n", out.String())

	out.Reset()
	require.Equal(t, 0, run(t.Context(), args("status"), &out, &errOut), errOut.String())
	require.Contains(t, out.String(), "pending: 0\n")

	out.Reset()
	require.Equal(t, 0, run(t.Context(), args("check"), &out, &errOut), errOut.String())
}

func TestApplyFailsOnUnreachableServer(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"--url", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "apply"}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "migrate:")
}
