package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"neo/cmd/internal/proofkit"
)

// startSigGeneration is how many signalled starts share one database, so
// that later starts also recover, migrate-check and back up a file with
// history.
const startSigGeneration = 10

// startSigMoment is the window after exec in which the signal lands: it
// covers opening, quick_check, recovery, the pre-run backup and the first
// writes of the session (issue 8, item 3).
const startSigMoment = 400 * time.Millisecond

// startSigEarly is the narrower window of every other pair of runs: a
// start takes a few tens of milliseconds on an idle machine, so most of a
// 400 ms window would land in the running session.
const startSigEarly = 50 * time.Millisecond

// soakStartSignal sends SIGTERM or SIGINT (alternately) at a random moment
// 0-400 ms after exec of a headless `neo run`. Every run must exit 0 (a
// clean operator stop) and, by a fresh reader and the sqlite3 CLI, leave no
// session open and every session ended by the signal it got, with an empty
// WAL.
func soakStartSignal(ctx context.Context, o options, rng *rand.Rand, r *row) {
	seed := rng.Uint64()
	o.logf("start signals: seed %d", seed)
	local := rand.New(rand.NewPCG(seed, 8))
	n := o.count(120, 8)
	codes := map[int]int{}
	open, beforeSession := 0, 0
	var diedAt []string     // moments of the runs killed by the signal after touching the files
	var preRuntime []string // moments of the runs killed by the signal before touching anything
	var db, cfg string
	var cleanup func()
	defer func() {
		if cleanup != nil {
			cleanup()
		}
	}()
	reasons := map[string]string{} // session id → the reason its signal must leave
	reported := map[string]bool{}  // sessions already counted as faulty (a later start recovers them)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if i%startSigGeneration == 0 {
			if cleanup != nil {
				cleanup()
			}
			var dir string
			var err error
			if dir, cleanup, err = o.tempDir("startsig"); err != nil {
				r.fail("%v", err)
				return
			}
			db = filepath.Join(dir, "neo.db")
			cfg = filepath.Join(dir, "cfg.toml")
			os.WriteFile(cfg, []byte(wideConfig+"[store]\nbackup_retention = 2\n"), 0o600)
			clear(reasons)
			clear(reported)
		}
		sig, want := syscall.SIGTERM, "signal_terminate"
		if i%2 == 1 {
			sig, want = syscall.SIGINT, "signal_interrupt"
		}
		window := startSigMoment
		if i%4 >= 2 {
			window = startSigEarly // a start on this machine takes a few tens of ms
		}
		moment := time.Duration(local.Int64N(int64(window) + 1))
		r.record(logFailure(o, "start-up signals", i+1, func() error {
			label := fmt.Sprintf("%s at %d ms after exec", sig, moment.Milliseconds())
			before := map[string]bool{}
			if _, err := os.Stat(db); err == nil {
				st, err := proofkit.ReadFileIfAny(ctx, db)
				if err != nil {
					return fmt.Errorf("%s: before the start: %v", label, err)
				}
				for _, s := range st.Sessions {
					before[s.ID] = true
				}
			}
			dirBefore := dirFingerprint(filepath.Dir(db)) // after our read: readers touch -shm
			p, err := proofkit.Start("", o.bin, nil, "run", "--db", db, "--config", cfg, "--headless", "--speed", "1",
				"--duration", "1000h", "--seed", fmt.Sprint(1+local.IntN(1_000_000)), "--log-format", "logfmt")
			if err != nil {
				return err
			}
			defer p.Kill()
			if !p.SignalAt(moment, sig) {
				return fmt.Errorf("%s: neo exited by itself (code %d) before the signal: %s", label, p.Code, proofkit.Tail(p.ErrOut.String(), 300))
			}
			// The moment the signal was really sent (a loaded machine
			// oversleeps), for the failure details.
			moment = time.Since(p.Started)
			label = fmt.Sprintf("%s at %d ms after exec", sig, moment.Milliseconds())
			code, werr := p.Wait(shutdownBound + 10*time.Second)
			codes[code]++
			if werr != nil {
				return fmt.Errorf("%s: %v", label, werr)
			}
			started := strings.Contains(p.ErrOut.String(), `msg="session started"`)
			if !started {
				beforeSession++
			}
			var faults []string
			switch code {
			case 0:
			case -1:
				after := dirFingerprint(filepath.Dir(db))
				if after == dirBefore && strings.TrimSpace(p.ErrOut.String()+p.Out.String()) == "" {
					// The signal arrived before the program could have
					// a handler (the runtime was still loading): it had
					// printed nothing and nothing on disk changed, so
					// nothing is left to account for.
					preRuntime = append(preRuntime, fmt.Sprintf("%d ms", moment.Milliseconds()))
					break
				}
				diedAt = append(diedAt, fmt.Sprintf("%d ms", moment.Milliseconds()))
				faults = append(faults, fmt.Sprintf("killed by the signal itself after it had printed %q or touched the files (before: %q, after: %q)", proofkit.Tail(p.ErrOut.String()+p.Out.String(), 200), dirBefore, after))
			default:
				faults = append(faults, fmt.Sprintf("exit %d, want 0; log %q", code, proofkit.Tail(p.ErrOut.String(), 200)))
			}
			if n := proofkit.WALSize(db); n != 0 {
				faults = append(faults, fmt.Sprintf("%s-wal holds %d bytes after exit", filepath.Base(db), n))
			}
			if _, err := os.Stat(db); err == nil {
				st, err := proofkit.ReadFileIfAny(ctx, db)
				if err != nil {
					return fmt.Errorf("%s: independent reader: %v", label, err)
				}
				for _, s := range st.Sessions {
					if !before[s.ID] {
						reasons[s.ID] = want
					}
					if reported[s.ID] {
						continue
					}
					switch {
					case !s.EndedAt.Valid:
						open++
						reported[s.ID] = true
						faults = append(faults, fmt.Sprintf("session %s left open (ended_at NULL)", s.ID))
					case s.HaltReason.String != reasons[s.ID]:
						reported[s.ID] = true
						faults = append(faults, fmt.Sprintf("session %s halt_reason=%q, want %q", s.ID, s.HaltReason.String, reasons[s.ID]))
					}
				}
				if cli := proofkit.SQLiteCLI(); cli != "" && open == 0 && len(st.Sessions) > 0 {
					out, err := proofkit.CLIQuery(ctx, cli, db, "SELECT count(*) FROM sessions WHERE ended_at IS NULL;")
					if err != nil {
						return fmt.Errorf("%s: %v", label, err)
					}
					if out != "0" {
						faults = append(faults, fmt.Sprintf("sqlite3 CLI counts %s open sessions", out))
					}
				}
			}
			if len(faults) > 0 {
				return fmt.Errorf("%s (session started: %v): %s", label, started, strings.Join(faults, "; "))
			}
			return nil
		}()))
	}
	r.Note = fmt.Sprintf("seed %d; SIGTERM/SIGINT alternately at uniform moments 0-%d ms (half the runs) or 0-%d ms after exec, headless, %d starts per database; exit codes: %s; %d sessions left open; %d signals landed before \"session started\"; %d runs died of the signal after printing or touching files %v (a failure); %d died of it having printed nothing and changed nothing on disk %v (the signal beat the Go runtime; not counted as a failure)",
		seed, startSigMoment.Milliseconds(), startSigEarly.Milliseconds(), startSigGeneration, fmtCodes(codes), open, beforeSession, len(diedAt), diedAt, len(preRuntime), preRuntime)
}

// fmtCodes renders exit-code counts as "0×38, 1×2" (-1 = killed by a
// signal), sorted by code.
func fmtCodes(codes map[int]int) string {
	if len(codes) == 0 {
		return "none"
	}
	return fmtCounts(codes, func(k, n int) string { return fmt.Sprintf("%d×%d", k, n) })
}

// dirFingerprint names and hashes every file of dir but -shm files (every
// reader maps and touches them), so that a run that changed nothing on
// disk can be told from one that did.
func dirFingerprint(dir string) string {
	es, _ := os.ReadDir(dir)
	var b strings.Builder
	for _, e := range es {
		if strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "%s %d %d %s\n", e.Name(), fi.Size(), fi.ModTime().UnixNano(), hashFiles(p))
	}
	return b.String()
}

// logFailure passes err through, logging it as a progress line when it is
// a failure, so that every failed run is on record and not only the
// table's first.
func logFailure(o options, row string, run int, err error) error {
	if err != nil {
		o.logf("%s: run %d: %v", row, run, err)
	}
	return err
}
