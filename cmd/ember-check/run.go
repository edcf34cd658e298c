package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// config is the run's flags.
type config struct {
	system, nodes, targets, faults, out, password string
	settleCmd, joinCmd, leaveCmd                  string
	rounds, linWorkers, durWorkers, keys          int
	minReplicas                                   int
	readOnly, strict                              bool
	warm, gap, epoch, opTO, attemptTO, checkTO    time.Duration
	killDown, pauseFor, partFor, settleTO         time.Duration
}

func parseConfig(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&c.system, "system", "ember-node", "name of the system under test (for the results)")
	fs.StringVar(&c.nodes, "nodes", "", "client addresses to start from, comma-separated (default: the targets')")
	fs.StringVar(&c.targets, "targets", "", "the nodes as name=container=addr, comma-separated (required)")
	fs.StringVar(&c.faults, "faults", "none,kill,pause,partition,partition-leader,rolling-restart", "fault kinds to run, in order (also: membership)")
	fs.StringVar(&c.out, "out", "check-out", "folder for results.json, histories' visualisations and the log")
	fs.StringVar(&c.password, "password", os.Getenv("EMBER_REQUIREPASS"), "the nodes' requirepass")
	fs.StringVar(&c.settleCmd, "settle-cmd", "", "shell command that must succeed before the next round (the system's own health check)")
	fs.StringVar(&c.joinCmd, "join-cmd", "", "shell command that adds a node (membership fault)")
	fs.StringVar(&c.leaveCmd, "leave-cmd", "", "shell command that takes it away again (membership fault)")
	fs.IntVar(&c.rounds, "rounds", 3, "rounds of each fault kind")
	fs.IntVar(&c.linWorkers, "lin-workers", 6, "clients on the hot keys")
	fs.IntVar(&c.durWorkers, "dur-workers", 4, "clients writing unique keys")
	fs.IntVar(&c.keys, "keys", 4, "hot keys per family (register, counter, list) at a time")
	fs.IntVar(&c.minReplicas, "min-replicas", 0, "replicas every slot range must list in CLUSTER SLOTS for the system to be whole")
	fs.BoolVar(&c.readOnly, "readonly", false, "send reads to replicas after READONLY (stale reads allowed: the history need not be linearizable)")
	fs.BoolVar(&c.strict, "strict", true, "exit 1 when a history is not linearizable or an acknowledged write is lost (off for systems that do not promise it)")
	fs.DurationVar(&c.warm, "warm", 2*time.Second, "load before the first round")
	fs.DurationVar(&c.gap, "gap", time.Second, "load between rounds, once whole again")
	fs.DurationVar(&c.epoch, "epoch", 10*time.Second, "how long a hot key is used before the next takes over")
	fs.DurationVar(&c.opTO, "op-timeout", 3*time.Second, "deadline of one operation, redirections included")
	fs.DurationVar(&c.attemptTO, "attempt-timeout", time.Second, "deadline of one attempt on one node (dial, read, write)")
	fs.DurationVar(&c.checkTO, "check-timeout", 30*time.Second, "the linearizability search's budget per key")
	fs.DurationVar(&c.killDown, "kill-down", 3*time.Second, "how long a killed node stays down")
	fs.DurationVar(&c.pauseFor, "pause", 8*time.Second, "how long a node stays frozen (past the election / node timeout)")
	fs.DurationVar(&c.partFor, "partition", 10*time.Second, "how long a partition lasts")
	fs.DurationVar(&c.settleTO, "settle-timeout", 3*time.Minute, "how long the system may take to be whole again")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.targets == "" {
		return nil, errors.New("-targets is required")
	}
	return c, nil
}

// faultResult is one fault kind's line in the results.
type faultResult struct {
	System       string  `json:"system"`
	Fault        string  `json:"fault"`
	ReadOnly     bool    `json:"readonly,omitempty"`
	Seconds      float64 `json:"seconds"`
	Linearizable string  `json:"linearizable"`
	runStats
	Lin          linResult `json:"lin"`
	Lost         int       `json:"lost"`
	Unread       int       `json:"unread"`
	LostExamples []string  `json:"lost_examples,omitempty"`
	UnavailMed   float64   `json:"unavailable_median_s"`
	UnavailWorst float64   `json:"unavailable_worst_s"`
	Rounds       []round   `json:"rounds"`
	Error        string    `json:"error,omitempty"`
}

