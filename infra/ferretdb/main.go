// Command ferretdb runs FerretDB v1 (MongoDB wire protocol over SQLite, or
// over PostgreSQL with -postgresql-url) for local tests and benchmarks,
// where no mongod binary can be had. On SQLite only a filter of exactly
// {_id} avoids reading the whole collection; the PostgreSQL backend pushes
// more filters down, closer to what MongoDB's indexes answer.
//
// It embeds FerretDB through its public package instead of building
// cmd/ferretdb, because that command panics at start when built from the
// module cache (there is no build/version/version.txt there; FerretDB issue
// #2982).
//
// Usage:
//
//	ferretdb -listen 127.0.0.1:27017 -dir /path/to/existing/dir
//	ferretdb -listen 127.0.0.1:27017 -postgresql-url postgres://user@127.0.0.1:5432/db
//
// With port 0 the kernel picks a free port. Either way, once the listener is
// bound, one line "listening on HOST:PORT" is written to stdout so that a
// parent process can learn the real address without racing for a port.
//
// # Why writes are serialized
//
// FerretDB v1 applies update operators in Go: it reads the matching
// documents, changes them in memory and writes them back, with nothing that
// stops two connections from doing so at once. Under concurrency updates are
// lost (50 parallel {$inc: {n: 1}} on one document left n = 3), which MongoDB
// never does for a single document. Unless -serialize-writes=false, FerretDB
// listens on a private loopback port and this program sits in front of it as
// a wire-protocol proxy that lets only one command that may write run at a
// time. Reads pass through concurrently. This costs write throughput, which
// SQLite (one writer at a time) did not have much of anyway.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0 picks a free one)")
	dir := flag.String("dir", "", "existing directory for the SQLite databases (required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	serialize := flag.Bool("serialize-writes", true, "run one writing command at a time (see package doc)")
	fsync := flag.Bool("fsync", false, "make SQLite fsync each commit (off: a crash of the machine may lose recent writes)")
	postgresURL := flag.String("postgresql-url", "", "store in this PostgreSQL database instead of SQLite files (-dir is then unused)")
	flag.Parse()

	if err := run(*listen, *dir, *logLevel, *serialize, *fsync, *postgresURL); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dir, logLevel string, serialize, fsync bool, postgresURL string) error {
	backend := ferretdb.Config{Handler: "postgresql", PostgreSQLURL: postgresURL}
	if postgresURL == "" {
		sqliteURL, err := sqliteURLFor(dir, fsync)
		if err != nil {
			return err
		}
		backend = ferretdb.Config{Handler: "sqlite", SQLiteURL: sqliteURL}
	}
	var err error

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// SIGTERM is what the test harness sends; SIGINT is Ctrl+C in a terminal.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// With the proxy in front, FerretDB itself gets a private port.
	ferretAddr := listen
	var front net.Listener
	if serialize {
		if front, err = net.Listen("tcp", listen); err != nil {
			return err
		}
		defer front.Close()
		ferretAddr = "127.0.0.1:0"
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: ferretAddr},
		Logger:        logger,
		Handler:       backend.Handler,
		SQLiteURL:     backend.SQLiteURL,
		PostgreSQLURL: backend.PostgreSQLURL,
	})
	if err != nil {
		return err
	}

	// New has already bound FerretDB's listener, so its address is known.
	u, err := url.Parse(f.MongoDBURI())
	if err != nil {
		return err
	}
	publicAddr := u.Host
	if front != nil {
		go serveProxy(ctx, front, u.Host, logger)
		publicAddr = front.Addr().String()
	}
	fmt.Printf("listening on %s\n", publicAddr)

	// Run returns once ctx is canceled and all connections are closed.
	return f.Run(ctx)
}

// sqliteURLFor turns a directory into the "file:DIR/" URL FerretDB wants:
// the directory must exist and the path must end with a slash.
//
// Without fsync, SQLite's synchronous pragma is off: test data is thrown
// away anyway, and waiting for the disk on every commit made each write
// take milliseconds.
func sqliteURLFor(dir string, fsync bool) (string, error) {
	if dir == "" {
		return "", errors.New("-dir is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return "", fmt.Errorf("-dir %s is not a directory", abs)
	}
	u := "file:" + strings.TrimSuffix(abs, "/") + "/"
	if !fsync {
		u += "?_pragma=synchronous(off)"
	}
	return u, nil
}

// writeLock is held by a proxied connection from the moment it forwards a
// command that may write until FerretDB has answered it.
var writeLock sync.Mutex

// serveProxy accepts client connections until ctx is canceled and pipes each
// to its own connection to FerretDB at backend.
func serveProxy(ctx context.Context, front net.Listener, backend string, logger *slog.Logger) {
	go func() {
		<-ctx.Done()
		front.Close()
	}()

	for {
		client, err := front.Accept()
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("proxy accept failed", "error", err)
			}
			return
		}
		go func() {
			defer client.Close()
			if err := proxyConn(ctx, client, backend); err != nil && !isClosedErr(err) {
				logger.Warn("proxy connection ended", "error", err)
			}
		}()
	}
}

