package command

import (
	"strings"
	"testing"
)

func TestLookupEveryNameAnyCase(t *testing.T) {
	tab := NewTable()
	for _, s := range tab.All() {
		for _, name := range []string{s.Name, strings.ToUpper(s.Name), strings.ToUpper(s.Name[:1]) + s.Name[1:]} {
			if got := tab.Lookup([]byte(name)); got != s {
				t.Errorf("Lookup(%q) = %v, want %s", name, got, s.Name)
			}
		}
	}
	for _, name := range []string{"", "gett", "ge", "sett", "x", strings.Repeat("get", 20), "g\x00t", "GET "} {
		if got := tab.Lookup([]byte(name)); got != nil {
			t.Errorf("Lookup(%q) = %s, want nil", name, got.Name)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	tab := NewTable()
	names := [][]byte{[]byte("GET"), []byte("set"), []byte("ZRANGEBYSCORE"), []byte("lpush")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if tab.Lookup(names[i&3]) == nil {
			b.Fatal("not found")
		}
	}
}
