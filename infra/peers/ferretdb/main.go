// Command ferretdb-peer runs FerretDB (MongoDB wire protocol) on the SQLite
// backend as a local test peer, without Docker.
//
// Why not `go install .../cmd/ferretdb`: that binary panics at startup because
// build/version/version.txt is generated in FerretDB's own build and is absent
// from the module zip. The embeddable package skips that check when the main
// module is not FerretDB, so a tiny wrapper is enough.
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

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", "", "SQLite data directory (created if missing)")
	flag.Parse()

	if err := run(*listen, *data); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-peer:", err)
		os.Exit(1)
	}
}

func run(listen, data string) error {
	if data == "" {
		return fmt.Errorf("-data is required")
	}

	// FerretDB wants an existing directory as a `file:` URI with an absolute
	// (or cwd-relative) path ending in "/"; absolute avoids cwd surprises.
	dir, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	// Warn level: FerretDB logs every connection at info, which is noise for tests.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/",
	})
	if err != nil {
		return err
	}

	// New has already bound the port, so this single stdout line is a
	// readiness signal (and reveals the real port when -listen uses :0).
	fmt.Println(f.MongoDBURI())

	// Run returns (after closing listener, connections and backend) once ctx
	// is cancelled, so SIGTERM/SIGINT lead to a clean exit with status 0.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	return f.Run(ctx)
}
