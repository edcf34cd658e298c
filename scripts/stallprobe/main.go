// Command stallprobe loads keys into a RESP server, or measures how long
// the server makes one client wait: sequential SETs, one in flight, each
// timed, optionally while a BGSAVE runs. scripts/bench-raft.sh uses it to
// show the write stall a snapshot of a large shard causes.
//
//	stallprobe -addr 127.0.0.1:7140 -load 1000000          # key:0..key:999999, 64-byte values
//	stallprobe -addr 127.0.0.1:7140 -for 3s                 # baseline
//	stallprobe -addr 127.0.0.1:7140 -bgsave -for 60s        # until the BGSAVE is done (at most 60s)
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ember-node/ember-node/rpc/resp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	load := flag.Int("load", 0, "load this many keys (key:0..key:N-1) and exit")
	keys := flag.Int("keys", 1000000, "probe SETs overwrite random keys of key:0..key:N-1")
	dur := flag.Duration("for", 3*time.Second, "probe this long; with -bgsave, at most this long")
	bgsave := flag.Bool("bgsave", false, "send BGSAVE and probe until LASTSAVE changes")
	size := flag.Int("d", 64, "value size in bytes")
	flag.Parse()
	var err error
	if *load > 0 {
		err = loadKeys(*addr, *load, *size)
	} else {
		err = probe(*addr, *keys, *size, *dur, *bgsave)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stallprobe:", err)
		os.Exit(1)
	}
}

type conn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: bufio.NewReaderSize(c, 1<<16)}, nil
}

// send queues a command; flush writes the queue and reads n replies.
func (c *conn) send(argv ...[]byte) { c.buf = resp.AppendCommand(c.buf, argv...) }

func (c *conn) flush(n int) (resp.Value, error) {
	c.c.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := c.c.Write(c.buf); err != nil {
		return resp.Value{}, err
	}
	c.buf = c.buf[:0]
	var last resp.Value
	for range n {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			return v, err
		}
		if v.Type == '-' {
			return v, errors.New(v.Str)
		}
		last = v
	}
	return last, nil
}

// loadKeys writes n keys over 4 connections in pipelined batches.
func loadKeys(addr string, n, size int) error {
	const conns, batch = 4, 1000
	val := bytes.Repeat([]byte("v"), size)
	start := time.Now()
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.c.Close()
			for lo := w * batch; lo < n; lo += conns * batch {
				hi := min(lo+batch, n)
				for i := lo; i < hi; i++ {
					c.send([]byte("SET"), []byte("key:"+strconv.Itoa(i)), val)
				}
				if _, err := c.flush(hi - lo); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("loaded=%d took_ms=%d rate=%.0f\n", n, took.Milliseconds(), float64(n)/took.Seconds())
	return nil
}

// probe times sequential SETs for dur, or from a BGSAVE until it is done.
func probe(addr string, keys, size int, dur time.Duration, bgsave bool) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	ctl, err := dial(addr)
	if err != nil {
		return err
	}
	before, done := int64(0), func() bool { return false }
	if bgsave {
		if before, err = lastsave(ctl); err != nil {
			return err
		}
		// LASTSAVE counts seconds: start in a later second than the last
		// save, so that this one's completion always moves it.
		for time.Now().Unix() <= before {
			time.Sleep(20 * time.Millisecond)
		}
		ctl.send([]byte("BGSAVE"))
		if _, err := ctl.flush(1); err != nil {
			return err
		}
		done = saveWatcher(ctl, before)
	}
	val := bytes.Repeat([]byte("p"), size)
	var lat []time.Duration
	start := time.Now()
	for time.Since(start) < dur && !done() {
		c.send([]byte("SET"), []byte("key:"+strconv.Itoa(rand.IntN(keys))), val)
		t := time.Now()
		if _, err := c.flush(1); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	window := time.Since(start)
	if bgsave && !done() {
		return fmt.Errorf("BGSAVE not done after %s", dur)
	}
	report(lat, window)
	return nil
}

// saveWatcher polls LASTSAVE every 50ms; the returned func reports whether
// it has moved past before.
func saveWatcher(ctl *conn, before int64) func() bool {
	var mu sync.Mutex
	finished := false
	go func() {
		for {
			time.Sleep(50 * time.Millisecond)
			ls, err := lastsave(ctl)
			if err != nil || ls != before {
				mu.Lock()
				finished = true
				mu.Unlock()
				return
			}
		}
	}()
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished
	}
}

func lastsave(c *conn) (int64, error) {
	c.send([]byte("LASTSAVE"))
	v, err := c.flush(1)
	return v.Int, err
}

func report(lat []time.Duration, window time.Duration) {
	if len(lat) == 0 {
		fmt.Println("samples=0")
		return
	}
	slices.Sort(lat)
	q := func(p float64) int64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds() }
	fmt.Printf("samples=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d window_ms=%d\n",
		len(lat), q(0.50), q(0.99), q(0.999), lat[len(lat)-1].Microseconds(), window.Milliseconds())
}
