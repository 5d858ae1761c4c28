package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"neo/assets"
	"neo/cmd/internal/proofkit"
)

// runMainEnv runs neo in-process with exactly env as its environment (an
// absent key is unset, a present "" is set but empty).
func runMainEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader("")
	m.Stdout, m.Stderr = &out, &errb
	m.Getenv = func(k string) string { return env[k] }
	m.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// refusalDeadline bounds a run that should have been refused at once: on a
// build that accepts the flags, the session would run (forever, for an
// unbounded one); the test kills it and fails instead of hanging.
const refusalDeadline = 30 * time.Second

// runBinExact runs the binary with exactly env (plus PATH) as its
// environment, in an empty directory, killing it after refusalDeadline.
func runBinExact(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	r, err := proofkit.RunEnv(context.Background(), t.TempDir(), neoBin, refusalDeadline, append([]string{"PATH=" + os.Getenv("PATH")}, env...), args...)
	if err != nil {
		t.Fatalf("neo %q: %v: it was not refused; stderr=%.500s", args, err, r.Stderr)
	}
	return r.Code, r.Stdout, r.Stderr
}

// assertNoTerminalControls fails when s holds ESC, BEL, another C0 control
// but newline, or a C1 control (raw byte or UTF-8).
func assertNoTerminalControls(t *testing.T, what, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("%s holds control byte %#02x: %q", what, c, s)
		}
	}
	for _, r := range s {
		if r >= 0x80 && r <= 0x9f || r == 0x202e {
			t.Fatalf("%s holds %U: %q", what, r, s)
		}
	}
}

// Flags that would run something other than what was
// meant are refused before anything is opened.
func TestRunRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "neo.db")
	env := []string{"HOME=" + dir}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"SpeedNaN", []string{"--speed", "NaN"}, []string{"--speed NaN", "0.001 to 1000"}},
		{"SpeedInf", []string{"--speed", "Inf"}, []string{"--speed +Inf", "0.001 to 1000"}},
		{"SpeedMinusInf", []string{"--speed", "-Inf"}, []string{"0.001 to 1000"}},
		{"SpeedTiny", []string{"--speed", "1e-300", "--duration", "1h"}, []string{"--speed 1e-300", "0.001 to 1000"}},
		{"SpeedNegative", []string{"--speed", "-1"}, []string{"--speed -1", "0.001 to 1000"}},
		{"SpeedHuge", []string{"--speed", "1e9", "--duration", "1h"}, []string{"0.001 to 1000"}},
		{"DurationZero", []string{"--speed", "1", "--duration", "0s"}, []string{"--duration 0s", "omit --duration for no limit"}},
		{"DurationNegative", []string{"--duration", "-5m"}, []string{"--duration -5m0s", "omit --duration"}},
		{"UnboundedSimAtSpeed0", []string{"--speed", "0"}, []string{"--speed 0", "sim", "add --duration"}},
		{"UnboundedSimAtSpeed0Explicit", []string{"--speed", "0", "--feed", "sim"}, []string{"add --duration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, prefix := range [][]string{{"run"}, {}} { // `neo` alone is `neo run`
				args := append(append(append([]string{}, prefix...), "--db", db, "--headless"), tc.args...)
				code, _, errOut := runBinExact(t, env, args...)
				assertOneLineError(t, code, errOut, exitUsage, tc.want...)
			}
			if _, err := os.Stat(db); err == nil {
				t.Fatalf("a refused run created %s", db)
			}
		})
	}
}

// The accepted edges of the flags pass the validation.
func TestValidateRunFlagsAccepts(t *testing.T) {
	for _, args := range [][]string{
		{"--speed", "0", "--duration", "1h"},
		{"--speed", "0", "--feed", "replay:bars.csv"}, // bounded by its file
		{"--speed", "0.001"},
		{"--speed", "1000"},
		{"--speed", "1"},
		{},
		{"--duration", "1ns"},
	} {
		cmd := NewMain().runCmd()
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		// Read the parsed values back through the flag set.
		speed, _ := cmd.Flags().GetFloat64("speed")
		dur, _ := cmd.Flags().GetDuration("duration")
		fd, _ := cmd.Flags().GetString("feed")
		if err := validateRunFlags(cmd, &runFlags{speed: speed, duration: dur, feed: fd}); err != nil {
			t.Errorf("%v refused: %v", args, err)
		}
	}
}

