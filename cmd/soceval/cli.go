package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
)

// Exit codes, documented in the README and stable for scripts.
const (
	ExitPassed     = 0
	ExitGateFailed = 1
	ExitUsage      = 2
	ExitIncomplete = 3
)

// exitError carries an exit code through wrapped errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad usage or bad input (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{ExitUsage, fmt.Errorf(format, args...)}
}

// withCode wraps err so that the command exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code, err}
}

// exitCode returns the exit code err carries: ExitUsage by default,
// since most failures come from bad input or usage.
func exitCode(err error) int {
	if err == nil {
		return ExitPassed
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return ExitUsage
}

// env is a command's view of the process: its streams, environment
// variables and logger. Tests give commands their own.
type env struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// isTerminal and stderrTerminal report whether stdout and stderr are
	// interactive terminals.
	isTerminal     bool
	stderrTerminal bool
	log            *slog.Logger
}

func newEnv() *env {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if fi, err := os.Stdout.Stat(); err == nil {
		e.isTerminal = fi.Mode()&os.ModeCharDevice != 0
	}
	if fi, err := os.Stderr.Stat(); err == nil {
		e.stderrTerminal = fi.Mode()&os.ModeCharDevice != 0
	}
	e.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return e
}

// command is one subcommand of soceval.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; each command's file registers itself.
func register(c command) { commands[c.name] = c }

// Main runs soceval with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, e *env) int {
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitPassed
	}

	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "soceval: unknown command %q\n\n", args[0])
		printUsage(e.stderr)
		return ExitUsage
	}

	err := c.run(ctx, e, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return ExitPassed
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "soceval %s: %v\n", c.name, err)
	}
	return exitCode(err)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: soceval <command> [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'soceval <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 passed, 1 a gate failed, 2 bad usage or input, 3 run incomplete or invalid.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("soceval "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: soceval %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments, and
// returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
		if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
			for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
				positional = append(positional, args[0])
				args = args[1:]
			}
			if len(args) == 0 {
				return positional, nil
			}
		}
	}
}
