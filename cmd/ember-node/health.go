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
// container health check, so it needs nothing but the binary; with a
// password (EMBER_REQUIREPASS, which the container has) it AUTHs first.
func health(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	node := fs.String("node", env("EMBER_NODE", "127.0.0.1:6379"), "client address of the node")
	pass := fs.String("password", env("EMBER_REQUIREPASS", ""), "the node's requirepass")
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
	r := bufio.NewReader(conn)
	if *pass != "" {
		auth := fmt.Sprintf("*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n", len(*pass), *pass)
		if err := exchange(conn, r, auth, "+OK"); err != nil {
			return err
		}
	}
	if err := exchange(conn, r, "*1\r\n$4\r\nPING\r\n", "+PONG"); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ok", *node)
	return nil
}

// exchange sends one command and checks its one-line reply.
func exchange(conn net.Conn, r *bufio.Reader, cmd, want string) error {
	if _, err := conn.Write([]byte(cmd)); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if strings.TrimSpace(line) != want {
		return fmt.Errorf("health: node answered %q", strings.TrimSpace(line))
	}
	return nil
}