func runCheck(ctx context.Context, log *slog.Logger, args []string) error {
	c, err := parseConfig(args)
	if err != nil {
		return err
	}
	targets, err := parseTargets(c.targets)
	if err != nil {
		return err
	}
	seeds := strings.Split(c.nodes, ",")
	if c.nodes == "" {
		seeds = nil
		for _, t := range targets {
			seeds = append(seeds, t.Addr)
		}
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	control := newRouter(seeds, c.password, c.attemptTO)
	defer control.close()
	nem := &nemesis{targets: targets, rt: control, log: log, killDown: c.killDown, pauseFor: c.pauseFor,
		partFor: c.partFor, settleTO: c.settleTO, minReplicas: c.minReplicas,
		settleCmd: c.settleCmd, joinCmd: c.joinCmd, leave: c.leaveCmd}
	defer nem.heal()
	log.Info("waiting for the system to be whole")
	if err := nem.settle(ctx); err != nil {
		return err
	}
	var results []faultResult
	var failed []string
	for _, kind := range strings.Split(c.faults, ",") {
		res := runFault(ctx, log, c, nem, seeds, kind)
		results = append(results, res)
		fmt.Println(res.line())
		if !res.ok() {
			failed = append(failed, kind)
		}
		if err := writeResults(c.out, results); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(failed) > 0 && c.strict {
		return fmt.Errorf("%s: failed under %s (details in %s)", c.system, strings.Join(failed, ", "), c.out)
	}
	return nil
}

// runFault runs the workload through c.rounds rounds of one fault kind,
// then checks the history and reads back every acknowledged write.
func runFault(ctx context.Context, log *slog.Logger, c *config, nem *nemesis, seeds []string, kind string) faultResult {
	res := faultResult{System: c.system, Fault: kind, ReadOnly: c.readOnly}
	rt := newRouter(seeds, c.password, c.attemptTO)
	rt.readOnly = c.readOnly
	defer rt.close()
	prefix := fmt.Sprintf("chk:%s:%d", kind, time.Now().UnixNano()%1e9)
	w := newWorkload(rt, prefix, c.keys, c.epoch, c.opTO)
	wctx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); w.run(wctx, c.linWorkers, c.durWorkers) }()
	log.Info("fault kind", "fault", kind, "rounds", c.rounds)
	hold(ctx, c.warm)
	for i := 0; i < c.rounds && ctx.Err() == nil; i++ {
		r, err := nem.inject(ctx, kind, w.now)
		res.Rounds = append(res.Rounds, r)
		if err != nil {
			res.Error = fmt.Sprintf("round %d: %v", i+1, err)
			log.Error("nemesis failed", "fault", kind, "round", i+1, "err", err)
			break
		}
		log.Info("round done", "fault", kind, "round", i+1, "nodes", r.Nodes,
			"healed_after", time.Duration(r.Healed-r.Start).Round(time.Millisecond),
			"whole_after", time.Duration(r.Settled-r.Start).Round(time.Millisecond))
		hold(ctx, c.gap)
	}
	stopLoad()
	<-loadDone
	res.Seconds = time.Duration(w.now()).Seconds()
	res.runStats = w.stats
	unavailability(w.writeOK, res.Rounds, w.now())
	res.UnavailMed, res.UnavailWorst = medianWorst(res.Rounds)

	verifier := newRouter(seeds, c.password, c.attemptTO)
	defer verifier.close()
	vctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w.finalReads(vctx, verifier)
	lin, err := checkHistory(w.history, c.checkTO, c.out, fmt.Sprintf("%s-%s", sanitize(c.system), kind))
	if err != nil && res.Error == "" {
		res.Error = err.Error()
	}
	res.Lin, res.Linearizable = lin, lin.verdict()
	res.Lost, res.Unread, res.LostExamples = w.verify(vctx, verifier)
	return res
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' {
			return '-'
		}
		return r
	}, s)
}

// ok tells whether the system kept its promises under this fault.
func (r faultResult) ok() bool {
	return r.Error == "" && r.Linearizable == "yes" && r.Lost == 0 && r.Unread == 0
}

func (r faultResult) line() string {
	s := fmt.Sprintf("%s %-16s rounds=%d ops=%d indeterminate=%d linearizable=%s (%d keys) acked=%d lost=%d unread=%d unavailable median=%.1fs worst=%.1fs",
		r.System, r.Fault, len(r.Rounds), r.Ops, r.Indeterminate, r.Linearizable, r.Lin.Keys,
		r.DurableAcked, r.Lost, r.Unread, r.UnavailMed, r.UnavailWorst)
	if r.Lin.Visual != "" {
		s += "\n    non-linearizable keys " + strings.Join(r.Lin.IllegalKeys, " ") + ": see " + r.Lin.Visual
	}
	for _, e := range r.LostExamples {
		s += "\n    lost: " + e
	}
	if r.Error != "" {
		s += "\n    error: " + r.Error
	}
	return s
}

func writeResults(dir string, results []faultResult) error {
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644)
}
