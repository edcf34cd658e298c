package command

import "math"

// Redis's database count: DB indexes outside it are "out of range" rather
// than "not allowed in cluster mode", and we answer as Redis Cluster does.
const numDBs = 16

// copyPrepare refuses bad options at the leader so they never become a
// record.
func copyPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if _, msg := parseCopy(argv); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

// parseCopy parses COPY's options in Redis's order: option errors as they
// come, then the cluster-mode database check, then the same-key check.
// Only database 0 exists, as in Redis Cluster.
func parseCopy(argv [][]byte) (replace bool, msg string) {
	db := int64(0)
	for j := 3; j < len(argv); j++ {
		switch {
		case eq(argv[j], "REPLACE"):
			replace = true
		case eq(argv[j], "DB") && j+1 < len(argv):
			j++
			n, ok := ParseInt(argv[j])
			switch {
			case !ok:
				return false, ErrNotInt
			case n < math.MinInt32 || n > math.MaxInt32:
				return false, "ERR value is out of range, value must between -2147483648 and 2147483647"
			case n < 0 || n >= numDBs:
				return false, "ERR DB index is out of range"
			}
			db = n
		default:
			return false, ErrSyntax
		}
	}
	if db != 0 {
		return false, "ERR Copying to another database is not allowed in cluster mode"
	}
	if string(argv[1]) == string(argv[2]) {
		return false, "ERR source and destination objects are the same"
	}
	return replace, ""
}

func copyCmd(c *Ctx, argv [][]byte) {
	replace, msg := parseCopy(argv)
	if msg != "" {
		c.W.Error(msg)
		return
	}
	copied, err := c.KS.Copy(argv[1], argv[2], replace, c.Now)
	switch {
	case err != nil:
		c.W.Error("ERR COPY " + err.Error())
	case copied:
		c.W.Int(1)
	default:
		c.W.Int(0)
	}
}
