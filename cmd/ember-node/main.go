// Command ember-node is a Redis-compatible cache node. With no arguments it
// serves on 127.0.0.1:6379.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	hideSecrets() // proctitle.go: before anything reads os.Args
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	sub := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	var err error
	switch sub {
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err = serve(ctx, args, stderr)
	case "health":
		err = health(args, stdout)
	case "secret":
		err = printSecret(args, stdout, stderr)
	case "join", "leave", "remove", "status":
		err = runOps(sub, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown subcommand %q\n%s", sub, usage)
	}
	if err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintln(stderr, "ember-node:", err)
		return 1
	}
	return 0
}

const usage = `usage:
  ember-node [serve] [flags]                  run a node (ember-node serve -h for flags)
  ember-node join   --node NEW_HOST:PORT EXISTING_HOST:PORT[@CPORT]
                                              an empty running node joins a cluster; returns
                                              once it holds its share of replicas
  ember-node leave  --node HOST:PORT          hand over and leave; returns once the node exited
  ember-node remove --node HOST:PORT [--force] NODE_ID
                                              forget a dead node (--force: evict a live one);
                                              returns once its shards are re-replicated
  ember-node status --node HOST:PORT [--json] nodes, shards, leaders, lag, keys
  ember-node health --node HOST:PORT          exit 0 when the node serves
  ember-node secret [--data-dir DIR]          print the cluster secret a bootstrapping node
                                              generated (joiners need it: EMBER_CLUSTER_SECRET
                                              or --cluster-secret-file)
ops flags: --password (env EMBER_REQUIREPASS), --timeout (default 5m)
`

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
