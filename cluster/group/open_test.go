package group

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

// TestOpenBoltRefusesDamage: a raft.db cut short or with its pages
// garbled is refused with an error naming it; no panic, no fatal fault
// (a read past the end of a file cut short is a SIGBUS through bolt's
// mmap, which kills the process unless seen first).
func TestOpenBoltRefusesDamage(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"cut to half", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			if err := os.Truncate(p, fi.Size()/2/4096*4096); err != nil {
				t.Fatal(err)
			}
		}},
		{"pages garbled", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			for i := 2 * 4096; i < len(b); i += 7 {
				b[i] ^= 0x5a
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "raft.db")
			s, err := openBolt(path, true)
			if err != nil {
				t.Fatal(err)
			}
			data := make([]byte, 3000)
			for i := range 2000 {
				if err := s.StoreLogs([]*raft.Log{{Index: uint64(i + 1), Term: 1, Data: data}}); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			tc.damage(t, path)
			s, err = openBolt(path, true)
			if err == nil {
				s.Close()
				t.Fatal("a damaged raft.db opened")
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the file: %v", err)
			}
			t.Log(err)
		})
	}
}
