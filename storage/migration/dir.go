package migration

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// ErrChecksumMismatch is returned by Validate (and refused by Apply) when a
// file was edited, added or removed without rehashing atlas.sum.
var ErrChecksumMismatch = migrate.ErrChecksumMismatch

// FromFS loads a migration directory (its .sql files and atlas.sum) from an
// fs.FS such as the embedded ent.Migrations.
func FromFS(fsys fs.FS, dir string) (*migrate.MemDir, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migration: read %s: %w", dir, err)
	}
	mem := &migrate.MemDir{}
	mem.SetPath(dir)
	for _, e := range entries {
		if e.IsDir() || (path.Ext(e.Name()) != ".sql" && e.Name() != migrate.HashFileName) {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration: read %s: %w", e.Name(), err)
		}
		if err := mem.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return mem, nil
}

// Validate checks dir against its atlas.sum: an edited, added or removed
// file is an ErrChecksumMismatch.
func Validate(dir migrate.Dir) error {
	if err := migrate.Validate(dir); err != nil {
		return fmt.Errorf("migration: validate: %w", err)
	}
	return nil
}

// Hash rewrites atlas.sum from the files of dir.
func Hash(dir migrate.Dir) error {
	sum, err := dir.Checksum()
	if err != nil {
		return fmt.Errorf("migration: hash: %w", err)
	}
	if err := migrate.WriteSumFile(dir, sum); err != nil {
		return fmt.Errorf("migration: write %s: %w", migrate.HashFileName, err)
	}
	return nil
}

// VersionFormat is the layout of a file's version: the UTC time it was made.
const VersionFormat = "20060102150405"

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)

// ErrInvalidName is returned for a migration name that is not lower-case
// letters, digits and underscores.
var ErrInvalidName = errors.New("migration: name must match [a-z0-9][a-z0-9_]*")

// New adds an empty file `{now UTC}_{name}.sql` to dir for hand-written SQL
// (planner statistics, storage settings, index parameters) and rehashes.
// Stamping the current time, never a future one, keeps later diffs in order.
func New(dir migrate.Dir, name string, now time.Time) (string, error) {
	if !validName.MatchString(name) {
		return "", fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	if err := Validate(dir); err != nil {
		return "", err
	}
	file := now.UTC().Format(VersionFormat) + "_" + name + ".sql"
	body := "-- " + name + ": hand-written; Atlas's diff does not produce this file.\n"
	if err := dir.WriteFile(file, []byte(body)); err != nil {
		return "", fmt.Errorf("migration: write %s: %w", file, err)
	}
	return file, Hash(dir)
}
