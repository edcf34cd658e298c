// Command e2eload drives a running ember-node cluster from the outside, the
// way an application would: through go-redis's ClusterClient on the
// published client ports. scripts/e2e-docker.sh and scripts/chaos.sh use
// it.
//
//	e2eload load     -nodes A,B,C -phase NAME -dir DIR   write/read until SIGINT
//	e2eload verify   -nodes A,B,C -dir DIR               every acked write reads back
//	e2eload converge -nodes A,B,C [-timeout 3m]          wait until fully replicated
//	e2eload cmd      ADDR ARG...                         one command, print the reply
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// quiet drops go-redis's own log lines (a dial failure per retry while a
// node is down): the load counts and classifies every error itself.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func main() {
	redis.SetLogger(quiet{})
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: e2eload load|verify|converge|cmd [flags]")
		os.Exit(2)
	}
	sub, args := os.Args[1], os.Args[2:]
	var err error
	switch sub {
	case "load":
		err = runLoad(args)
	case "verify":
		err = runVerify(args)
	case "converge":
		err = runConverge(args)
	case "cmd":
		err = runCmd(args)
	default:
		err = fmt.Errorf("unknown subcommand %q", sub)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2eload "+sub+":", err)
		os.Exit(1)
	}
}

// common flags of every subcommand that talks to the cluster.
type common struct {
	nodes    string
	password string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.nodes, "nodes", "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003", "client addresses of the nodes")
	fs.StringVar(&c.password, "password", os.Getenv("EMBER_REQUIREPASS"), "the nodes' requirepass")
}

func (c *common) addrs() []string { return strings.Split(c.nodes, ",") }

// client returns a cluster client with short timeouts: during a fault an
// operation should fail fast (and count as indeterminate) rather than hang,
// and a dead node's connections are given up quickly.
func (c *common) client(poolSize int) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 c.addrs(),
		Password:              c.password,
		DialTimeout:           time.Second,
		ReadTimeout:           2 * time.Second,
		WriteTimeout:          2 * time.Second,
		ContextTimeoutEnabled: true,
		MaxRedirects:          8,
		MaxRetries:            3,
		MinRetryBackoff:       20 * time.Millisecond,
		MaxRetryBackoff:       250 * time.Millisecond,
		PoolSize:              poolSize,
		DisableIdentity:       true,
	})
}

// runCmd sends one command to one node (no redirection) and prints the
// reply: a stand-in for redis-cli where it is not installed.
func runCmd(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: e2eload cmd HOST:PORT ARG [ARG]")
	}
	rdb := redis.NewClient(&redis.Options{Addr: args[0], Password: os.Getenv("EMBER_REQUIREPASS"), DisableIdentity: true, MaxRetries: -1})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmdArgs := make([]any, len(args)-1)
	for i, a := range args[1:] {
		cmdArgs[i] = a
	}
	v, err := rdb.Do(ctx, cmdArgs...).Result()
	if err != nil {
		return err
	}
	fmt.Println(v)
	return nil
}
