// Package eval measures search quality on a SMART-format test collection
// (CISI and its kin): it ingests the documents into a fresh organization,
// runs every judged query through the dense arm alone, the sparse arm alone
// and the hybrid fusion, and reports nDCG@10, Recall@10 and MRR@10.
package eval

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Collection is a parsed test collection.
type Collection struct {
	Documents map[string]Document        // by id
	Queries   map[string]string          // id → text
	Relevant  map[string]map[string]bool // query id → relevant document ids
}

// Load reads the one *.ALL, *.QRY and *.REL file of dir.
func Load(dir string) (*Collection, error) {
	find := func(ext string) (string, error) {
		m, err := filepath.Glob(filepath.Join(dir, "*."+ext))
		if err != nil || len(m) != 1 {
			return "", fmt.Errorf("eval: want one *.%s in %s, found %d", ext, dir, len(m))
		}
		return m[0], nil
	}
	c := &Collection{Documents: map[string]Document{}, Queries: map[string]string{}, Relevant: map[string]map[string]bool{}}
	docs, err := readRecords(find, "ALL")
	if err != nil {
		return nil, err
	}
	for id, fields := range docs {
		c.Documents[id] = Document{Title: fields["T"], Text: fields["W"]}
	}
	queries, err := readRecords(find, "QRY")
	if err != nil {
		return nil, err
	}
	for id, fields := range queries {
		c.Queries[id] = fields["W"]
	}
	err = withFile(find, "REL", func(r io.Reader) error {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 {
				continue
			}
			if c.Relevant[fields[0]] == nil {
				c.Relevant[fields[0]] = map[string]bool{}
			}
			c.Relevant[fields[0]][fields[1]] = true
		}
		return sc.Err()
	})
	return c, err
}

// withFile opens the collection's *.ext file for fn.
func withFile(find func(string) (string, error), ext string, fn func(io.Reader) error) error {
	path, err := find(ext)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return fn(f)
}

// Document is a collection document: its .T and .W fields.
type Document struct{ Title, Text string }

func readRecords(find func(string) (string, error), ext string) (out map[string]map[string]string, err error) {
	err = withFile(find, ext, func(r io.Reader) error {
		out, err = parseRecords(r)
		return err
	})
	return out, err
}

// parseRecords reads SMART records: ".I id" starts one, ".X" lines start
// its fields; it returns each record's fields' text by field letter.
func parseRecords(r io.Reader) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	var id, field string
	var text strings.Builder
	flush := func() {
		if id != "" && field != "" {
			if out[id] == nil {
				out[id] = map[string]string{}
			}
			out[id][field] = strings.TrimSpace(text.String())
		}
		text.Reset()
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, ".I ") {
			flush()
			id, field = strings.TrimSpace(line[3:]), ""
			continue
		}
		if len(line) >= 2 && line[0] == '.' && strings.TrimSpace(line[2:]) == "" && line[1] >= 'A' && line[1] <= 'Z' {
			flush()
			field = line[1:2]
			continue
		}
		text.WriteString(line)
		text.WriteByte('\n')
	}
	flush()
	return out, sc.Err()
}

// judged returns the ids of queries with judgments, in numeric order.
func (c *Collection) judged() []string {
	var ids []string
	for id := range c.Relevant {
		if _, ok := c.Queries[id]; ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(ids[i]) != len(ids[j]) {
			return len(ids[i]) < len(ids[j])
		}
		return ids[i] < ids[j]
	})
	return ids
}
