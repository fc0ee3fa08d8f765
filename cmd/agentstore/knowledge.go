package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/vector"
)

// ingestBatch is how many files one IngestMany call (one transaction) takes.
const ingestBatch = 16

// ingestable reports whether a file is text the ingest command reads.
func ingestable(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown", ".txt", ".text":
		return true
	}
	return false
}

// markdownTitle is a file's title: its first line when that is a Markdown
// "# heading" that fits storage.MaxTitleBytes; nil otherwise.
func markdownTitle(text string) *string {
	first, _, _ := strings.Cut(strings.TrimLeft(text, "\r\n\t "), "\n")
	title, ok := strings.CutPrefix(strings.TrimSpace(first), "# ")
	if title = strings.TrimSpace(title); !ok || title == "" || len(title) > storage.MaxTitleBytes {
		return nil
	}
	return &title
}

// runIngest ingests text and markdown files (folders are walked) into an
// organization, in transactions of ingestBatch files.
func runIngest(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agentstore ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	org := fs.String("org", "", "organization (required)")
	set := fs.String("set", "", "document set the files join")
	groups := fs.String("groups", "", "make the documents readable by these groups only (comma-separated); default: everyone")
	paths, code, ok := parse(fs, args, 1, -1)
	if !ok {
		return code
	}
	if *org == "" {
		fmt.Fprintln(stderr, "agentstore ingest: --org is required")
		return exitUsage
	}
	files, err := collect(paths)
	if err != nil {
		return fail(stderr, err)
	}
	store, err := openMigrated(ctx, url)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	ctx = access.NewContext(ctx, access.Viewer{OrganizationID: *org, Role: access.RoleAdmin})
	var acl *access.ACL
	if *groups != "" {
		acl = &access.ACL{Groups: strings.Split(*groups, ",")}
	}
	var sets []string
	if *set != "" {
		sets = []string{*set}
	}
	bar := newProgress(stdout, len(files))
	var total storage.IngestManyResult
	for batch := range slices.Chunk(files, ingestBatch) {
		docs := make([]storage.DocumentInput, len(batch))
		for i, f := range batch {
			b, err := os.ReadFile(f.path)
			if err != nil {
				return fail(stderr, err)
			}
			docs[i] = storage.DocumentInput{Source: f.source, Title: markdownTitle(string(b)), Content: string(b), ACL: acl,
				DocumentSets: sets}
		}
		res, err := store.IngestMany(ctx, docs)
		if err != nil {
			return fail(stderr, fmt.Errorf("ingest %s…: %w", batch[0].source, err))
		}
		total.Documents += res.Documents
		total.Unchanged += res.Unchanged
		total.Chunks += res.Chunks
		bar.add(len(batch))
	}
	bar.done()
	fmt.Fprintf(stdout, "ingested %d documents (%d chunks), %d unchanged, into %s\n",
		total.Documents, total.Chunks, total.Unchanged, *org)
	return exitOK
}

// file is one file to ingest and the source it is stored under.
type file struct{ path, source string }

// collect expands paths: a file is its own source; a folder's text files
// are sources relative to it, in lexical order.
func collect(paths []string) ([]file, error) {
	var out []file
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, file{root, filepath.ToSlash(filepath.Clean(root))})
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !ingestable(path) {
				return err
			}
			rel, err := filepath.Rel(root, path)
			out = append(out, file{path, filepath.ToSlash(rel)})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no .md or .txt files in the given paths")
	}
	return out, nil
}

