// Command ember-check tests a Redis Cluster-compatible store for
// linearizability and durability while a nemesis breaks it: concurrent
// clients run GET/SET, GET/INCR and LRANGE/RPUSH on a few hot keys and
// record every operation's invocation and completion; porcupine checks
// each key's history against a sequential model; other clients write
// unique keys and every acknowledged one must read back at the end. The
// nemesis (Docker: kill, pause, partitions with iptables, rolling restart,
// membership hooks) runs rounds of one fault kind at a time.
//
//	ember-check run -system NAME -targets name=container=addr,... -faults kill,pause,... -rounds N -out DIR
//	ember-check report DIR...   print the results as Markdown tables
//
// scripts/check-ember.sh and scripts/check-redis.sh set the flags for
// ember-node's and for Redis Cluster's containers.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// quiet drops go-redis's own log lines (a failed dial per attempt while a
// node is down): the checker classifies every outcome itself.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ember-check run|report [flags]")
		os.Exit(2)
	}
	redis.SetLogger(quiet{})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = runCheck(ctx, log, os.Args[2:])
	case "report":
		err = runReport(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ember-check:", err)
		os.Exit(1)
	}
}
