//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The default theme, auto, follows the background the terminal reports:
// in xterm, and through tmux too, which termenv never asks by itself (the
// console drew pale grey on xterm's white background). The terminal here
// is a pty whose reader answers the background query as a terminal of that
// background does; the theme shows in the colours drawn (xterm 235 is the
// light theme's text, 252 the dark one's).
func TestAutoThemeFollowsTheBackground(t *testing.T) {
	for _, tc := range []struct {
		name, term, bg, want, notWant string
	}{
		{"XtermWhite", "xterm-256color", "rgb:ffff/ffff/ffff", "38;5;235m", "38;5;252m"},
		{"XtermBlack", "xterm-256color", "rgb:0000/0000/0000", "38;5;252m", "38;5;235m"},
		{"TmuxWhite", "tmux-256color", "rgb:ffff/ffff/ffff", "38;5;235m", "38;5;252m"},
		{"ScreenSolarizedLight", "screen-256color", "rgb:fdfd/f6f6/e3e3", "38;5;235m", "38;5;252m"},
		{"TmuxSolarizedDark", "tmux-256color", "rgb:0000/2b2b/3636", "38;5;252m", "38;5;235m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal here: %v", err)
			}
			defer ptmx.Close()
			defer tty.Close()
			if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(t.TempDir(), "neo.db")
			cmd := exec.Command(neoBin, "run", "--db", db, "--speed", "1")
			// termenv takes a set CI variable to mean "no terminal, no
			// colour": the CI run has CI=true, and this test is about the
			// colours of a terminal.
			cmd.Env = append(withoutEnv(os.Environ(), "CI"), "TERM="+tc.term, "NO_COLOR=", "COLORFGBG=")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			var out syncWriter
			go func() {
				buf := make([]byte, 32*1024)
				for {
					n, err := ptmx.Read(buf)
					chunk := buf[:n]
					out.Write(chunk)
					if bytes.Contains(chunk, []byte("\x1b]11;?")) {
						ptmx.Write([]byte("\x1b]11;" + tc.bg + "\x1b\\"))
					}
					if bytes.Contains(chunk, []byte("\x1b[6n")) {
						ptmx.Write([]byte("\x1b[1;1R"))
					}
					if err != nil {
						return
					}
				}
			}()
			waitForLog(t, &out, "RUNNING")
			ptmx.Write([]byte("q"))
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select { // a hang guard, not a timing assertion
			case err := <-exited:
				if err != nil {
					t.Fatalf("neo run: %v, want exit 0", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("neo run did not exit on q")
			}
			screen := out.String()
			if !strings.Contains(screen, tc.want) || strings.Contains(screen, tc.notWant) {
				t.Fatalf("TERM=%s, background %s: want colour %q and not %q in the frames", tc.term, tc.bg, tc.want, tc.notWant)
			}
		})
	}
}

// withoutEnv is env without the variable named key.
func withoutEnv(env []string, key string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}
