// Command neo is a terminal control console for a paper market-making engine
// quoting XRP/RLUSD. See README.md.
package main

import (
	"context"
	"os"
)

// version is stamped by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	m := NewMain()
	os.Exit(m.Run(context.Background(), os.Args[1:]))
}
