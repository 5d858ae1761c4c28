package proofkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// builds caches one build per package and tag set for the life of the
// process: the e2e tests and the soak rows all drive the same binary, and a
// build takes seconds.
var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]*build
}

type build struct {
	once sync.Once
	n    int // the binary's number, for its file name
	path string
	err  error
}

// Build builds the Go package pkg (a path such as "." or "neo/cmd/neo") with
// the given build tags into a temporary directory, once per process for each
// (pkg, tags) pair, and returns the binary's path. Call Cleanup when done.
func Build(pkg string, tags ...string) (string, error) {
	key := pkg + "\x00" + strings.Join(tags, ",")
	builds.mu.Lock()
	if builds.bins == nil {
		builds.bins = map[string]*build{}
	}
	b := builds.bins[key]
	if b == nil {
		b = &build{n: len(builds.bins)}
		builds.bins[key] = b
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "proofkit-")
		if err != nil {
			builds.mu.Unlock()
			return "", fmt.Errorf("make a directory for the test binary: %w", err)
		}
		builds.dir = dir
	}
	dir := builds.dir
	builds.mu.Unlock()
	b.once.Do(func() {
		out := filepath.Join(dir, fmt.Sprintf("bin-%d", b.n))
		args := []string{"build"}
		if len(tags) > 0 {
			args = append(args, "-tags", strings.Join(tags, ","))
		}
		args = append(args, "-o", out, pkg)
		cmd := exec.Command("go", args...)
		msg, err := cmd.CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
			return
		}
		b.path = out
	})
	return b.path, b.err
}

// Cleanup removes every binary Build made (call it at the end of TestMain).
func Cleanup() {
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	builds.dir, builds.bins = "", nil
}
