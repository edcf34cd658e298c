package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// runVerify reads back every acknowledged write of every phase in -dir
// and prints one summary line per phase. It fails when a write is lost
// (missing or different), cannot be read at all, when a read during the
// load returned stale data, or when a phase acknowledged nothing.
func runVerify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var c common
	c.register(fs)
	dir := fs.String("dir", ".", "where load wrote PHASE.acked and PHASE.json")
	phases := fs.String("phases", "", "comma-separated phases in report order (default: every PHASE.json)")
	workers := fs.Int("workers", 16, "concurrent readers")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up reading back after this long (keys not read by then are unreadable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names, err := phaseNames(*dir, *phases)
	if err != nil {
		return err
	}
	rdb := c.client(*workers + 2)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	passed, failed := 0, 0
	for _, ph := range names {
		st, lost, unreadable, err := verifyPhase(ctx, rdb, *dir, ph, *workers)
		if err != nil {
			return err
		}
		ok := lost == 0 && unreadable == 0 && st.StaleReads == 0 && st.Acked > 0
		verdict := "ok"
		if ok {
			passed++
		} else {
			failed++
			verdict = "FAIL"
		}
		where := ""
		if st.WorstGapMs > 0 {
			where = " (slots " + st.WorstRange + ")"
		}
		fmt.Printf("%-16s %-4s ops=%d acked=%d errors=%d indeterminate=%d stale_reads=%d lost=%d unreadable=%d worst_unavailability=%s%s %s\n",
			ph, verdict, st.Ops, st.Acked, st.Errors, st.Indeterminate, st.StaleReads, lost, unreadable,
			time.Duration(st.WorstGapMs)*time.Millisecond, where, kinds(st.ErrorKinds))
		for _, v := range st.Violations {
			fmt.Println("    stale read:", v)
		}
	}
	// The plain closing line CI reads: one per phase.
	fmt.Printf("verify: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return errors.New("some acknowledged writes were lost or unreadable, or a read was stale")
	}
	return nil
}

func phaseNames(dir, list string) ([]string, error) {
	if list != "" {
		return strings.Split(list, ","), nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no PHASE.json in %s", dir)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	return names, nil
}

func kinds(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return "errors_by_kind=" + string(b)
}

// verifyPhase GETs every acknowledged key of a phase, retrying errors for
// a while (the cluster may still be settling), and counts the losses.
func verifyPhase(ctx context.Context, rdb *redis.ClusterClient, dir, phase string, workers int) (st phaseStats, lost, unreadable int64, err error) {
	b, err := os.ReadFile(filepath.Join(dir, phase+".json"))
	if err != nil {
		return st, 0, 0, fmt.Errorf("phase %s has no stats (did its load run finish?): %w", phase, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, 0, 0, err
	}
	f, err := os.Open(filepath.Join(dir, phase+".acked"))
	if err != nil {
		return st, 0, 0, err
	}
	defer f.Close()
	batches := make(chan []string, workers)
	var nlost, nunread atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				l, u := readBatch(ctx, rdb, b)
				nlost.Add(l)
				nunread.Add(u)
			}
		}()
	}
	sc := bufio.NewScanner(f)
	var batch []string
	for sc.Scan() {
		batch = append(batch, sc.Text())
		if len(batch) == 500 {
			batches <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	return st, nlost.Load(), nunread.Load(), sc.Err()
}

// readBatch GETs a batch of "key value" lines in one pipeline (go-redis
// splits it by node) and checks each key one by one, with retries, when
// its GET in the pipeline failed.
func readBatch(ctx context.Context, rdb *redis.ClusterClient, lines []string) (lost, unreadable int64) {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	cmds := make([]*redis.StringCmd, len(lines))
	rdb.Pipelined(pctx, func(p redis.Pipeliner) error {
		for i, line := range lines {
			key, _, _ := strings.Cut(line, " ")
			cmds[i] = p.Get(pctx, key)
		}
		return nil
	})
	cancel()
	for i, line := range lines {
		key, want, _ := strings.Cut(line, " ")
		got, err := cmds[i].Result()
		if err == nil && got == want {
			continue
		}
		switch readBack(ctx, rdb, key, want) {
		case errLost:
			lost++
		case errUnreadable:
			unreadable++
		}
	}
	return lost, unreadable
}

var unreadableShown atomic.Int64

var (
	errLost       = errors.New("lost")
	errUnreadable = errors.New("unreadable")
)

// readBack reads one key until it answers, for up to 30 s or until ctx
// ends.
func readBack(ctx context.Context, rdb *redis.ClusterClient, key, want string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		octx, cancel := context.WithTimeout(ctx, 3*time.Second)
		got, err := rdb.Get(octx, key).Result()
		cancel()
		switch {
		case err == nil && got == want:
			return nil
		case err == nil || errors.Is(err, redis.Nil):
			fmt.Fprintf(os.Stderr, "LOST %s: want %q, got %q (nil=%v)\n", key, want, got, err != nil)
			return errLost
		case time.Now().After(deadline) || ctx.Err() != nil:
			if n := unreadableShown.Add(1); n <= 20 {
				fmt.Fprintf(os.Stderr, "UNREADABLE %s: %v\n", key, err)
			}
			return errUnreadable
		}
		rdb.ReloadState(ctx)
		time.Sleep(250 * time.Millisecond)
	}
}
