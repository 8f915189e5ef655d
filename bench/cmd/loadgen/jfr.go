package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// jfrRecording is a Java Flight Recorder recording of the gateway, started
// and stopped with jcmd, which runs in the load generator's process group
// (and on its CPUs), not in the gateway.
type jfrRecording struct {
	jcmd, file string
	pid        int
}

const jfrName = "veil-bench"

// startJFR starts a recording with the JDK's "profile" settings (execution
// samples every 10 ms) and options (JFR.start's, such as method-profiling=max)
// that writes to file when stopped. It returns nil,
// after logging why, when the recording cannot start: the run then goes on
// without a profile.
func startJFR(jcmd string, pid int, file string, options []string) *jfrRecording {
	if pid <= 0 {
		logf("JFR: no -gateway-pid; not recording")
		return nil
	}
	os.Remove(file)
	r := &jfrRecording{jcmd: jcmd, file: file, pid: pid}
	if err := r.run(append([]string{"JFR.start", "name=" + jfrName, "settings=profile", "filename=" + file}, options...)...); err != nil {
		logf("JFR: %v; not recording", err)
		return nil
	}
	logf("JFR: recording the gateway (pid %d) into %s", pid, file)
	return r
}

// stop ends the recording, which the gateway then writes to its file.
func (r *jfrRecording) stop() error {
	if err := r.run("JFR.stop", "name="+jfrName); err != nil {
		return err
	}
	if st, err := os.Stat(r.file); err != nil || st.Size() == 0 {
		return fmt.Errorf("the gateway wrote no recording to %s", r.file)
	}
	return nil
}

func (r *jfrRecording) run(args ...string) error {
	out, err := exec.Command(r.jcmd, append([]string{strconv.Itoa(r.pid)}, args...)...).CombinedOutput()
	// jcmd reports a failed diagnostic command in its output with exit status 0.
	if err != nil || strings.Contains(string(out), "Exception") || strings.Contains(string(out), "Could not") {
		return fmt.Errorf("%s %s: %v: %s", r.jcmd, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
