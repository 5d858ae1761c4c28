package main

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
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
	if f := parseLogfmt(`msg="unterminated value`); f["msg"] != "unterminated value" {
		t.Errorf("unterminated quote: msg = %q, want the rest of the line", f["msg"])
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
