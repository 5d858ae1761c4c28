package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/cmd/internal/proofkit"
)

func TestTableWrite(t *testing.T) {
	tb := &Table{Title: "T", Header: []string{"a", "b"}, Notes: []string{"n|1"}}
	tb.Add("x|y", "line\nbreak\x1b[31m")
	tb.Add("short")
	var b bytes.Buffer
	tb.Write(&b)
	want := "### T\n\n| a | b |\n|---|---|\n| x\\|y | line break [31m |\n| short |  |\n\n- n\\|1\n\n"
	if got := b.String(); got != want {
		t.Fatalf("table:\n%q\nwant\n%q", got, want)
	}
}

func TestCellCutsLongText(t *testing.T) {
	if got := []rune(cell(strings.Repeat("é", 2000))); len(got) != 1200 || got[1199] != '…' {
		t.Fatalf("len=%d last=%q, want 1200 ending in …", len(got), got[len(got)-1])
	}
}

func TestFormatters(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{fmtDur(1500 * time.Microsecond), "1.5 ms"},
		{fmtDur(2 * time.Second), "2 s"},
		{fmtDur(90 * time.Second), "1m30s"},
		{fmtBytes(24.4 * 1024 * 1024), "24.4 MiB"},
		{fmtBytes(512), "512 B"},
		{thousands(1234567.4), "1,234,567"},
		{thousands(-1000), "-1,000"},
		{fmtRate(6639, "rows"), "6,639 rows/s"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
BenchmarkWrite/GroupCommitQueued-2         	    2000	      8572 ns/op	    116679 rows/s	  512 B/op	  7 allocs/op
BenchmarkHistoryView/100000-2   	    3000	    379000 ns/op
BenchmarkBroken-2 abc 1 ns/op
PASS
`
	res := parseGoBench(out)
	if got, want := len(res), 2; got != want {
		t.Fatalf("parsed %d results, want %d: %v", got, want, res)
	}
	r := res["BenchmarkWrite/GroupCommitQueued"]
	if r.N != 2000 || r.Metrics["ns/op"] != 8572 || r.Metrics["rows/s"] != 116679 || r.Metrics["allocs/op"] != 7 {
		t.Fatalf("GroupCommitQueued = %+v", r)
	}
	if got := res["BenchmarkHistoryView/100000"].Metrics["ns/op"]; got != 379000 {
		t.Fatalf("HistoryView ns/op = %v", got)
	}
}

func TestParseProc(t *testing.T) {
	n, err := parseStatusField("Name:\tneo\nVmHWM:\t   24212 kB\nVmRSS:\t 20000 kB\n", "VmHWM")
	if err != nil || n != 24212*1024 {
		t.Fatalf("VmHWM = %d, %v", n, err)
	}
	if _, err := parseStatusField("Name: x\n", "VmRSS"); err == nil {
		t.Fatal("missing field: no error")
	}
	stat := "1234 (neo run (x)) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 9"
	if got, err := parseStatCPU(stat); err != nil || got != 175 {
		t.Fatalf("utime+stime = %d, %v; want 175", got, err)
	}
}

func TestLastExecs(t *testing.T) {
	out := "fuzz: elapsed: 3s, execs: 1000 (333/sec)\nfuzz: elapsed: 6s, execs: 25000 (8000/sec)\nPASS\n"
	if got := lastExecs(out); got != "25,000" {
		t.Fatalf("lastExecs = %q", got)
	}
}

func TestDeadlineRace(t *testing.T) {
	// As Go 1.26 prints the coordinator's race (golang/go#75804).
	race := "fuzz: elapsed: 5s, execs: 17403 (3975/sec), new interesting: 1 (total: 246)\n--- FAIL: FuzzReplayCSV (5.08s)\n    context deadline exceeded\nFAIL\nexit status 1\n"
	if !deadlineRace(race) {
		t.Fatal("the coordinator's deadline race is not recognised")
	}
	// A real finding names the input it wrote: never excused.
	found := "--- FAIL: FuzzReplayCSV (0.20s)\n    --- FAIL: FuzzReplayCSV (0.00s)\n        replay_test.go:471: event 0 is not sane\n    Failing input written to testdata/fuzz/FuzzReplayCSV/abc\n    context deadline exceeded\nFAIL\n"
	if deadlineRace(found) {
		t.Fatal("a written failing input was excused as the deadline race")
	}
	if deadlineRace("--- FAIL: FuzzX (1.00s)\n    panic: boom\nFAIL\n") {
		t.Fatal("a panic was excused as the deadline race")
	}
}

// fakeWAL builds a WAL of n frames of page size ps with a valid checksum
// chain, the last frame a commit.
func fakeWAL(n, ps int) []byte {
	w := make([]byte, 32+n*(24+ps))
	binary.BigEndian.PutUint32(w[0:], 0x377f0682)
	binary.BigEndian.PutUint32(w[4:], 3007000)
	binary.BigEndian.PutUint32(w[8:], uint32(ps))
	binary.BigEndian.PutUint32(w[16:], 0xdead)
	binary.BigEndian.PutUint32(w[20:], 0xbeef)
	s0, s1 := walChecksum(false, 0, 0, w[:24])
	binary.BigEndian.PutUint32(w[24:], s0)
	binary.BigEndian.PutUint32(w[28:], s1)
	var frames []walFrame
	for i := 0; i < n; i++ {
		off := 32 + i*(24+ps)
		binary.BigEndian.PutUint32(w[off:], uint32(i+2))
		if i == n-1 {
			binary.BigEndian.PutUint32(w[off+4:], uint32(n+1))
		}
		binary.BigEndian.PutUint32(w[off+8:], 0xdead)
		binary.BigEndian.PutUint32(w[off+12:], 0xbeef)
		w[off+24+5] = 13 // a leaf page
		frames = append(frames, walFrame{off: off})
	}
	resealWAL(w, frames, 0, false, ps)
	return w
}

func TestWALTearKeepsChecksums(t *testing.T) {
	w := fakeWAL(6, 1024)
	frames, last, _, _, err := parseWAL(w)
	if err != nil || len(frames) != 6 || last != 5 {
		t.Fatalf("parse: %d frames, last commit %d, %v", len(frames), last, err)
	}
	torn, desc, err := tearWAL(w, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(torn[:len(w)], w) && len(torn) == len(w) {
		t.Fatalf("tearWAL changed nothing (%s)", desc)
	}
	// Every committed frame must still pass SQLite's checksum chain.
	frames, last, _, _, err = parseWAL(torn)
	if err != nil || last != 5 {
		t.Fatalf("after %s: last commit %d (%d frames), %v; want 5", desc, last, len(frames), err)
	}
}

func TestDamageDB(t *testing.T) {
	ps := 1024
	db := make([]byte, 4*ps)
	copy(db, "SQLite format 3\x00")
	binary.BigEndian.PutUint16(db[16:], uint16(ps))
	db[100] = 13
	db[ps] = 13
	rng := rand.New(rand.NewPCG(3, 4))
	for kind := damageStructural; kind < damageTornWAL; kind++ {
		for i := 0; i < 20; i++ {
			out, desc, err := damageDB(db, kind, rng)
			if err != nil {
				t.Fatalf("%s: %v", damageNames[kind], err)
			}
			if kind == damageTruncate && len(out) >= len(db) {
				t.Fatalf("%s: %s left %d bytes", damageNames[kind], desc, len(out))
			}
			if &out[0] == &db[0] {
				t.Fatalf("%s: damaged the original", damageNames[kind])
			}
		}
	}
}

func TestCountScales(t *testing.T) {
	o := options{scale: 0.1}
	if got := o.count(1000, 20); got != 100 {
		t.Fatalf("count(1000) at 0.1 = %d", got)
	}
	if got := o.count(20, 2); got != 2 {
		t.Fatalf("count(20) at 0.1 = %d", got)
	}
}

func TestParseLogfmt(t *testing.T) {
	line := `time=2026-12-01T14:44:03Z level=info msg="backup written" db=/tmp/a/neo.db backup="/tmp/a b/neo.db.bak.1Z" note="say \"hi\"" flag`
	f := parseLogfmt(line)
	for k, want := range map[string]string{
		"level": "info", "msg": "backup written", "db": "/tmp/a/neo.db",
		"backup": "/tmp/a b/neo.db.bak.1Z", "note": `say "hi"`, "flag": "",
	} {
		if got, ok := f[k]; !ok || got != want {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, want)
		}
	}
	if f := parseLogfmt(`level=warn msg="unterminated value`); f["level"] != "warn" {
		t.Errorf("unterminated quote: level = %q, want the fields before the fault kept", f["level"])
	}
}

