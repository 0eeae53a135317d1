package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses (database/sql name "sqlite")
)

// FerretDB 1.24's SQLite backend filters a lookup by _id with `WHERE _ferretdb_sjson->'$._id' = ?`
// (its metadata.IDColumn), but creates the unique _id index of every collection on the expression
// `_ferretdb_sjson->"_id"`. SQLite matches index expressions by their text, so no _id lookup ever
// uses that index: find({_id}), updateOne({_id}), deleteOne({_id}) all scan the whole collection
// (measured: 30 ms at 10,000 documents, growing linearly). An index on the exact expression the
// queries use turns each of them into an index search (about 1 ms at any size).
//
// idIndexer adds that index to every collection table of every database file in dir, at start and
// then every interval, so collections created later get it within a tick. The index belongs to the
// table: FerretDB's drop of a collection or database drops it too, and FerretDB's own index
// metadata never lists it.
const idIndexSuffix = "__citypulse_id_expr"

type idIndexer struct {
	dir      string
	interval time.Duration
	log      *slog.Logger
	failing  map[string]bool // files whose indexing failed in the last pass
}

func (x *idIndexer) run(ctx context.Context) {
	t := time.NewTicker(x.interval)
	defer t.Stop()
	for {
		x.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass indexes every file's collections that lack the index. Errors are never fatal: one failure
// is logged at debug (a database dropped mid-pass is normal), a second in a row at warn, since its
// collections then scan on every _id lookup.
func (x *idIndexer) pass(ctx context.Context) {
	files, err := filepath.Glob(filepath.Join(x.dir, "*.sqlite"))
	if err != nil {
		x.log.Warn("id index: listing databases failed", "error", err)
		return
	}
	failing := make(map[string]bool, len(files)) // this pass's, so removed databases are forgotten
	defer func() { x.failing = failing }()
	for _, f := range files {
		n, err := indexFile(ctx, f)
		switch {
		case err != nil && x.failing[f]:
			x.log.Warn("id index: cannot index a database", "file", f, "error", err)
		case err != nil:
			x.log.Debug("id index: skipped a database", "file", f, "error", err)
		case n > 0:
			x.log.Info("id index: indexed collections by _id", "file", filepath.Base(f), "collections", n)
		}
		failing[f] = err != nil
	}
}

// indexFile creates the missing _id expression indexes of one database file and returns how many
// it created. It opens the file only when it exists (never creating one) and closes it after.
func indexFile(ctx context.Context, file string) (int, error) {
	if _, err := os.Stat(file); err != nil {
		return 0, err
	}
	// mode=rw: never create a file FerretDB has just removed; busy_timeout: wait for FerretDB's
	// writers instead of failing.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`,
		idIndexSuffix)
	if err != nil {
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	created := 0
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`,
			quoteIdent(t+idIndexSuffix), quoteIdent(t))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return created, fmt.Errorf("%s: %w", t, err)
		}
		created++
	}
	return created, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
