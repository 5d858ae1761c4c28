package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"

	"neo/assets"
	"neo/engine"
	"neo/engine/textsafe"
)

// The accepted --speed range besides 0. Below minSpeed a session would take
// a thousand wall-clock seconds per market second (a typo, not a wish);
// above maxSpeed the pacing is indistinguishable from 0 ("as fast as
// possible") and would slip past the unbounded-run guard.
const (
	minSpeed = 0.001
	maxSpeed = 1000.0
)

// speedHelp and durationHelp are the flag help texts: they state what the
// validation below enforces.
var (
	speedHelp = fmt.Sprintf("market-time speed: 1 = real time, 0 = as fast as possible, else %g to %g "+
		"(0 on the sim feed needs --duration)", minSpeed, maxSpeed)
	durationHelp = "end after this much market time, > 0 (halt reason duration_reached); omit for no limit"
)

// validateRunFlags refuses flag values that would run something other than
// what the operator meant (exit 2, the message gives the accepted range).
// It runs before anything is opened.
func validateRunFlags(cmd *cobra.Command, f *runFlags) error {
	switch {
	case math.IsNaN(f.speed) || math.IsInf(f.speed, 0):
		return exitf(exitUsage, "--speed %v: give 0 (as fast as possible) or a number from %g to %g (1 = real time)", f.speed, minSpeed, maxSpeed)
	case f.speed != 0 && (f.speed < minSpeed || f.speed > maxSpeed):
		return exitf(exitUsage, "--speed %v: give 0 (as fast as possible) or a number from %g to %g (1 = real time)", f.speed, minSpeed, maxSpeed)
	}
	if err := validateFeedFlags(cmd, f); err != nil {
		return err
	}
	if cmd.Flags().Changed("duration") && f.duration <= 0 {
		return exitf(exitUsage, "--duration %v: give a positive duration such as 2h; omit --duration for no limit", f.duration)
	}
	// The simulated market never ends: at --speed 0 without a limit it
	// writes to the database as fast as the disk takes it (1.28 GB in ten
	// minutes). A replay is bounded by its file and stays allowed.
	if f.speed == 0 && !cmd.Flags().Changed("duration") && f.feed == "sim" {
		return exitf(exitUsage, "--speed 0 on the sim feed never ends and fills the disk: add --duration (e.g. --duration 24h), or give a --speed from %g to %g", minSpeed, maxSpeed)
	}
	return nil
}

// lookupEnv tells an unset variable from one set to "": NEO_DB="" (a unit
// file's empty substitution) must not silently mean the default database.
func (m *Main) lookupEnv(key string) (string, bool) {
	if m.LookupEnv != nil {
		return m.LookupEnv(key)
	}
	v := m.Getenv(key)
	return v, v != ""
}

// envPath reads a path variable (NEO_DB, NEO_CONFIG): set but empty is a
// usage error, not "use the default".
func (m *Main) envPath(key string) (string, error) {
	v, ok := m.lookupEnv(key)
	if ok && v == "" {
		return "", exitf(exitUsage, "%s is set but empty: give it a path, or unset it (env -u %s) to use the default", key, key)
	}
	return v, nil
}

// errNoHome says why there is no default path: HOME is unset (a systemd
// unit without User=) and xdg would put the files under "/".
const errNoHome = "HOME is not set (a service without User=?), so there is no per-user directory"

// userDir returns the per-user base directory named by the XDG variable
// xdgVar (XDG_DATA_HOME or XDG_CONFIG_HOME), read through m's environment
// rather than xdg's copy taken at process start. ok is false when the
// environment gives no home: the caller must not invent one ("/").
func (m *Main) userDir(xdgVar string) (dir string, ok bool) {
	if runtime.GOOS == "windows" {
		// Known folders, not HOME: xdg asks Windows.
		if xdgVar == "XDG_CONFIG_HOME" {
			return xdg.ConfigHome, true
		}
		return xdg.DataHome, true
	}
	if v := m.Getenv(xdgVar); filepath.IsAbs(v) {
		return v, true
	}
	home := m.Getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", false
	}
	switch {
	case runtime.GOOS == "darwin":
		return filepath.Join(home, "Library", "Application Support"), true
	case xdgVar == "XDG_CONFIG_HOME":
		return filepath.Join(home, ".config"), true
	}
	return filepath.Join(home, ".local", "share"), true
}

// defaultDBPath is <user data dir>/neo/neo.db.
func (m *Main) defaultDBPath() (string, bool) {
	dir, ok := m.userDir("XDG_DATA_HOME")
	if !ok {
		return "", false
	}
	return filepath.Join(dir, "neo", "neo.db"), true
}

