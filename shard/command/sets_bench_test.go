package command

import "testing"

func BenchmarkSAdd(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchRun(b, benchArgvs("SADD", "m", 1<<20, false)) })
	b.Run("existing", func(b *testing.B) { benchRun(b, benchArgvs("SADD", "m", 1024, false)) })
}