// progress reports ingest progress: a redrawn bar with rate and ETA on a
// terminal, one plain line per step otherwise (logs, pipes, CI).
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	finished int
	start    time.Time
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	terminal := false
	if ok {
		if info, err := f.Stat(); err == nil {
			terminal = info.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progress{w: w, terminal: terminal, total: total, start: time.Now()}
}

func (p *progress) add(n int) {
	p.finished += n
	elapsed := time.Since(p.start).Seconds()
	rate := float64(p.finished) / max(elapsed, 1e-9)
	eta := time.Duration(float64(p.total-p.finished) / rate * float64(time.Second)).Round(time.Second)
	if !p.terminal {
		fmt.Fprintf(p.w, "ingest: %d/%d files\n", p.finished, p.total)
		return
	}
	const width = 30
	filled := width * p.finished / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d files  %.1f files/s  ETA %s ", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), p.finished, p.total, rate, eta)
}

func (p *progress) done() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

// runSearch runs one hybrid search as a member and prints the hits with
// the rank each arm gave them.
func runSearch(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agentstore search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	viewer := viewerFlags(fs)
	limit := fs.Int("limit", storage.DefaultSearchLimit, "hits to return")
	set := fs.String("set", "", "only documents of this set")
	asJSON := fs.Bool("json", false, "print JSON")
	store, ctx, words, code := openAsMember(ctx, url, fs, args, viewer, stderr)
	if store == nil {
		return code
	}
	defer store.Close()
	req := storage.SearchRequest{Query: strings.Join(words, " "), Limit: *limit}
	if *set != "" {
		req.DocumentSets = []string{*set}
	}
	hits, err := store.Search(ctx, req)
	if err != nil {
		return fail(stderr, err)
	}
	if hits == nil {
		hits = []vector.Hit{}
	}
	return emit(stdout, *asJSON, hits, func(w io.Writer) {
		fmt.Fprintf(w, "%-4s %-40s %-14s %-7s %-7s %s\n", "#", "source", "chunk", "dense", "sparse", "score")
		for i, h := range hits {
			_, chunk, _ := strings.Cut(h.ChunkID, "#")
			fmt.Fprintf(w, "%-4d %-40s %-14s %-7s %-7s %.4f\n", i+1, h.Source, "#"+chunk, rankOf(h.DenseRank), rankOf(h.SparseRank), h.Score)
		}
	})
}

func rankOf(r *int64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprint(*r)
}

// runMemory stores or recalls memories of one user.
func runMemory(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "recall") {
		fmt.Fprintln(stderr, "usage: agentstore memory add|recall --org ORG --user USER [flags] TEXT")
		return exitUsage
	}
	fs := flag.NewFlagSet("agentstore memory "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	viewer := viewerFlags(fs)
	memoryType := fs.String("type", "User", "add: memory type (ShortTerm LongTerm Entity User Feedback Project Reference)")
	k := fs.Int("k", 5, "recall: memories to return")
	minSimilarity := fs.Float64("min", -1, "recall: minimum similarity (−1 keeps all)")
	asJSON := fs.Bool("json", false, "print JSON")
	store, ctx, words, code := openAsMember(ctx, url, fs, args[1:], viewer, stderr)
	if store == nil {
		return code
	}
	defer store.Close()
	v, _ := access.FromContext(ctx)
	memories, err := store.Memories(ctx, v.UserID)
	if err != nil {
		return fail(stderr, err)
	}
	text := strings.Join(words, " ")
	if args[0] == "add" {
		m, err := memories.Store(ctx, storage.NewMemory{Content: text, MemoryType: *memoryType})
		if err != nil {
			return fail(stderr, err)
		}
		return emit(stdout, *asJSON, map[string]string{"id": m.ID}, func(w io.Writer) { fmt.Fprintf(w, "stored memory %s\n", m.ID) })
	}
	recalled, err := memories.Recall(ctx, text, *k, *minSimilarity)
	if err != nil {
		return fail(stderr, err)
	}
	if recalled == nil {
		recalled = []storage.Recalled{}
	}
	return emit(stdout, *asJSON, recalled, func(w io.Writer) {
		for _, r := range recalled {
			fmt.Fprintf(w, "%.3f  %-9s %s\n", r.Similarity, r.MemoryType, r.Content)
		}
	})
}

// openAsMember parses a member command (at least one operand, joined as its
// text), opens the migrated store and puts the member in the context. A nil
// store means: exit with code.
func openAsMember(ctx context.Context, url string, fs *flag.FlagSet, args []string, viewer func() (access.Viewer, error),
	stderr io.Writer) (*storage.Store, context.Context, []string, int) {
	words, code, ok := parse(fs, args, 1, -1)
	if !ok {
		return nil, ctx, nil, code
	}
	v, err := viewer()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, ctx, nil, exitUsage
	}
	store, err := openMigrated(ctx, url)
	if err != nil {
		return nil, ctx, nil, fail(stderr, err)
	}
	return store, access.NewContext(ctx, v), words, exitOK
}