// proxyConn relays one client connection. The MongoDB protocol is strictly
// request then response(s) on a connection (FerretDB offers no exhaust
// cursors or streaming hello), so a simple loop keeps them paired.
func proxyConn(ctx context.Context, client net.Conn, backend string) error {
	var d net.Dialer
	server, err := d.DialContext(ctx, "tcp", backend)
	if err != nil {
		return err
	}
	defer server.Close()

	// Closing both ends unblocks the reads below on shutdown.
	stop := context.AfterFunc(ctx, func() { client.Close(); server.Close() })
	defer stop()

	for {
		req, err := readMessage(client)
		if err != nil {
			return err
		}
		if err := roundTrip(req, client, server); err != nil {
			return err
		}
	}
}

// roundTrip forwards one request and relays its answer, under writeLock when
// the request may write.
func roundTrip(req []byte, client, server net.Conn) error {
	if mayWrite(req) {
		writeLock.Lock()
		defer writeLock.Unlock()
	}

	if _, err := server.Write(req); err != nil {
		return err
	}
	if !expectsReply(req) {
		return nil
	}

	// A reply flagged moreToCome is followed by another one.
	for {
		resp, err := readMessage(server)
		if err != nil {
			return err
		}
		if _, err := client.Write(resp); err != nil {
			return err
		}
		if !hasMoreToCome(resp) {
			return nil
		}
	}
}

const (
	opMsg           = 2013
	headerLen       = 16
	maxMsgLen       = 48 << 20 // MongoDB's maxMessageSizeBytes
	checksumPresent = 1 << 0
	moreToCome      = 1 << 1
	flagBitsSize    = 4
)

// readMessage reads one whole wire-protocol message (header included).
func readMessage(r io.Reader) ([]byte, error) {
	var header [headerLen]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if n < headerLen || n > maxMsgLen {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg := make([]byte, n)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[headerLen:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func opCode(msg []byte) int32 {
	return int32(binary.LittleEndian.Uint32(msg[12:16]))
}

func hasMoreToCome(msg []byte) bool {
	return opCode(msg) == opMsg && len(msg) >= headerLen+flagBitsSize &&
		binary.LittleEndian.Uint32(msg[headerLen:])&moreToCome != 0
}

// expectsReply is false only for OP_MSG requests sent with moreToCome
// (unacknowledged writes); every other request gets an answer.
func expectsReply(req []byte) bool {
	return !hasMoreToCome(req)
}

// readOnlyCommands never change data, so they need not wait for writers.
var readOnlyCommands = map[string]bool{
	"aggregate": true, "buildInfo": true, "buildinfo": true, "collStats": true,
	"connectionStatus": true, "count": true, "dataSize": true, "dbStats": true,
	"distinct": true, "endSessions": true, "explain": true, "find": true,
	"getCmdLineOpts": true, "getLog": true, "getMore": true, "getParameter": true,
	"hello": true, "hostInfo": true, "isMaster": true, "ismaster": true,
	"killCursors": true, "listCollections": true, "listCommands": true,
	"listDatabases": true, "listIndexes": true, "ping": true,
	"saslContinue": true, "saslStart": true, "serverStatus": true,
	"whatsmyuri": true,
}

// mayWrite tells whether a request could change data. Anything it cannot
// parse, including legacy opcodes, counts as a write: waiting is safe.
func mayWrite(req []byte) bool {
	if opCode(req) != opMsg {
		return true
	}
	name, ok := commandName(req)
	return !ok || !readOnlyCommands[name]
}

// commandName finds an OP_MSG's body section (kind 0, one BSON document) and
// returns the name of the document's first element, which is the command.
func commandName(msg []byte) (string, bool) {
	if len(msg) < headerLen+flagBitsSize {
		return "", false
	}
	b := msg[headerLen+flagBitsSize:]
	if binary.LittleEndian.Uint32(msg[headerLen:])&checksumPresent != 0 && len(b) >= 4 {
		b = b[:len(b)-4] // the CRC-32C trailer is not a section
	}
	for len(b) > 0 {
		kind := b[0]
		b = b[1:]
		if len(b) < 4 {
			return "", false
		}
		size := int(int32(binary.LittleEndian.Uint32(b)))
		if size < 5 || size > len(b) {
			return "", false
		}
		if kind == 0 {
			// document: int32 size, then elements: type byte, cstring name, ...
			doc := b[4:size]
			if len(doc) < 2 {
				return "", false
			}
			end := strings.IndexByte(string(doc[1:]), 0)
			if end < 0 {
				return "", false
			}
			return string(doc[1 : 1+end]), true
		}
		// kind 1 (document sequence) and others: skip by their size.
		b = b[size:]
	}
	return "", false
}

func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