func TestLogValues(t *testing.T) {
	log := `level=info msg="pre-run backup: done" path=/x/neo.db.bak.B
level=info msg="backup written" db=/x/neo.db backup=/x/neo.db.bak.A
level=info msg="not a backup written line" backup=/x/other
neo: some plain line mentioning backup written backup=/x/fake
level=info msg="backup written" db=/x/neo.db backup=/x/neo.db.bak.C`
	got := logValues(log, "backup written", "backup")
	if want := []string{"/x/neo.db.bak.A", "/x/neo.db.bak.C"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("logValues = %q, want %q", got, want)
	}
}

func TestNamesPID(t *testing.T) {
	for _, tt := range []struct {
		s    string
		pid  int
		want bool
	}{
		{"in use by another neo process (pid 1234); end that session first", 1234, true},
		{"pid 1234", 1234, true},
		{"1234", 1234, true},
		{"pid 12345", 1234, false},
		{"started 20261201T112345Z", 1234, false},
		{"in use by another neo process", 1234, false},
	} {
		if got := namesPID(tt.s, tt.pid); got != tt.want {
			t.Errorf("namesPID(%q, %d) = %v, want %v", tt.s, tt.pid, got, tt.want)
		}
	}
}

func TestIsLeftover(t *testing.T) {
	for name, want := range map[string]bool{
		"neo.db.bak.20261201T144612Z-2.tmp":       true,
		"neo.db.bak.20261201T144612Z.tmp-journal": true,
		"neo.db.bak.20261201T144612Z.locked.tmp":  true,
		"neo.db.restore-tmp":                      true,
		".neo-check-123":                          true,
		"neo.db-journal":                          true,
		"neo.db":                                  false,
		"neo.db-wal":                              false,
		"neo.db.lock":                             false,
		"neo.db.bak.20261201T144612Z-2":           false,
		"neo.db.malformed_20261201T144612Z":       false,
		"cfg.toml":                                false,
	} {
		if got := isLeftover(name); got != want {
			t.Errorf("isLeftover(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFmtCodes(t *testing.T) {
	if got, want := fmtCodes(map[int]int{1: 2, 0: 38, -1: 1}), "-1×1, 0×38, 1×2"; got != want {
		t.Errorf("fmtCodes = %q, want %q", got, want)
	}
	if got := fmtCodes(nil); got != "none" {
		t.Errorf("fmtCodes(nil) = %q, want none", got)
	}
}

func TestFmtSignals(t *testing.T) {
	got := fmtSignals(map[int]int{int(syscall.SIGKILL): 1, int(syscall.SIGHUP): 2, int(syscall.SIGINT): 3})
	if want := "SIGHUP 2, SIGINT 3, kill -9 1"; got != want {
		t.Errorf("fmtSignals = %q, want %q", got, want)
	}
}

func TestLogTime(t *testing.T) {
	log := `time=2026-12-01T15:54:11.1Z level=info msg="starting" note="session started soon"
time=2026-12-01T15:54:11.397638948Z level=info msg="session started" session=a
time=2026-12-01T15:54:12.5Z level=info msg="session started" session=b
time=2026-12-01T15:54:13.650132539Z level=info msg="session ended" session=a`
	t0, err := logTime(log, "session started")
	if err != nil {
		t.Fatal(err)
	}
	t1, err := logTime(log, "session ended")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := t1.Sub(t0), 2252493591*time.Nanosecond; got != want {
		t.Fatalf("ended − started = %s, want %s (the first \"session started\" line, not the note that mentions it)", got, want)
	}
	for _, bad := range []string{
		`level=info msg="session started"`,                // no time field
		`time=yesterday level=info msg="session started"`, // unparsable time
		`time=2026-12-01T15:54:11Z level=info msg="session ended"`,
	} {
		if _, err := logTime(bad, "session started"); err == nil {
			t.Errorf("logTime(%q) = no error, want one", bad)
		}
	}
}

func TestResolveRefBin(t *testing.T) {
	if got, err := resolveRefBin(""); got != "" || err != nil {
		t.Fatalf(`resolveRefBin("") = %q, %v; want no reference`, got, err)
	}
	dir := t.TempDir()
	exe, plain := filepath.Join(dir, "neo-ref"), filepath.Join(dir, "notes")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(plain, []byte("x"), 0o644)
	if got, err := resolveRefBin(exe); err != nil || got != exe {
		t.Fatalf("resolveRefBin(%s) = %q, %v", exe, got, err)
	}
	for _, p := range []string{filepath.Join(dir, "absent"), plain, dir} {
		if _, err := resolveRefBin(p); !errors.Is(err, errNoRefBin) {
			t.Errorf("resolveRefBin(%s) = %v, want errNoRefBin", p, err)
		}
	}
	// Through the flag: a missing reference is a usage error before any run.
	var out, errOut bytes.Buffer
	bin := filepath.Join(dir, "neo")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	code := run(context.Background(), []string{"bench", "--bin", bin, "--ref-bin", filepath.Join(dir, "absent")}, &out, &errOut, func(string) string { return "" })
	if code != 2 || !strings.Contains(errOut.String(), "reference binary is not there") || out.Len() != 0 {
		t.Fatalf("bench --ref-bin absent: exit %d, stdout %q, stderr %q; want 2 and the reason", code, out.String(), errOut.String())
	}
}

func TestStartupVerdict(t *testing.T) {
	for _, tt := range []struct {
		size    int64
		started time.Duration
		want    string
	}{
		{523 << 20, 1400 * time.Millisecond, "goal ≤ 1.5 s on 500 MiB: met"},
		{523 << 20, 1501 * time.Millisecond, "goal ≤ 1.5 s on 500 MiB: MISSED"},
		{50 << 20, 5 * time.Second, "not judged"},
	} {
		if got := startupVerdict(tt.size, tt.started); !strings.Contains(got, tt.want) {
			t.Errorf("startupVerdict(%d, %s) = %q, want %q", tt.size, tt.started, got, tt.want)
		}
	}
}

// TestBareInsertCopiesEveryRow holds the bare-insert reference to "the
// same rows": both copies have the source's rows (counts and sums per
// table, read back by a fresh reader), its indexes and its page size.
func TestBareInsertCopiesEveryRow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	w, err := sql.Open("sqlite", "file:"+src+"?_pragma=page_size(8192)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	n := bareInsertChunk + 1 + rng.IntN(1000) // more than one chunk
	for _, q := range []string{
		`CREATE TABLE parent (k INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT`,
		`CREATE TABLE child (parent_k INTEGER NOT NULL REFERENCES parent (k), t INTEGER NOT NULL, v REAL, note TEXT, b BLOB) STRICT`,
		`CREATE INDEX child_time ON child (parent_k, t)`,
		`INSERT INTO parent VALUES (1, 'a'), (7, 'b')`,
		`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < ` + strconv.Itoa(n) + `)
		 INSERT INTO child SELECT CASE WHEN i % 3 = 0 THEN 7 ELSE 1 END, i, i * 0.5, CASE WHEN i % 5 = 0 THEN NULL ELSE 'n' || i END, x'00ff' FROM c`,
		`DELETE FROM child WHERE t % 97 = 0`, // gaps in the rowids
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	w.Close()
	sum := func(path string) string {
		r, err := proofkit.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var s, idx string
		var ps int64
		if err := r.QueryRow(`SELECT (SELECT count(*) || ',' || total(k) || ',' || group_concat(name) FROM parent) || ';' ||
			(SELECT count(*) || ',' || sum(parent_k) || ',' || sum(t) || ',' || total(v) || ',' || count(note) || ',' || sum(length(b)) FROM child)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		r.QueryRow(`SELECT group_concat(name) FROM sqlite_master WHERE type = 'index'`).Scan(&idx)
		r.QueryRow(`PRAGMA page_size`).Scan(&ps)
		return fmt.Sprintf("%s | %s | %d", s, idx, ps)
	}
	want := sum(src)
	_, rows, err := bareInsert(ctx, src, filepath.Join(dir, "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(filepath.Join(dir, "bare.db")); got != want {
		t.Errorf("bareInsert copy: %s, want %s", got, want)
	}
	if wantRows := int64(2 + n - n/97); rows != wantRows {
		t.Errorf("bareInsert inserted %d rows, want %d", rows, wantRows)
	}
	if _, err := bareInsertSelect(ctx, src, filepath.Join(dir, "select.db"), 8192); err != nil {
		t.Fatal(err)
	}
	if got := sum(filepath.Join(dir, "select.db")); got != want {
		t.Errorf("bareInsertSelect copy: %s, want %s", got, want)
	}
}
