package server

import (
	"strconv"
	"strings"
	"time"
)

// Client classes of client-output-buffer-limit, in Redis's order.
const (
	classNormal = iota
	classReplica
	classPubsub
	numClasses
)

// classNames are the names CONFIG GET prints ("slave", as Redis 7 does).
var classNames = [numClasses]string{"normal", "slave", "pubsub"}

// OutputLimit is one class's client-output-buffer-limit: a client whose
// unsent replies exceed Hard bytes is closed at once, and one that stays
// above Soft bytes for SoftSeconds is closed then. 0 disables a limit.
type OutputLimit struct {
	Hard        int64
	Soft        int64
	SoftSeconds int64
}

// OutputLimits are the limits of every class. ember-node has no replica
// or pub/sub clients yet; their classes are kept so that Redis's
// configuration lines read and print back unchanged.
type OutputLimits [numClasses]OutputLimit

// DefaultOutputLimits are Redis 7's limits, except for normal clients:
// Redis leaves them unlimited, which lets one connection that never reads
// hold any amount of memory (issue 13). ember-node closes a normal client
// whose unsent replies pass 256 MB, or stay above 64 MB for 60 seconds.
func DefaultOutputLimits() OutputLimits {
	return OutputLimits{
		classNormal:  {Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60},
		classReplica: {Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60},
		classPubsub:  {Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60},
	}
}

// String formats the limits as CONFIG GET does.
func (l OutputLimits) String() string {
	var sb strings.Builder
	for i, c := range l {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(classNames[i] + " " + i64toa(c.Hard) + " " + i64toa(c.Soft) + " " + i64toa(c.SoftSeconds))
	}
	return sb.String()
}

// classByName is Redis's getClientTypeByName, without the master class
// (which the option refuses).
func classByName(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return classNormal
	case "slave", "replica":
		return classReplica
	case "pubsub":
		return classPubsub
	}
	return -1
}

// ParseOutputLimits applies a client-output-buffer-limit value ("<class>
// <hard> <soft> <soft-seconds>", repeated) to l, all classes or none, and
// returns Redis's error text on a bad value.
func ParseOutputLimits(l *OutputLimits, v string) string {
	args := strings.Fields(v)
	if len(args)%4 != 0 || len(args) == 0 {
		return "Wrong number of arguments in buffer limit configuration."
	}
	out := *l
	for i := 0; i < len(args); i += 4 {
		class := classByName(args[i])
		if class < 0 {
			return "Invalid client class specified in buffer limit configuration."
		}
		hard, okh := parseMemory(args[i+1])
		soft, oks := parseMemory(args[i+2])
		secs, err := strconv.ParseInt(args[i+3], 10, 64)
		if !okh || !oks || err != nil || secs < 0 {
			return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		out[class] = OutputLimit{Hard: hard, Soft: soft, SoftSeconds: secs}
	}
	*l = out
	return ""
}

// obufLimits is what a connection checks: the normal class's limits,
// with check the smallest non-zero one (its only test per command).
type obufLimits struct {
	hard, soft int64
	softFor    time.Duration
	check      int64 // min of the non-zero limits; MaxInt64 when none
}

func newObufLimits(l OutputLimit) *obufLimits {
	o := &obufLimits{hard: l.Hard, soft: l.Soft, softFor: time.Duration(l.SoftSeconds) * time.Second, check: 1<<63 - 1}
	for _, n := range []int64{l.Hard, l.Soft} {
		if n > 0 && n < o.check {
			o.check = n
		}
	}
	return o
}