// --db "" and NEO_DB="" name no database: refused, never the default.
func TestEmptyDatabasePathIsRefused(t *testing.T) {
	home := t.TempDir()
	def := filepath.Join(home, ".local", "share", "neo", "neo.db")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"FlagEmptySessions", map[string]string{"HOME": home}, []string{"sessions", "--db", ""}, "--db is empty"},
		{"FlagEmptyEquals", map[string]string{"HOME": home}, []string{"check", "--db="}, "--db is empty"},

		{"EnvEmpty", map[string]string{"HOME": home, "NEO_DB": ""}, []string{"sessions"}, "NEO_DB is set but empty"},

		{"ConfigEnvEmpty", map[string]string{"HOME": home, "NEO_CONFIG": ""}, []string{"run", "--print-config"}, "NEO_CONFIG is set but empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMainEnv(t, tc.env, tc.args...)
			assertOneLineError(t, code, errOut, exitUsage, tc.want)
			if _, err := os.Stat(def); err == nil {
				t.Fatalf("the default database %s was created", def)
			}
		})
	}
	// The same for a run, through the binary (an accepting build would start
	// a session on the default database: killed by the deadline).
	code, _, errOut := runBinExact(t, []string{"HOME=" + home}, "run", "--db", "", "--headless", "--duration", "1m")
	assertOneLineError(t, code, errOut, exitUsage, "--db is empty")
	code, _, errOut = runBinExact(t, []string{"HOME=" + home, "NEO_DB="}, "run", "--headless", "--duration", "1m")
	assertOneLineError(t, code, errOut, exitUsage, "NEO_DB is set but empty")
	if _, err := os.Stat(def); err == nil {
		t.Fatalf("the default database %s was created", def)
	}
	// Refused before the feed is opened: --record creates nothing either.
	rec := filepath.Join(t.TempDir(), "r.ndjson")
	code, _, errOut = runMainEnv(t, map[string]string{"HOME": home}, "run", "--db", "", "--headless", "--feed", "xrpl:ws://127.0.0.1:1", "--record", rec)
	assertOneLineError(t, code, errOut, exitUsage, "--db is empty")
	if _, err := os.Stat(rec); err == nil {
		t.Fatalf("a refused --db still created the --record file %s", rec)
	}
	// With --db given, NEO_DB is not read: an empty one does not matter.
	p := mustStoreDB(t, t.TempDir(), "s1")
	if code, _, errOut := runMainEnv(t, map[string]string{"NEO_DB": ""}, "sessions", "--db", p); code != 0 {
		t.Fatalf("--db with NEO_DB empty: exit=%d %s", code, errOut)
	}
}

// Item 13: without HOME (a systemd unit without User=) there is no default
// database; neo says so instead of using /.local/share/neo/neo.db, and skips
// the default config file.
func TestNoHome(t *testing.T) {
	t.Run("InProcess", func(t *testing.T) {
		for _, args := range [][]string{{"sessions"}, {"check"}, {"backup"}, {"backfill"}, {"restore", "--yes"}} {
			code, _, errOut := runMainEnv(t, map[string]string{}, args...)
			assertOneLineError(t, code, errOut, exitUsage, "HOME is not set", "--db", "NEO_DB")
		}
		code, out, errOut := runMainEnv(t, map[string]string{}, "run", "--print-config")
		if code != 0 || out != string(assets.DefaultConfig) {
			t.Fatalf("--print-config without HOME: exit=%d err=%s out=%.200s", code, errOut, out)
		}
	})
	t.Run("Binary", func(t *testing.T) {
		dir := t.TempDir()
		run := func(env []string, args ...string) (int, string, string) { return runBinExact(t, env, args...) }
		code, _, errOut := run(nil, "run", "--headless", "--duration", "1m")
		assertOneLineError(t, code, errOut, exitUsage, "HOME is not set", "--db", "NEO_DB")
		code, _, errOut = run(nil, "sessions")
		assertOneLineError(t, code, errOut, exitUsage, "HOME is not set")
		if strings.Contains(errOut, "/.local/share") {
			t.Fatalf("still names the root path: %s", errOut)
		}
		p := mustStoreDB(t, t.TempDir(), "s1")
		code, out, errOut := run([]string{"NEO_DB=" + p}, "sessions")
		if code != 0 || !strings.Contains(out, "s1") {
			t.Fatalf("NEO_DB without HOME: exit=%d out=%s err=%s", code, out, errOut)
		}
		// XDG_DATA_HOME alone is a home for the data.
		code, _, errOut = run([]string{"XDG_DATA_HOME=" + dir}, "sessions")
		assertOneLineError(t, code, errOut, exitRuntime, filepath.Join(dir, "neo", "neo.db"), "does not exist")
	})
}

