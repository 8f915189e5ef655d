// Package check loads Veil's compose stack (deploy/compose/compose.yaml) with the Compose Specification's own loader,
// as `docker compose config` does (schema and consistency checks on), and checks what the stack promises: the
// services it names, pinned images, two Veil replicas behind HAProxy, Veil started after the database, Redis and OPA
// are healthy, only the UIs published and only on loopback, no secret written in a file; and that each file it
// mounts is valid for the program that reads it (HAProxy, Prometheus, the collector, Veil itself).
package check

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

const (
	composeFile = "../compose.yaml"
	root        = "../../.."
)

// Load loads the stack's compose file as `docker compose config` would, with environment as the only variables
// (neither the process's environment nor a .env file: the check must not depend on the machine). interpolate false
// keeps the ${...} references as written.
func Load(ctx context.Context, environment map[string]string, interpolate bool) (*types.Project, error) {
	return LoadFile(ctx, composeFile, environment, interpolate)
}

// LoadFile loads any compose file the way Load does, relative to the file's directory.
func LoadFile(ctx context.Context, file string, environment map[string]string, interpolate bool) (*types.Project, error) {
	var env []string
	for name, value := range environment {
		env = append(env, name+"="+value)
	}
	options, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnv(env),
		cli.WithInterpolation(interpolate),
		cli.WithConsistency(true))
	if err != nil {
		return nil, err
	}
	return options.LoadProject(ctx)
}

// VeilConfig is the part of Veil's config file the stack depends on.
type VeilConfig struct {
	Server struct {
		Host string `yaml:"host"`
		Port int    `yaml:"port"`
	} `yaml:"server"`
	Veil struct {
		MasterKey string `yaml:"master-key"`
		DataDir   string `yaml:"data-dir"`
		Reload    string `yaml:"reload"`
		Store     struct {
			Kind         string `yaml:"kind"`
			URL          string `yaml:"url"`
			Username     string `yaml:"username"`
			Password     string `yaml:"password"`
			PasswordFile string `yaml:"password-file"`
		} `yaml:"store"`
		Limits struct {
			Shared struct {
				Kind         string `yaml:"kind"`
				URL          string `yaml:"url"`
				Password     string `yaml:"password"`
				PasswordFile string `yaml:"password-file"`
				FailMode     string `yaml:"fail-mode"`
			} `yaml:"shared"`
		} `yaml:"limits"`
		Management struct {
			Host string `yaml:"host"`
			Port int    `yaml:"port"`
			Path string `yaml:"path"`
		} `yaml:"management"`
		Opa struct {
			URL string `yaml:"url"`
		} `yaml:"opa"`
		Telemetry struct {
			Exporter string `yaml:"exporter"`
			Protocol string `yaml:"protocol"`
			Endpoint string `yaml:"endpoint"`
		} `yaml:"telemetry"`
		Shutdown struct {
			DrainDelay string `yaml:"drain-delay"`
			Deadline   string `yaml:"deadline"`
		} `yaml:"shutdown"`
		Audit struct {
			KeyFile string `yaml:"key-file"`
		} `yaml:"audit"`
		Providers map[string]map[string]any `yaml:"providers"`
	} `yaml:"veil"`
}

// ReadYAML decodes a YAML file into out.
func ReadYAML(path string, out any) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(text, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// HostPort splits a URL's host and port, with the scheme's default port when it names none.
func HostPort(raw string) (string, int, error) {
	u, err := url.Parse(strings.TrimPrefix(raw, "jdbc:"))
	if err != nil {
		return "", 0, err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "redis": "6379", "postgresql": "5432"}[u.Scheme]
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, fmt.Errorf("%s: no port", raw)
	}
	return u.Hostname(), n, nil
}

// Tool finds a program: the environment variable override names it, else the first candidate that exists, else PATH.
func Tool(override, name string, candidates ...string) (string, bool) {
	if path := os.Getenv(override); path != "" {
		return path, true
	}
	for _, c := range candidates {
		if abs, err := filepath.Abs(c); err == nil {
			if info, err := os.Stat(abs); err == nil && !info.IsDir() {
				return abs, true
			}
		}
	}
	path, err := exec.LookPath(name)
	return path, err == nil
}

// Run runs a program and returns its exit code and its standard output and error together.
func Run(ctx context.Context, env []string, program string, args ...string) (int, string, error) {
	cmd := exec.CommandContext(ctx, program, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), nil
	}
	if err != nil {
		return -1, out.String(), err
	}
	return 0, out.String(), nil
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Process is a program started in the background, its output kept for messages.
type Process struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start starts a program in the background.
func Start(program string, args ...string) (*Process, error) {
	p := &Process{cmd: exec.Command(program, args...), output: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// AwaitListening waits until something accepts connections on the loopback port, or the program exits, or atMost
// has passed.
func (p *Process) AwaitListening(port int, atMost time.Duration) error {
	deadline := time.Now().Add(atMost)
	address := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before listening on %s", p.cmd.Path, address)
		default:
		}
		if conn, err := net.DialTimeout("tcp", address, 200*time.Millisecond); err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not listening on %s after %s", p.cmd.Path, address, atMost)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Output is what the program printed so far.
func (p *Process) Output() string {
	return p.output.String()
}

// Stop kills the program and waits for it.
func (p *Process) Stop() {
	_ = p.cmd.Process.Kill()
	<-p.done
}
