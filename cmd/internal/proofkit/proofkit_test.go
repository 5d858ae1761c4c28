package proofkit

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSinceMark(t *testing.T) {
	for _, tt := range []struct {
		kept    string
		n, mark int64
		want    string
	}{
		{"abcdef", 6, 0, "abcdef"},
		{"abcdef", 6, 4, "ef"},
		{"abcdef", 6, 6, ""},
		{"abcdef", 6, 9, ""},
		{"defghi", 9, 5, "fghi"}, // the head was dropped: offsets count all bytes
		{"defghi", 9, 1, "defghi"},
	} {
		if got := sinceMark([]byte(tt.kept), tt.n, tt.mark); got != tt.want {
			t.Errorf("sinceMark(%q, %d, %d) = %q, want %q", tt.kept, tt.n, tt.mark, got, tt.want)
		}
	}
}

func TestBufferKeepsTheTail(t *testing.T) {
	b := NewBuffer(4)
	for _, s := range []string{"abc", "def", "ghi"} {
		b.Write([]byte(s))
	}
	if got := b.String(); got != "fghi" {
		t.Fatalf("kept %q, want the last 4 bytes fghi", got)
	}
	if b.Total() != 9 || b.Since(7) != "hi" {
		t.Fatalf("Total %d Since(7) %q, want 9 and hi", b.Total(), b.Since(7))
	}
}

func TestBufferWaits(t *testing.T) {
	var b Buffer // the zero value is ready
	go func() {
		b.Write([]byte("\x1b[1mses"))
		b.Write([]byte("sions\x1b[0m 1–1"))
	}()
	if _, err := b.WaitText(0, "sessions 1–1", time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	mark := b.Total()
	if _, err := b.WaitText(mark, "sessions", 10*time.Millisecond, nil); err == nil {
		t.Fatal("WaitText found text written before the mark")
	}
	done := make(chan struct{})
	close(done)
	if _, err := b.WaitFor("never", time.Minute, done); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Fatalf("WaitFor after the end = %v, want the process-ended error", err)
	}
	if _, err := b.WaitFor("\x1b[1m", time.Minute, nil); err != nil {
		t.Fatalf("WaitFor matches raw bytes: %v", err)
	}
}

func TestTail(t *testing.T) {
	if got := Tail("  hello world \n", 5); got != "…world" {
		t.Errorf("Tail = %q", got)
	}
	if got := Tail("hi", 5); got != "hi" {
		t.Errorf("Tail = %q", got)
	}
}

func TestLastLine(t *testing.T) {
	log := "level=info msg=a\nlevel=error msg=\"b FAILED\" n=1\nlevel=error msg=\"b FAILED\" n=2\n"
	if got := LastLine(log, "b FAILED"); got != `level=error msg="b FAILED" n=2` {
		t.Errorf("LastLine = %q", got)
	}
	if got := LastLine(log, "absent"); got != "" {
		t.Errorf("LastLine(absent) = %q", got)
	}
}

func TestAnswer(t *testing.T) {
	if got := answer([]byte("x\x1b]11;?\x07y\x1b[6n")); got != "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R" {
		t.Errorf("answer = %q", got)
	}
	if got := answer([]byte("plain")); got != "" {
		t.Errorf("answer(plain) = %q, want none", got)
	}
}

func TestAltScreenLeft(t *testing.T) {
	for _, tt := range []struct {
		out string
		ok  bool
	}{
		{"", true},
		{"\x1b[?1049hdraw\x1b[?1049l", true},
		{"\x1b[?1049hdraw", false},
		{"\x1b[?1049h\x1b[?1049l\x1b[?1049hagain", false},
	} {
		if _, ok := altScreenLeft(tt.out); ok != tt.ok {
			t.Errorf("altScreenLeft(%q) = %v, want %v", tt.out, ok, tt.ok)
		}
	}
}

func TestExitCode(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if got := ExitCode(exec.Command(sh, "-c", "exit 3").Run()); got != 3 {
		t.Errorf("exit 3 → %d", got)
	}
	if got := ExitCode(exec.Command(sh, "-c", "kill -9 $$").Run()); got != -1 {
		t.Errorf("killed → %d, want -1", got)
	}
	if got := ExitCode(exec.Command(filepath.Join(t.TempDir(), "absent")).Run()); got != -2 {
		t.Errorf("not started → %d, want -2", got)
	}
}

// schema is the part of neo's schema the reader reads.
const schema = `
CREATE TABLE sessions (session_key INTEGER PRIMARY KEY, session_id TEXT UNIQUE, started_at TEXT, ended_at TEXT, ended_at_estimated INTEGER NOT NULL DEFAULT 0,
	halt_reason TEXT, ending_value REAL, ending_xrp REAL);
CREATE TABLE orders (session_key INTEGER, status TEXT);
CREATE TABLE fills (session_key INTEGER);
CREATE TABLE inventory_snapshots (session_key INTEGER);
CREATE TABLE valuation_snapshots (session_key INTEGER);
CREATE TABLE session_events (session_key INTEGER, created_at TEXT, market_time INTEGER, kind TEXT, message TEXT);`