// Issue 9 item 5: --print-config prints the embedded commented default when
// there is nothing to merge, the effective config otherwise.
func TestPrintConfig(t *testing.T) {
	home := t.TempDir()
	code, out, errOut := runMainEnv(t, map[string]string{"HOME": home}, "run", "--print-config")
	if code != 0 || out != string(assets.DefaultConfig) {
		t.Fatalf("no config: exit=%d err=%s, want assets/config.toml verbatim; got:\n%.300s", code, errOut, out)
	}
	if !strings.Contains(out, "# XRP held by the paper account") {
		t.Fatal("the embedded default lost its comments")
	}
	cfg := writeFile(t, t.TempDir(), "cfg.toml", "[strategy]\nhalf_spread_bps = 30\n")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"Flag", map[string]string{"HOME": home}, []string{"--config", cfg}},
		{"Env", map[string]string{"HOME": home, "NEO_CONFIG": cfg}, nil},
		{"XDGConfigHome", map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Dir(filepath.Dir(mustUserConfig(t)))}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMainEnv(t, tc.env, append([]string{"run", "--print-config"}, tc.args...)...)
			if code != 0 || !strings.HasPrefix(out, "# effective config (from ") || !strings.Contains(out, "half_spread_bps = 30.0") {
				t.Fatalf("exit=%d err=%s out=%s", code, errOut, out)
			}
		})
	}
	// The user config file under HOME is merged too.
	ucfg := filepath.Join(home, ".config", "neo", "config.toml")
	os.MkdirAll(filepath.Dir(ucfg), 0o700)
	os.WriteFile(ucfg, []byte("[strategy]\nhalf_spread_bps = 30\n"), 0o600)
	code, out, _ = runMainEnv(t, map[string]string{"HOME": home}, "run", "--print-config")
	if code != 0 || !strings.Contains(out, "(from "+ucfg+")") {
		t.Fatalf("user config: exit=%d out=%s", code, out)
	}
}

// mustUserConfig writes <dir>/neo/config.toml and returns its path.
func mustUserConfig(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "neo")
	os.MkdirAll(dir, 0o700)
	return writeFile(t, dir, "config.toml", "[strategy]\nhalf_spread_bps = 30\n")
}

// Item 13: a BACKUP that does not exist is named as such, with where the
// backups are, not "pass --db".
func TestRestoreMissingBackup(t *testing.T) {
	path := mustStoreDB(t, t.TempDir(), "s1")
	before := shaAll(t, path)
	missing := filepath.Join(t.TempDir(), "nonexistent.bak")
	code, _, errOut := runMain(t, nil, "restore", "--db", path, missing, "--yes")
	assertOneLineError(t, code, errOut, exitUsage, "backup file "+missing+" does not exist", path+".bak.", "'neo restore' with no BACKUP")
	if strings.Contains(errOut, "pass --db") {
		t.Fatalf("still blames --db: %s", errOut)
	}
	if shaAll(t, path) != before {
		t.Fatal("the database changed")
	}
	// No backups at all: said so.
	other := filepath.Join(t.TempDir(), "neo.db")
	code, _, errOut = runMain(t, nil, "restore", "--db", other, missing, "--yes")
	assertOneLineError(t, code, errOut, exitUsage, "does not exist", "there are no backups of "+other)
}

