// Command loadkeys fills a RESP server with n string keys, key:%07d for
// 0..n-1, each holding a value of -size bytes, over one pipelined
// connection. scripts/bench-single.sh uses it to measure bytes per key.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	n := flag.Int("n", 1000000, "number of keys")
	size := flag.Int("size", 64, "value size in bytes")
	depth := flag.Int("pipeline", 1000, "commands in flight")
	flag.Parse()
	start := time.Now()
	if err := load(*addr, *n, *size, *depth); err != nil {
		fmt.Fprintln(os.Stderr, "loadkeys:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "loadkeys: %d keys into %s in %v\n", *n, *addr, time.Since(start).Round(time.Millisecond))
}

// load writes batches of depth SETs and reads their replies before the
// next batch, so that neither side's buffers grow without bound.
func load(addr string, n, size, depth int) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 1<<16)
	val := make([]byte, size)
	for i := range val {
		val[i] = 'a' + byte(i%26)
	}
	var buf []byte
	var key []byte
	for done := 0; done < n; {
		batch := min(depth, n-done)
		buf = buf[:0]
		for i := done; i < done+batch; i++ {
			key = fmt.Appendf(key[:0], "key:%07d", i)
			buf = resp.AppendCommand(buf, []byte("SET"), key, val)
		}
		_ = c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := c.Write(buf); err != nil {
			return err
		}
		for range batch {
			v, err := resp.ReadValue(r)
			if err != nil {
				return err
			}
			if v.Type == '-' {
				return fmt.Errorf("SET refused: %s", v.Str)
			}
		}
		done += batch
	}
	return nil
}
