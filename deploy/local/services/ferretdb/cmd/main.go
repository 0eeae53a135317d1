// Command citypulse-ferretdb runs FerretDB 1.24 (MongoDB wire protocol) on its SQLite backend
// for the native local stack.
//
// Why a module of our own: `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.x` builds a
// binary that panics at start, because FerretDB's own command expects build/version/version.txt,
// a file its release tooling generates and the module proxy's zip does not contain. The embeddable
// package github.com/FerretDB/FerretDB/ferretdb skips that check, so we wrap it here.
//
// Usage:
//
//	citypulse-ferretdb -listen-addr 127.0.0.1:27017 -sqlite-dir /path/to/data [-log-level info]
//	citypulse-ferretdb -ping 127.0.0.1:27017     (readiness check: exits 0 when {ping: 1} is ok)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("sqlite-dir", "", "directory of the SQLite databases (one file per database)")
	level := flag.String("log-level", "info", "debug, info, warn or error")
	ping := flag.String("ping", "", "instead of serving, send {ping: 1} to this address and exit 0 when it answers ok")
	flag.Parse()

	if *ping != "" {
		if err := pingServer(*ping, 3*time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb ping %s: %v\n", *ping, err)
			os.Exit(1)
		}
		return
	}

	if err := run(*listen, *dir, *level); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, dir, level string) error {
	if dir == "" {
		return fmt.Errorf("-sqlite-dir is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", level, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	// The supervisor stops us with SIGTERM; cancelling the context closes the listener and the
	// SQLite files cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
		Handler:  "sqlite",
		// FerretDB wants a URI naming a directory, with a trailing slash.
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	go (&idIndexer{dir: abs, interval: time.Second, log: logger}).run(ctx)

	logger.Info("FerretDB listening", "addr", listen, "sqlite", abs)
	return f.Run(ctx)
}