// Item 12: hostile text in the database reaches no terminal raw, and JSON
// keeps it exactly.
func TestSessionsOutputIsTerminalSafe(t *testing.T) {
	id := "evil\x1b]0;title\x07\u009b31m\u202eid\x1b[2J"
	path := mustStoreDB(t, t.TempDir(), id)
	for _, format := range [][]string{nil, {"--csv"}, {"--json"}} {
		code, out, errOut := runMain(t, nil, append([]string{"sessions", "--db", path}, format...)...)
		if code != 0 {
			t.Fatalf("%v: exit=%d %s", format, code, errOut)
		}
		assertNoTerminalControls(t, strings.Join(append([]string{"sessions"}, format...), " "), out)
		switch {
		case format == nil:
			if !strings.Contains(out, "evilid") || strings.Contains(out, "31m") || strings.Contains(out, "2J") || strings.Contains(out, "title") {
				t.Fatalf("table keeps an escape tail: %q", out)
			}
		case format[0] == "--csv":
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(rows) != 3 || rows[2][0] != "evilid" {
				t.Fatalf("csv: err=%v rows=%q", err, rows)
			}
		default:
			var recs []sessionRecord
			if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 2 || recs[1].SessionID != id {
				t.Fatalf("json: err=%v, want the id back exactly; out=%s", err, out)
			}
		}
	}
}

func TestJSONSafe(t *testing.T) {
	in := map[string]string{"k": "a\u009b31m\u202eb\x7fc\u2066d\x1b[2J\u0085e"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := jsonSafe(b)
	assertNoTerminalControls(t, "jsonSafe", string(out))
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["k"] != in["k"] {
		t.Fatalf("round trip: err=%v got %q want %q", err, back["k"], in["k"])
	}
	if plain := []byte(`{"a":"b"}`); &jsonSafe(plain)[0] != &plain[0] {
		t.Fatal("plain JSON was copied")
	}
}

// Item 12 end to end: a replay file whose path holds ESC and BEL runs a
// session; `neo sessions --csv` (and the table) print no ESC or BEL, and the
// final error line of a failing run does not either.
func TestHostileReplayPathNeverReachesTheTerminalRaw(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bars\x1b]0;pwned\x07\x1b[2J\u202e")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Skipf("file system refuses the name: %v", err)
	}
	csvPath := writeBars(t, dir, 200)
	db := filepath.Join(t.TempDir(), "neo.db")
	cfg := writeFile(t, t.TempDir(), "cfg.toml", "[risk]\nmax_drawdown_pct = 90\nmax_drift_pct = 49\n")
	code, _, stderr := runNeo(t, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "0", "--feed", "replay:"+csvPath)
	if code != 0 {
		t.Fatalf("replay run: exit %d; stderr:\n%q", code, stderr)
	}
	assertNoTerminalControls(t, "the headless log", stderr)
	if s := lastSession(t, db); s.HaltReason.String != "feed_ended" {
		t.Fatalf("halt_reason=%q", s.HaltReason.String)
	}
	code, out, stderr := runNeo(t, nil, "sessions", "--db", db, "--csv")
	if code != 0 {
		t.Fatalf("sessions --csv: exit %d %s", code, stderr)
	}
	assertNoTerminalControls(t, "sessions --csv", out)
	if !strings.Contains(out, "replay:"+filepath.Dir(dir)+"/bars/bars.csv") {
		t.Fatalf("feed field lost more than the controls: %q", out)
	}
	code, out, _ = runNeo(t, nil, "sessions", "--db", db)
	if code != 0 {
		t.Fatalf("sessions: exit %d", code)
	}
	assertNoTerminalControls(t, "sessions", out)
	code, out, _ = runNeo(t, nil, "sessions", "--db", db, "--json")
	var recs []sessionRecord
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 || recs[0].Feed != "replay:"+csvPath {
		t.Fatalf("sessions --json: exit %d, want the exact path back; out=%s", code, out)
	}
	assertNoTerminalControls(t, "sessions --json", out)

	// The final "neo:" line quotes the paths it could not use.
	for _, args := range [][]string{
		{"run", "--db", db, "--headless", "--duration", "1m", "--config", filepath.Join(dir, "missing.toml")},
		{"run", "--db", db, "--headless", "--speed", "0", "--feed", "replay:" + filepath.Join(dir, "missing.csv")},
		{"restore", "--db", db, "--yes", filepath.Join(dir, "missing.bak")},
		{"sessions", "--db", filepath.Join(dir, "missing.db")},
	} {
		code, _, stderr := runNeo(t, nil, args...)
		if code == 0 || !strings.Contains(stderr, "neo: ") {
			t.Fatalf("%q: exit %d, want an error line; stderr=%q", args, code, stderr)
		}
		assertNoTerminalControls(t, "stderr of "+args[0], stderr)
	}
}
