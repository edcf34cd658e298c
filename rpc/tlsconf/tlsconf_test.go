package tlsconf_test

import (
	"crypto/tls"
	"errors"
	"testing"

	"github.com/ember-node/ember-node/rpc/tlsconf"
	"github.com/ember-node/ember-node/rpc/tlsconf/tlstest"
)

func TestParseAuthClients(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want tlsconf.AuthClients
		ok   bool
	}{
		{"yes", tlsconf.AuthYes, true},
		{"no", tlsconf.AuthNo, true},
		{"optional", tlsconf.AuthOptional, true},
		{"YES", 0, false},
		{"", 0, false},
	} {
		got, err := tlsconf.ParseAuthClients(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAuthClients(%q) = %v, %v", tt.in, got, err)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestServerConfig(t *testing.T) {
	t.Parallel()
	c := tlstest.New(t)
	for _, tt := range []struct {
		name  string
		files tlsconf.Files
		err   error
		auth  tls.ClientAuthType
	}{
		{"yes", c.Files(tlsconf.AuthYes), nil, tls.RequireAndVerifyClientCert},
		{"optional", c.Files(tlsconf.AuthOptional), nil, tls.VerifyClientCertIfGiven},
		{"no", c.Files(tlsconf.AuthNo), nil, tls.NoClientCert},
		{"no CA, no client auth", tlsconf.Files{Cert: c.Cert, Key: c.Key, AuthClients: tlsconf.AuthNo}, nil, tls.NoClientCert},
		{"no CA", tlsconf.Files{Cert: c.Cert, Key: c.Key}, tlsconf.ErrNoCA, 0},
		{"no cert", tlsconf.Files{Key: c.Key, CA: c.CA}, tlsconf.ErrNoCert, 0},
		{"no key", tlsconf.Files{Cert: c.Cert, CA: c.CA}, tlsconf.ErrNoKey, 0},
	} {
		cfg, err := tt.files.Server()
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
			continue
		}
		if err == nil && (cfg.ClientAuth != tt.auth || cfg.MinVersion != tls.VersionTLS12) {
			t.Errorf("%s: ClientAuth %v, MinVersion %x", tt.name, cfg.ClientAuth, cfg.MinVersion)
		}
	}
}

func TestServerConfigBadFiles(t *testing.T) {
	t.Parallel()
	c := tlstest.New(t)
	for name, f := range map[string]tlsconf.Files{
		"key for another cert": {Cert: c.Cert, Key: c.ClientKey, CA: c.CA},
		"missing CA file":      {Cert: c.Cert, Key: c.Key, CA: c.Dir + "/none.crt"},
		"CA not PEM":           {Cert: c.Cert, Key: c.Key, CA: c.Key + "x"},
		"key as CA":            {Cert: c.Cert, Key: c.Key, CA: c.Key},
	} {
		if _, err := f.Server(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
