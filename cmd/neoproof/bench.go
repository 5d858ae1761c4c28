package main

import (
	"context"
	"io"
)

func bench(ctx context.Context, o options, stdout io.Writer) int { return 0 }
