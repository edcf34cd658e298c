package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/ember-node/ember-node/cluster"
)

// printSecret is `ember-node secret`: it prints the cluster secret a node
// generated in its data dir when it bootstrapped, for the nodes that
// join it (as EMBER_CLUSTER_SECRET, or saved into a --cluster-secret-file).
// It reads the file, not a port: whoever may read the data dir may read
// the secret, and nobody else.
func printSecret(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("secret", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data-dir", env("EMBER_DATA_DIR", "./data"), "the data dir of the node that bootstrapped the cluster")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	s, err := cluster.ReadSecret(cluster.SecretPath(*dir))
	if err != nil {
		return fmt.Errorf("%w (a node started with --cluster-secret keeps none: use that secret)", err)
	}
	fmt.Fprintf(stdout, "%s\n", s)
	return nil
}
