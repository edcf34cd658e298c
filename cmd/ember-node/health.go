package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// health exits 0 when the node at --node answers PING with PONG. It is the
// container health check, so it needs nothing but the binary.
func health(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	node := fs.String("node", env("EMBER_NODE", "127.0.0.1:6379"), "client address of the node")
	timeout := fs.Duration("timeout", 2*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	conn, err := net.DialTimeout("tcp", *node, *timeout)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(*timeout))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("health: node answered %q", strings.TrimSpace(line))
	}
	fmt.Fprintln(stdout, "ok", *node)
	return nil
}
