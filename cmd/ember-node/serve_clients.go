package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/ember-node/ember-node/rpc/server"
)

// clientFlags bound and protect the client port: maxclients, the
// password's file and protected mode (docs/security.md).
type clientFlags struct {
	maxClients    int
	passFile      string
	protectedMode string
}

func (c *clientFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&c.maxClients, "maxclients", envInt("EMBER_MAXCLIENTS", 10000), "most client connections; lowered at start to fit the open files limit ('ulimit -n') minus a reserve")
	fs.StringVar(&c.passFile, "requirepass-file", env("EMBER_REQUIREPASS_FILE", ""), "file holding the password clients must AUTH with (keeps it out of ps)")
	fs.StringVar(&c.protectedMode, "protected-mode", env("EMBER_PROTECTED_MODE", "yes"), "yes: without a password, only loopback clients are served (Redis's protected mode)")
}

// apply reads the password file and checks the values into f.
func (c *clientFlags) apply(f *serveFlags) error {
	switch c.protectedMode {
	case "yes", "no":
	default:
		return fmt.Errorf("--protected-mode %q: want yes or no", c.protectedMode)
	}
	if c.maxClients < 1 {
		return fmt.Errorf("--maxclients %d: want at least 1", c.maxClients)
	}
	if c.passFile == "" {
		return nil
	}
	if f.pass != "" {
		return fmt.Errorf("--requirepass-file and --requirepass (or EMBER_REQUIREPASS) both set")
	}
	b, err := os.ReadFile(c.passFile)
	if err != nil {
		return fmt.Errorf("--requirepass-file: %w", err)
	}
	f.pass = strings.TrimRight(string(b), "\r\n")
	if f.pass == "" {
		return fmt.Errorf("--requirepass-file %s: empty", c.passFile)
	}
	return nil
}

// configure sets the client options of cfg; maxclients is fitted to the
// open files limit, keeping the descriptors open now (the store's) and
// Redis's reserve of 32.
func (c *clientFlags) configure(cfg *server.Config, log *slog.Logger) error {
	cfg.ProtectedMode = c.protectedMode == "yes"
	cfg.ReservedFDs = server.ReservedFDs + server.OpenFDs()
	n, err := server.FitMaxClients(c.maxClients, cfg.ReservedFDs, server.NoFile{}, log)
	if err != nil {
		return err
	}
	cfg.MaxClients = n
	return nil
}
