// Command pedigree scores the supply-chain risk of open-source AI models:
// where a model comes from, under which license, how it was modified, and
// what loading it would run. See `pedigree help` and the README.
//
// # Exit codes
//
//	0  success
//	1  runtime error
//	2  usage or configuration error, or a reference that does not exist
//	3  the assessed risk reached --fail-on (or the policy's fail_on)
//
// With several references the highest priority wins: 2, then 1, then 3.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pedigree-ai/pedigree/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
