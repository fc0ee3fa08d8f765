package integration

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// FuzzSearchInput feeds arbitrary query text (the sparse arm's tsquery is
// built from it in SQL) and metadata/document-set filter values to the
// hybrid search. Whatever the input: a clean text either searches or is
// refused with ErrInvalidInput naming why; hits never leave the viewer's
// organization and ACL; nothing is written.
func FuzzSearchInput(f *testing.F) {
	for _, seed := range [][3]string{
		{"what is the refund policy?", "en", "help"},
		{"'; DROP TABLE chunks; --", "' OR '1'='1", "help' OR 1=1 --"},
		{"refund & !shipping | (salary <-> bands):* ", `{"lang":"en"}`, "{help}"},
		{`\x00 nul`, "en\x00", "help"},
		{"\xff\xfe invalid utf-8", "\xc3\x28", "\xe2\x82"},
		{"", "", ""},
		{"   \t\n ", " ", " "},
		{"salaries salary bands hr", "en", ""},
		{"(((((((", ")", "*"},
		{strings.Repeat("refund ", 2000), "fr", "help"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	st := storagetest.Store(f)
	seedKnowledge(f, st)
	ctx := member(f.Context(), "acme")
	visible := map[string]bool{"refunds": true, "shipping": true, "remboursement": true}
	chunks, err := st.Client().Chunk.Query().Count(access.SystemContext(f.Context()))
	if err != nil {
		f.Fatal(err)
	}
	clean := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
	f.Fuzz(func(t *testing.T, query, lang, set string) {
		req := storage.SearchRequest{Query: query, Limit: 10, Metadata: map[string]any{"lang": lang}}
		if set != "" {
			req.DocumentSets = []string{set}
		}
		hits, err := st.Search(ctx, req)
		switch {
		case err != nil && !errors.Is(err, storage.ErrInvalidInput):
			t.Fatalf("search %q / %q / %q: %v", query, lang, set, err)
		case err != nil && clean(query) && clean(lang) && clean(set) && strings.TrimSpace(set) != "" && len(set) <= storage.MaxIDBytes:
			t.Fatalf("clean input refused: %v", err)
		case err == nil && !(clean(query) && clean(lang) && clean(set)):
			t.Fatalf("unclean input %q / %q / %q accepted", query, lang, set)
		}
		for _, h := range hits {
			if !visible[h.DocumentID] {
				t.Fatalf("query %q reached document %s", query, h.DocumentID)
			}
		}
		n, err := st.Client().Chunk.Query().Count(access.SystemContext(t.Context()))
		if err != nil || n != chunks {
			t.Fatalf("chunks: %d, %v (want %d)", n, err, chunks)
		}
	})
}
