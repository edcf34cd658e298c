package cluster

import (
	"errors"
	"os"
	"testing"
)

func TestResolveSecret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		given     string   // --cluster-secret
		kept      string   // in the data dir
		join      []string // --join
		peers     []string // in node.json
		want      string   // "" means a generated one
		generated bool
		err       error
	}{
		{name: "given wins", given: "g", kept: "k", want: "g"},
		{name: "kept in the data dir", kept: "k\n", want: "k"},
		{name: "bootstrap generates", generated: true},
		{name: "joiner without a secret", join: []string{"h:1"}, err: ErrNoSecret},
		{name: "member without a secret", peers: []string{"h:2"}, err: ErrNoSecretMember},
		{name: "joiner with a secret", given: "g", join: []string{"h:1"}, want: "g"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultNodeConfig(t.TempDir())
			cfg.Secret, cfg.Join = []byte(tc.given), tc.join
			if tc.kept != "" {
				os.WriteFile(SecretPath(cfg.DataDir), []byte(tc.kept), 0o600)
			}
			s, gen, err := resolveSecret(cfg, tc.peers)
			switch {
			case !errors.Is(err, tc.err):
				t.Fatalf("error %v, want %v", err, tc.err)
			case err != nil:
				return
			case gen != tc.generated:
				t.Fatalf("generated %v", gen)
			case tc.want != "" && string(s) != tc.want:
				t.Fatalf("secret %q, want %q", s, tc.want)
			}
			if !gen {
				return
			}
			fi, err := os.Stat(SecretPath(cfg.DataDir))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("secret file: %v, mode %v", err, fi.Mode())
			}
			again, gen, err := resolveSecret(cfg, nil)
			if err != nil || gen || string(again) != string(s) || len(s) != 64 {
				t.Fatalf("again: %q %v %v, first %q", again, gen, err, s)
			}
		})
	}
}