func makeDB(t *testing.T, stmts string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "neo.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmts); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckClosed(t *testing.T) {
	ctx := context.Background()
	closed := schema + `
INSERT INTO sessions VALUES (1, 'a', '2026-01-01', '2026-01-02', 0, 'operator_quit', 5000, 1000);
INSERT INTO sessions VALUES (2, 'b', '2026-01-03', '2026-01-04', 0, 'signal_terminate', 5001, 1001);
INSERT INTO fills VALUES (2); INSERT INTO orders VALUES (2, 'filled');
INSERT INTO session_events VALUES (2, '2026-01-04', 0, 'shutdown', 'by SIGTERM');`
	path := makeDB(t, closed)
	st, err := CheckClosed(ctx, path, "signal_terminate")
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Last(); s.ID != "b" || s.Fills != 1 || st.ByID("a") == nil || st.AllClosed() != nil {
		t.Fatalf("state %+v", st)
	}
	if _, err := CheckClosed(ctx, path, "operator_quit"); err == nil || !strings.Contains(err.Error(), "shutdown: by SIGTERM") {
		t.Fatalf("wrong reason: %v, want an error naming the recorded events", err)
	}
	d, err := ReadFileDetail(ctx, path)
	if err != nil || len(d.Last().Events) != 1 {
		t.Fatalf("detail %+v %v", d, err)
	}
	for name, extra := range map[string]string{
		"open order":      `INSERT INTO orders VALUES (2, 'open');`,
		"no ended_at":     `UPDATE sessions SET ended_at = NULL WHERE session_id = 'b';`,
		"no ending_value": `UPDATE sessions SET ending_value = NULL WHERE session_id = 'b';`,
		"no session":      `DELETE FROM sessions;`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := CheckClosed(ctx, makeDB(t, closed+extra), "signal_terminate"); err == nil {
				t.Fatal("CheckClosed passed")
			}
		})
	}
	// An older session left open passes CheckClosed (it reads the newest)
	// and fails AllClosed (the soak's stricter rule).
	for name, extra := range map[string]string{
		"older still open":       `UPDATE sessions SET ended_at = NULL WHERE session_id = 'a';`,
		"older with open orders": `INSERT INTO orders VALUES (1, 'open');`,
	} {
		t.Run(name, func(t *testing.T) {
			st, err := CheckClosed(ctx, makeDB(t, closed+extra), "signal_terminate")
			if err != nil {
				t.Fatal(err)
			}
			if st.AllClosed() == nil {
				t.Fatal("AllClosed passed")
			}
		})
	}
}

func TestCheckClosedWantsTheWALGone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neo.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema + `INSERT INTO sessions VALUES (1, 'a', '1', '2', 0, 'x', 1, 1);`); err != nil {
		t.Fatal(err)
	}
	if WALSize(path) == 0 {
		t.Skip("the driver checkpointed the WAL away")
	}
	if _, err := CheckClosed(context.Background(), path, "x"); err == nil || !strings.Contains(err.Error(), "-wal holds") {
		t.Fatalf("a live WAL: %v, want refused", err)
	}
}

func TestReadFileIfAnyOnAFileWithoutSchema(t *testing.T) {
	path := makeDB(t, "PRAGMA user_version = 0; CREATE TABLE other (x); DROP TABLE other")
	st, err := ReadFileIfAny(context.Background(), path)
	if err != nil || len(st.Sessions) != 0 || st.QuickCheck != "ok" || !st.NoSchema {
		t.Fatalf("a file without a schema: %+v, %v; want no sessions, quick_check ok, no error", st, err)
	}
	if _, err := ReadFile(context.Background(), path); err == nil {
		t.Fatal("ReadFile on a file without a sessions table succeeded; the test no longer shows why ReadFileIfAny exists")
	}
	if _, err := ReadFileIfAny(context.Background(), filepath.Join(t.TempDir(), "absent.db")); err == nil {
		t.Fatal("a missing file read as empty")
	}
}

func TestCLIOpenSessions(t *testing.T) {
	path := makeDB(t, schema+`INSERT INTO sessions VALUES (1, 'a', '1', NULL, 0, NULL, NULL, NULL);`)
	n, ok, err := CLIOpenSessions(context.Background(), path)
	if !ok {
		t.Skip("no sqlite3 CLI here")
	}
	if err != nil || n != 1 {
		t.Fatalf("CLIOpenSessions = %d, %v; want 1", n, err)
	}
}
