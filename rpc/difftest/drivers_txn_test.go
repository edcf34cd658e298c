package difftest

import (
	"fmt"
	"strconv"
)

// Drivers for connection state: HELLO and transactions, whose EXEC
// elements compare like the commands queued.

// runHello sends HELLO with the pair's own protocol version when args[1]
// is empty (the connection stays as it is; the reply is compared but for
// the connection id), else with a bad version (an error, compared exactly).
func runHello(x *runner, p *pair, o op) error {
	args := o.args
	if args[1] == "" {
		args = []string{args[0], strconv.Itoa(p.proto)}
	}
	ev, rv, err := x.roundtrip(p, args)
	if err != nil {
		return err
	}
	if !equal(helloSansID(ev), helloSansID(rv)) {
		return &mismatch{args: args, e: ev.String(), r: rv.String(), why: "compared without the connection id"}
	}
	return nil
}

// runMulti runs MULTI, the queued commands and EXEC or DISCARD on p.
func runMulti(x *runner, p *pair, o op) error {
	if _, _, err := x.plain(p, []string{"MULTI"}, cmpExact); err != nil {
		return err
	}
	return x.transaction(p, o)
}

// runWatch runs WATCH on p, o.other on the other pair, then the
// transaction on p.
func runWatch(x *runner, p *pair, o op) error {
	if _, _, err := x.plain(p, o.args, cmpExact); err != nil {
		return err
	}
	if o.other != nil {
		if _, _, err := x.plain(x.other(p), o.other, cmpExact); err != nil {
			return err
		}
	}
	if _, _, err := x.plain(p, []string{"MULTI"}, cmpExact); err != nil {
		return err
	}
	o.args = []string{"EXEC"}
	return x.transaction(p, o)
}

// transaction queues o.sub and ends with o.args (EXEC or DISCARD). EXEC's
// elements compare like the commands that were queued.
func (x *runner) transaction(p *pair, o op) error {
	var queued []op
	for _, s := range o.sub {
		_, rv, err := x.plain(p, s.args, cmpExact)
		if err != nil {
			return err
		}
		if rv.Type == '+' && rv.Str == "QUEUED" {
			queued = append(queued, s)
		}
	}
	ev, rv, err := x.roundtrip(p, o.args)
	if err != nil {
		return err
	}
	if ev.Type != '*' || rv.Type != '*' || ev.Null || rv.Null || len(ev.Elems) != len(queued) || len(rv.Elems) != len(queued) {
		if !equal(ev, rv) {
			return &mismatch{args: o.args, e: ev.String(), r: rv.String()}
		}
		return nil
	}
	for i, q := range queued {
		if !compare(q.cmp, ev.Elems[i], rv.Elems[i]) {
			return &mismatch{args: q.args, e: ev.Elems[i].String(), r: rv.Elems[i].String(),
				why: fmt.Sprintf("element %d of EXEC", i)}
		}
	}
	return nil
}