// defaultConfigPath is <user config dir>/neo/config.toml.
func (m *Main) defaultConfigPath() (string, bool) {
	dir, ok := m.userDir("XDG_CONFIG_HOME")
	if !ok {
		return "", false
	}
	return filepath.Join(dir, "neo", "config.toml"), true
}

// dbPath resolves the database path: --db, then NEO_DB, then the user data
// directory. An explicitly empty --db or NEO_DB, and a missing HOME, are
// usage errors: each would otherwise pick a database the operator did not
// name.
func (m *Main) dbPath() (string, error) {
	p := m.DBPath
	if p == "" && m.dbFlagGiven != nil && m.dbFlagGiven() {
		return "", exitf(exitUsage, "--db is empty: give a database path, or leave --db out to use NEO_DB or the default")
	}
	if p == "" {
		var err error
		if p, err = m.envPath("NEO_DB"); err != nil {
			return "", err
		}
	}
	if p == "" {
		def, ok := m.defaultDBPath()
		if !ok {
			return "", exitf(exitUsage, "no database path: %s; pass --db PATH or set NEO_DB", errNoHome)
		}
		p = def
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", exitf(exitUsage, "database path %q: %v", textsafe.Line(p), err)
	}
	return abs, nil
}

// dbPathHelp is the --db help: the default as it resolves now.
func (m *Main) dbPathHelp() string {
	if def, ok := m.defaultDBPath(); ok {
		return "database path (env NEO_DB; default " + def + ")"
	}
	return "database path (env NEO_DB; no default: HOME is not set)"
}

// configPathHelp is the --config help: the default as it resolves now.
func (m *Main) configPathHelp() string {
	if def, ok := m.defaultConfigPath(); ok {
		return "TOML config (env NEO_CONFIG; default " + def + " if present)"
	}
	return "TOML config (env NEO_CONFIG; no default file: HOME is not set)"
}

// errorLine is the final "neo: ..." line: one line, and safe for the
// terminal whatever paths or file contents the error quotes.
func errorLine(err error) string { return textsafe.Line(err.Error()) }

// jsonSafe escapes, inside JSON text, the runes encoding/json passes through
// raw but a terminal may act on or reorder: DEL, the C1 controls
// (U+0080–U+009F) and the bidi controls, plus any raw C0 control but the
// whitespace between tokens. The escape \uXXXX decodes to the same rune, so
// the data is unchanged for a JSON reader. Outside strings JSON is ASCII
// structure, so every such rune is inside a string.
func jsonSafe(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		esc := jsonEscapes(r) || r == utf8.RuneError && size <= 1
		if esc && out == nil {
			out = append(make([]byte, 0, len(b)+16), b[:i]...)
		}
		switch {
		case esc:
			out = fmt.Appendf(out, `\u%04x`, r)
		case out != nil:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

// jsonEscapes reports the runes jsonSafe escapes: DEL, C1, C0 but the
// whitespace between tokens, and the bidi controls.
func jsonEscapes(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r < 0x20 && r != '\n' && r != '\t' && r != '\r') ||
		textsafe.IsBidiControl(r)
}

// backupsHint lists the backups of dbPath for a message: where they are,
// newest first, at most three named.
func backupsHint(dbPath string, backups []string) string {
	if len(backups) == 0 {
		return fmt.Sprintf("there are no backups of %s (%s.bak.*)", textsafe.Line(dbPath), textsafe.Line(filepath.Base(dbPath)))
	}
	names := make([]string, 0, 3)
	for i, b := range backups {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(backups)-3))
			break
		}
		names = append(names, textsafe.Line(b))
	}
	return "backups of " + textsafe.Line(dbPath) + ", newest first: " + strings.Join(names, ", ")
}

// statBackup refuses a BACKUP argument that names no file, with where the
// backups are instead.
func statBackup(backup, dbPath string, list func(string) ([]string, error)) error {
	_, err := os.Stat(backup)
	if err == nil || !os.IsNotExist(err) {
		return nil
	}
	backups, _ := list(dbPath)
	return exitf(exitUsage, "backup file %s does not exist; %s; run 'neo restore' with no BACKUP to restore the newest that passes the check",
		textsafe.Line(backup), backupsHint(dbPath, backups))
}

// printConfig writes --print-config: the embedded commented default config
// (assets/config.toml, every key with its unit and meaning) when nothing was
// merged, else the effective config of the file that was.
func (m *Main) printConfig(cfg engine.Config, cfgPath string) error {
	if cfgPath == configDefaults {
		_, err := m.Stdout.Write(assets.DefaultConfig)
		return err
	}
	_, err := fmt.Fprintf(m.Stdout, "# effective config (from %s)\n%s", textsafe.Line(cfgPath), cfg.TOML())
	return err
}
