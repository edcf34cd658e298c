package cluster

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SecretFile is the name, in a node's data dir, of the cluster secret the
// node generated when it bootstrapped without one. Joiners are given its
// contents (ember-node secret prints it).
const SecretFile = "cluster-secret"

// ErrNoSecret refuses to join a cluster without its secret: a node that
// generated a secret of its own would be refused by every member.
var ErrNoSecret = errors.New("cluster: joining a cluster needs its secret: give the first node's " + SecretFile +
	" file (ember-node secret --data-dir DIR prints it) with --cluster-secret-file, --cluster-secret or EMBER_CLUSTER_SECRET")

// SecretPath returns where a node keeps its generated secret.
func SecretPath(dataDir string) string { return filepath.Join(dataDir, SecretFile) }

// ReadSecret reads a secret file: its contents without surrounding
// white space; an empty file is an error.
func ReadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cluster secret: %w", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("cluster secret: %s is empty", path)
	}
	return b, nil
}

// ErrNoSecretMember refuses to restart a member of a cluster that has no
// secret (a data dir of a version that ran without one): a secret of its
// own would cut it off from the others.
var ErrNoSecretMember = errors.New("cluster: this node belongs to a cluster (node.json lists peers) but has no cluster secret: " +
	"give every node the same secret with --cluster-secret-file, --cluster-secret or EMBER_CLUSTER_SECRET")

// resolveSecret returns the secret the node uses and whether it was
// generated now. A configured secret wins; otherwise the one kept in
// the data dir; otherwise a node alone (no --join, no peers in
// node.json) generates one (32 random bytes, hex, file mode 0600), and
// any other node is refused: a secret of its own would lock it out.
func resolveSecret(cfg NodeConfig, peers []string) (secret []byte, generated bool, err error) {
	if len(cfg.Secret) > 0 {
		return cfg.Secret, false, nil
	}
	path := SecretPath(cfg.DataDir)
	if fileExists(path) {
		s, err := ReadSecret(path)
		return s, false, err
	}
	switch {
	case len(cfg.Join) > 0:
		return nil, false, ErrNoSecret
	case len(peers) > 0:
		return nil, false, ErrNoSecretMember
	}
	s, err := generateSecret(path)
	return s, err == nil, err
}

func generateSecret(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cluster secret: %w", err)
	}
	var b [32]byte
	rand.Read(b[:])
	s := []byte(hex.EncodeToString(b[:]))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cluster secret: %w", err)
	}
	_, err = f.Write(append(s, '\n'))
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("cluster secret: write %s: %w", path, err)
	}
	return s, nil
}
