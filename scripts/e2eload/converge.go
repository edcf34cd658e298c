package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// status is the part of CLUSTER EMBER-STATUS (cluster.Status) read here.
type status struct {
	Self   string `json:"self"`
	Shards int    `json:"shards"`
	Nodes  []struct {
		ID     string `json:"id"`
		Client string `json:"client"`
		Alive  bool   `json:"alive"`
	} `json:"nodes"`
	Led []struct {
		Shard    int               `json:"shard"`
		Voters   []string          `json:"voters"`
		Learners []string          `json:"learners"`
		Lag      map[string]uint64 `json:"lag"`
	} `json:"led"`
}

// runConverge waits until the cluster made of exactly -nodes is whole:
// every node answers and sees every other alive, every shard has one
// leader, -replicas voters and no learners, every follower answers its
// leader, and every node's CLUSTER SLOTS sends each slot to its shard's
// actual leader. That is the state a fault must be undone to before the
// next one.
func runConverge(args []string) error {
	fs := flag.NewFlagSet("converge", flag.ContinueOnError)
	var c common
	c.register(fs)
	replicas := fs.Int("replicas", 0, "voters per shard (default min(3, number of nodes))")
	maxLag := fs.Uint64("max-lag", 5000, "largest follower lag (log entries) that counts as caught up")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up after this long")
	balance := fs.Int("balance", -1, "also wait until the nodes' leader counts differ by at most this much (-1: do not wait)")
	quiet := fs.Bool("q", false, "print only the final line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addrs := c.addrs()
	if *replicas == 0 {
		*replicas = min(3, len(addrs))
	}
	start := time.Now()
	last := ""
	waits := map[string]time.Duration{} // condition, numbers blanked -> time spent on it
	prev := start
	for {
		msg, err := checkConverged(addrs, c.password, *replicas, *maxLag, *balance)
		if err == nil {
			fmt.Printf("converged after %s: %s%s\n", time.Since(start).Round(100*time.Millisecond), msg, longestWait(waits))
			return nil
		}
		waits[digits.ReplaceAllString(err.Error(), "N")] += time.Since(prev)
		prev = time.Now()
		if err.Error() != last {
			if !*quiet {
				fmt.Fprintf(os.Stderr, "  %s waiting: %v\n", time.Now().Format("15:04:05"), err)
			}
			last = err.Error()
		}
		if time.Since(start) > *timeout {
			return fmt.Errorf("not converged after %s: %w", *timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

var digits = regexp.MustCompile(`[0-9]+`)

// longestWait names the condition waited on longest, when that was long.
func longestWait(waits map[string]time.Duration) string {
	var cond string
	var d time.Duration
	for c, w := range waits {
		if w > d {
			cond, d = c, w
		}
	}
	if d < 5*time.Second {
		return ""
	}
	return fmt.Sprintf(" (mostly waited %s for: %s)", d.Round(100*time.Millisecond), cond)
}

func checkConverged(addrs []string, password string, replicas int, maxLag uint64, balance int) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leader := map[int]string{} // shard -> leader's client address
	ids := map[string]string{} // node id -> client address
	nshards := 0
	var sts []status
	for _, a := range addrs {
		st, err := fetchStatus(ctx, a, password)
		if err != nil {
			return "", err
		}
		sts = append(sts, st)
		nshards = st.Shards
		ids[st.Self] = a
	}
	for i, st := range sts {
		if err := checkMembers(addrs[i], st, addrs); err != nil {
			return "", err
		}
		for _, s := range st.Led {
			if other, ok := leader[s.Shard]; ok {
				return "", fmt.Errorf("shard %d led by both %s and %s", s.Shard, other, addrs[i])
			}
			leader[s.Shard] = addrs[i]
			if err := checkShard(s.Shard, s.Voters, s.Learners, s.Lag, ids, replicas, maxLag); err != nil {
				return "", err
			}
		}
	}
	for s := range nshards {
		if _, ok := leader[s]; !ok {
			return "", fmt.Errorf("no node reports leading shard %d", s)
		}
	}
	for _, a := range addrs {
		if err := checkSlots(ctx, a, password, leader, nshards); err != nil {
			return "", err
		}
	}
	if err := checkBalance(leader, addrs, balance); err != nil {
		return "", err
	}
	return summary(leader, addrs, nshards, replicas), nil
}

func fetchStatus(ctx context.Context, addr, password string) (status, error) {
	var st status
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: password, DisableIdentity: true, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	s, err := rdb.Do(ctx, "CLUSTER", "EMBER-STATUS").Text()
	if err != nil {
		return st, fmt.Errorf("%s: %w", addr, err)
	}
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return st, fmt.Errorf("%s: unreadable status: %w", addr, err)
	}
	return st, nil
}

// checkMembers wants the node to see exactly the expected nodes alive.
func checkMembers(addr string, st status, want []string) error {
	var alive []string
	for _, n := range st.Nodes {
		if n.Alive {
			alive = append(alive, n.Client)
		}
	}
	sort.Strings(alive)
	w := slices.Clone(want)
	sort.Strings(w)
	if !slices.Equal(alive, w) {
		return fmt.Errorf("%s sees alive %v, want %v", addr, alive, w)
	}
	return nil
}

func checkShard(shard int, voters, learners []string, lag map[string]uint64, ids map[string]string, replicas int, maxLag uint64) error {
	if len(voters) != replicas || len(learners) > 0 {
		return fmt.Errorf("shard %d: %d voters and %d learners, want %d voters", shard, len(voters), len(learners), replicas)
	}
	for _, v := range voters {
		if _, ok := ids[v]; !ok {
			return fmt.Errorf("shard %d: voter %.8s is not one of the nodes", shard, v)
		}
	}
	if len(lag) != len(voters)-1 {
		return fmt.Errorf("shard %d: leader reached %d of %d followers", shard, len(lag), len(voters)-1)
	}
	for id, l := range lag {
		if l > maxLag {
			return fmt.Errorf("shard %d: follower %s lags %d entries", shard, ids[id], l)
		}
	}
	return nil
}

// checkSlots wants addr's CLUSTER SLOTS to send every slot to the leader
// of its shard, so clients are routed right on the first try.
func checkSlots(ctx context.Context, addr, password string, leader map[int]string, nshards int) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: password, DisableIdentity: true, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	slots, err := rdb.ClusterSlots(ctx).Result()
	if err != nil {
		return fmt.Errorf("%s: CLUSTER SLOTS: %w", addr, err)
	}
	covered := 0
	for _, r := range slots {
		covered += r.End - r.Start + 1
		if len(r.Nodes) == 0 {
			return fmt.Errorf("%s: CLUSTER SLOTS %d-%d has no node", addr, r.Start, r.End)
		}
		s := r.Start * nshards / 16384
		if want := leader[s]; r.Nodes[0].Addr != want {
			return fmt.Errorf("%s routes slots %d-%d to %s, but %s leads them", addr, r.Start, r.End, r.Nodes[0].Addr, want)
		}
	}
	if covered != 16384 {
		return fmt.Errorf("%s: CLUSTER SLOTS covers %d slots", addr, covered)
	}
	return nil
}

// checkBalance wants leaderships spread: the leader balancer moves them
// after a node comes back, and a fault on a node leading everything would
// test something else than a fault on one node of three.
func checkBalance(leader map[int]string, addrs []string, balance int) error {
	if balance < 0 {
		return nil
	}
	count := map[string]int{}
	for _, a := range leader {
		count[a]++
	}
	lo, hi := len(leader), 0
	for _, a := range addrs {
		lo, hi = min(lo, count[a]), max(hi, count[a])
	}
	if hi-lo > balance {
		return fmt.Errorf("leaders not balanced yet: %s", leaderCounts(leader, addrs))
	}
	return nil
}

func leaderCounts(leader map[int]string, addrs []string) string {
	count := map[string]int{}
	for _, a := range leader {
		count[a]++
	}
	var parts []string
	for _, a := range addrs {
		parts = append(parts, fmt.Sprintf("%s=%d", a, count[a]))
	}
	return strings.Join(parts, " ")
}

func summary(leader map[int]string, addrs []string, nshards, replicas int) string {
	return fmt.Sprintf("%d nodes, %d shards x %d replicas, leaders %s", len(addrs), nshards, replicas, leaderCounts(leader, addrs))
}
