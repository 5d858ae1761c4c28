// Command neo is a terminal control console for a paper market-making engine
// quoting XRP/RLUSD. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	// A closed stdout or stderr (neo ... | head) must not kill the process
	// mid-shutdown: with SIGPIPE notified, writes fail with EPIPE instead.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	m := NewMain()
	os.Exit(m.Run(context.Background(), os.Args[1:]))
}
