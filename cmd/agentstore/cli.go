package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/agentstore/agentstore/access"
)

// parse parses a subcommand's flags, which may come before or after its
// operands ("transcript ID --org X"), and checks the operand count is in
// [least, most] (most < 0: unbounded). ok false means: return code.
func parse(fs *flag.FlagSet, args []string, least, most int) (operands []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		if fs.NArg() == 0 {
			break
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(operands) < least || (most >= 0 && len(operands) > most) {
		fmt.Fprintf(fs.Output(), "%s: wrong number of arguments (%d)\n", fs.Name(), len(operands))
		return nil, exitUsage, false
	}
	return operands, exitOK, true
}

// emit prints v as indented JSON, or as text through the text function.
func emit(stdout io.Writer, asJSON bool, v any, text func(io.Writer)) int {
	if !asJSON {
		text(stdout)
		return exitOK
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return exitError
	}
	return exitOK
}

// fail reports err and returns the failure exit code.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "agentstore: %v\n", err)
	return exitError
}

// viewerFlags registers --org, --user and --groups; the returned function
// builds the member they name, or reports that --org is missing.
func viewerFlags(fs *flag.FlagSet) func() (access.Viewer, error) {
	org := fs.String("org", "", "organization (required)")
	user := fs.String("user", "", "user id of the viewer")
	groups := fs.String("groups", "", "groups of the viewer, comma-separated")
	return func() (access.Viewer, error) {
		v := access.Viewer{OrganizationID: *org, UserID: *user}
		if *groups != "" {
			v.Groups = strings.Split(*groups, ",")
		}
		if *org == "" {
			return v, fmt.Errorf("%s: --org is required", fs.Name())
		}
		return v, nil
	}
}
