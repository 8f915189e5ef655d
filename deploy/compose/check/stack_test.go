package check

import (
	"bufio"
	"context"
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

const (
	veilConfigFile = "../veil/veil.yaml"
	haproxyConfig  = "../haproxy.cfg"
	prometheusFile = "../prometheus.yml"
	collectorFile  = "../otel-collector.yaml"
	secretsDir     = "/run/secrets/"
	opaImage       = `^openpolicyagent/opa:1\.22\.3(-static)?$`
)

var (
	testEnvironment = map[string]string{"VEIL_MASTER_KEY": "compose-check-master-key"}
	// A version tag: never latest, never a bare major.
	pinnedImage       = regexp.MustCompile(`^[a-z0-9][a-z0-9./-]*:v?[0-9]+\.[0-9]+(\.[0-9]+)?(-[a-z0-9.]+)?$`)
	secretLookingName = regexp.MustCompile(`(?i)(key|secret|token|password|credential)`)
	reference         = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}$`)
	replicas          = []string{"veil-1", "veil-2"}
	// What each service is for; the stack holds exactly these.
	services = []string{"veil-1", "veil-2", "haproxy", "secrets", "postgres", "redis", "opa", "otel-collector",
		"jaeger", "prometheus"}
	// Published, on loopback only: the API through the balancer, and the two UIs.
	published = map[string][]string{"haproxy": {"8080"}, "jaeger": {"16686"}, "prometheus": {"9090"}}
)

func load(t *testing.T) *types.Project {
	t.Helper()
	project, err := Load(t.Context(), testEnvironment, true)
	if err != nil {
		t.Fatalf("the compose file does not load: %v", err)
	}
	return project
}

func veilConfig(t *testing.T) VeilConfig {
	t.Helper()
	var cfg VeilConfig
	if err := ReadYAML(veilConfigFile, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestComposeFileLoadsWithTheSpecificationsLoader(t *testing.T) {
	p := load(t)
	if p.Name != "veil" {
		t.Errorf("project name %q, want veil (set in the file, so it does not depend on the directory)", p.Name)
	}
	got := slices.Sorted(maps.Keys(p.Services))
	if want := slices.Sorted(slices.Values(services)); !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}
}

func TestComposeRefusesToStartWithoutAMasterKey(t *testing.T) {
	_, err := Load(t.Context(), nil, true)
	if err == nil || !strings.Contains(err.Error(), "VEIL_MASTER_KEY") {
		t.Fatalf("want an error naming VEIL_MASTER_KEY, got %v", err)
	}
}

func TestSchemaValidationIsOn(t *testing.T) {
	// The same loader options on a file with a misspelt key must fail, or the check above proves nothing.
	dir := t.TempDir()
	bad := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(bad, []byte("services:\n  a:\n    image: busybox:1.37.0\n    restart_policy: always\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(t.Context(), bad, nil, true)
	if err == nil || !strings.Contains(err.Error(), "restart_policy") {
		t.Fatalf("want a schema error naming restart_policy, got %v", err)
	}
}

func TestEveryImageIsPinnedAndVeilIsBuiltFromTheRepository(t *testing.T) {
	p := load(t)
	for name, s := range p.Services {
		if !pinnedImage.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned to a version tag", name, s.Image)
		}
	}
	if image := service(t, p, "opa").Image; !regexp.MustCompile(opaImage).MatchString(image) {
		t.Errorf("opa image %q, want the one the Helm chart and ./veil test use (%s)", image, opaImage)
	}
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^ARG VERSION=(\S+)$`).FindSubmatch(dockerfile)
	if version == nil {
		t.Fatal("the Dockerfile has no ARG VERSION=")
	}
	repository, _ := filepath.Abs(root)
	for _, name := range replicas {
		s := service(t, p, name)
		if s.Image != "veil:"+string(version[1]) {
			t.Errorf("%s: image %q, want veil:%s (the Dockerfile's version)", name, s.Image, version[1])
		}
		if s.Build == nil || s.Build.Context != repository || s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s: must be built from the repository's Dockerfile, got %+v", name, s.Build)
		}
		if s.PullPolicy != types.PullPolicyBuild {
			t.Errorf("%s: pull_policy %q, want build (the image is never in a registry)", name, s.PullPolicy)
		}
	}
}

func TestTwoVeilReplicasRunTheStacksConfig(t *testing.T) {
	p := load(t)
	cfg := veilConfig(t)
	drain, err1 := time.ParseDuration(cfg.Veil.Shutdown.DrainDelay)
	deadline, err2 := time.ParseDuration(cfg.Veil.Shutdown.Deadline)
	if err1 != nil || err2 != nil {
		t.Fatalf("veil.shutdown: %v %v", err1, err2)
	}
	configDir, _ := filepath.Abs(filepath.Dir(veilConfigFile))
	dataVolumes := map[string]bool{}
	for _, name := range replicas {
		s := service(t, p, name)
		if s.Hostname != name {
			t.Errorf("%s: hostname %q, want %s: a stable node id for its audit records, not the container's ID", name, s.Hostname, name)
		}
		if !slices.Equal(s.Command, types.ShellCommand{"--config", "/etc/veil/veil.yaml"}) {
			t.Errorf("%s: command %v", name, s.Command)
		}
		mounts := map[string]types.ServiceVolumeConfig{}
		for _, v := range s.Volumes {
			mounts[v.Target] = v
		}
		if m := mounts["/etc/veil"]; m.Type != types.VolumeTypeBind || m.Source != configDir || !m.ReadOnly {
			t.Errorf("%s: %s must be mounted read-only at /etc/veil (a directory, so reload: watch sees edits): %+v",
				name, configDir, m)
		}
		data := mounts[cfg.Veil.DataDir]
		if data.Type != types.VolumeTypeVolume || data.ReadOnly {
			t.Errorf("%s: the data dir %s must be a writable named volume: %+v", name, cfg.Veil.DataDir, data)
		}
		dataVolumes[data.Source] = true
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("%s: read_only, cap_drop ALL and no-new-privileges, as the image is meant to run", name)
		}
		if s.StopGracePeriod == nil || time.Duration(*s.StopGracePeriod) <= drain+deadline {
			t.Errorf("%s: stop_grace_period must exceed drain-delay %s + deadline %s", name, drain, deadline)
		}
		health := s.Environment["VEIL_HEALTH_URL"]
		if want := "http://127.0.0.1:" + strconv.Itoa(cfg.Veil.Management.Port) + "/health/ready"; health == nil || *health != want {
			t.Errorf("%s: VEIL_HEALTH_URL (the image's health check) must be %s", name, want)
		}
	}
	if len(dataVolumes) != len(replicas) {
		t.Errorf("each replica needs its own data volume (audit log, JVM files): %v", dataVolumes)
	}
	if cfg.Veil.Store.Kind != "postgres" || cfg.Veil.Limits.Shared.Kind != "redis" {
		t.Error("replicas must share keys and spend (veil.store: postgres) and limits (veil.limits.shared: redis)")
	}
	if cfg.Server.Host != "0.0.0.0" || cfg.Veil.Management.Host != "0.0.0.0" {
		t.Error("server.host and veil.management.host must be 0.0.0.0: HAProxy and Prometheus reach them over the network")
	}
}

func TestVeilStartsOnceTheDatabaseRedisAndOpaAreHealthy(t *testing.T) {
	p := load(t)
	want := map[string]string{
		"secrets":        types.ServiceConditionCompletedSuccessfully,
		"postgres":       types.ServiceConditionHealthy,
		"redis":          types.ServiceConditionHealthy,
		"opa":            types.ServiceConditionHealthy,
		"otel-collector": types.ServiceConditionStarted,
	}
	for _, name := range replicas {
		s := service(t, p, name)
		for dependency, condition := range want {
			if d, ok := s.DependsOn[dependency]; !ok || d.Condition != condition {
				t.Errorf("%s must depend on %s with condition %s, got %+v", name, dependency, condition, d)
			}
		}
	}
	for dependency, condition := range want {
		if condition != types.ServiceConditionHealthy {
			continue
		}
		h := service(t, p, dependency).HealthCheck
		if h == nil || h.Disable || len(h.Test) < 2 || h.Test[0] == "NONE" {
			t.Errorf("%s needs a healthcheck for service_healthy to mean anything", dependency)
		}
	}
	for _, name := range []string{"postgres", "redis"} {
		if d, ok := service(t, p, name).DependsOn["secrets"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s reads its password from the secrets volume: it must wait for the secrets service", name)
		}
	}
}

func TestOnlyTheBalancerAndTheUIsArePublishedAndOnlyOnLoopback(t *testing.T) {
	p := load(t)
	for name, s := range p.Services {
		var ports []string
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q: bind it to 127.0.0.1", name, port.Published, port.HostIP)
			}
			ports = append(ports, port.Published)
		}
		if !slices.Equal(ports, published[name]) {
			t.Errorf("%s publishes %v, want %v", name, ports, published[name])
		}
	}
}

func TestNoSecretIsWrittenInTheStacksFiles(t *testing.T) {
	raw, err := Load(t.Context(), testEnvironment, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range raw.Services {
		for variable, value := range s.Environment {
			if !secretLookingName.MatchString(variable) || value == nil {
				continue
			}
			file := strings.HasSuffix(variable, "_FILE") && strings.HasPrefix(*value, secretsDir)
			if !file && !reference.MatchString(*value) {
				t.Errorf("%s: %s=%q holds a secret; take it from the environment (${NAME}) or a file under %s",
					name, variable, *value, secretsDir)
			}
		}
		for _, arg := range s.Command {
			if (name != "secrets" && strings.Contains(arg, "requirepass ")) || strings.Contains(strings.ToLower(arg), "password=") {
				t.Errorf("%s: argument %q holds a password", name, arg)
			}
		}
	}
	cfg := veilConfig(t)
	if cfg.Veil.MasterKey != "${VEIL_MASTER_KEY}" {
		t.Errorf("veil.master-key is %q, want ${VEIL_MASTER_KEY}", cfg.Veil.MasterKey)
	}
	files := map[string]string{
		"veil.store.password-file":         cfg.Veil.Store.PasswordFile,
		"veil.limits.shared.password-file": cfg.Veil.Limits.Shared.PasswordFile,
		"veil.audit.key-file":              cfg.Veil.Audit.KeyFile,
	}
	for key, path := range files {
		if !strings.HasPrefix(path, secretsDir) {
			t.Errorf("%s is %q, want a file under %s (the generated secrets)", key, path, secretsDir)
		}
	}
	if cfg.Veil.Store.Password != "" || cfg.Veil.Limits.Shared.Password != "" {
		t.Error("veil.store and veil.limits.shared take their passwords from files, never inline")
	}
	for name, provider := range cfg.Veil.Providers {
		if key, ok := provider["api-key"].(string); ok && !reference.MatchString(key) {
			t.Errorf("veil.providers.%s.api-key is not a ${NAME} reference", name)
		}
	}
	p := load(t)
	postgres := service(t, p, "postgres")
	if file := postgres.Environment["POSTGRES_PASSWORD_FILE"]; file == nil || *file != cfg.Veil.Store.PasswordFile {
		t.Errorf("PostgreSQL's POSTGRES_PASSWORD_FILE must be Veil's veil.store.password-file %s", cfg.Veil.Store.PasswordFile)
	}
	for _, name := range append([]string{"postgres", "redis"}, replicas...) {
		if !mountsSecretsReadOnly(service(t, p, name)) {
			t.Errorf("%s must mount the secrets volume read-only at %s", name, secretsDir)
		}
	}
}

func mountsSecretsReadOnly(s types.ServiceConfig) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "secrets" && v.Target == strings.TrimSuffix(secretsDir, "/") {
			return v.ReadOnly
		}
	}
	return false
}

// The secrets service's script, run here in a directory of its own: every file Veil, PostgreSQL and Redis read, an
// audit key Veil accepts (base64 of 32 bytes), Redis's requirepass equal to the password Veil reads, and a second
// run keeping the passwords (PostgreSQL keeps the one its database was created with).
func TestSecretsServiceGeneratesEachSecretOnce(t *testing.T) {
	s := service(t, load(t), "secrets")
	if len(s.Command) != 3 || s.Command[0] != "sh" || s.Command[1] != "-ec" {
		t.Fatalf("command %v, want sh -ec SCRIPT", s.Command)
	}
	dir := t.TempDir()
	script := strings.ReplaceAll(s.Command[2], strings.TrimSuffix(secretsDir, "/"), dir)
	run := func() map[string]string {
		code, out, err := Run(t.Context(), nil, "sh", "-ec", script)
		if err != nil || code != 0 {
			t.Fatalf("the script failed (%d): %v %s", code, err, out)
		}
		files := map[string]string{}
		for _, name := range []string{"veil-db-password", "veil-redis-password", "veil-audit-key", "redis.conf"} {
			text, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			files[name] = string(text)
		}
		return files
	}
	first := run()
	for _, name := range []string{"veil-db-password", "veil-redis-password"} {
		if len(first[name]) < 24 || strings.ContainsAny(first[name], " \n$\\'\"") {
			t.Errorf("%s: %q is not a long password free of characters a config or shell would read", name, first[name])
		}
	}
	if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(first["veil-audit-key"])); err != nil || len(key) != 32 {
		t.Errorf("veil-audit-key is not base64 of 32 bytes: %v", err)
	}
	if first["redis.conf"] != "requirepass "+first["veil-redis-password"]+"\n" {
		t.Errorf("redis.conf %q does not require the password Veil reads", first["redis.conf"])
	}
	if second := run(); !maps.Equal(first, second) {
		t.Error("a second run changed the secrets")
	}
	redis := service(t, load(t), "redis")
	if !slices.Equal(redis.Command, types.ShellCommand{"redis-server", secretsDir + "redis.conf"}) {
		t.Errorf("redis command %v, want redis-server %sredis.conf", redis.Command, secretsDir)
	}
}

func TestTheReplicasReachTheServicesTheStackRuns(t *testing.T) {
	p := load(t)
	cfg := veilConfig(t)
	expect := func(key, raw, host string, port int) {
		t.Helper()
		h, n, err := HostPort(raw)
		if err != nil || h != host || n != port {
			t.Errorf("%s %q, want %s:%d", key, raw, host, port)
		}
		if _, err := p.GetService(host); err != nil {
			t.Errorf("%s names %s, which is no service of the stack", key, host)
		}
	}
	expect("veil.store.url", cfg.Veil.Store.URL, "postgres", 5432)
	expect("veil.limits.shared.url", cfg.Veil.Limits.Shared.URL, "redis", 6379)
	expect("veil.opa.url", cfg.Veil.Opa.URL, "opa", 8181)
	expect("veil.telemetry.endpoint", cfg.Veil.Telemetry.Endpoint, "otel-collector", 4318)
	postgres := service(t, p, "postgres").Environment
	if db, user := postgres["POSTGRES_DB"], postgres["POSTGRES_USER"]; db == nil || user == nil ||
		!strings.HasSuffix(cfg.Veil.Store.URL, "/"+*db) || cfg.Veil.Store.Username != *user {
		t.Error("veil.store's database and user must be the ones PostgreSQL creates (POSTGRES_DB, POSTGRES_USER)")
	}
	if !slices.Contains(service(t, p, "opa").Command, "--addr=0.0.0.0:8181") {
		t.Error("OPA must listen on 8181 on the compose network, where veil.opa.url points")
	}
	if cfg.Veil.Telemetry.Exporter != "otlp" || cfg.Veil.Telemetry.Protocol != "http/protobuf" {
		t.Error("veil.telemetry must export OTLP over http/protobuf, what the collector's port 4318 receives")
	}
}

// backend is what haproxy.cfg's backend says: its servers and their health checks.
type backend struct {
	servers             map[string]string
	checkPorts          map[string]string
	httpCheck, bindPort string
	inter               time.Duration
	fall                int
}

func readHAProxyConfig(t *testing.T) backend {
	t.Helper()
	f, err := os.Open(haproxyConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := backend{servers: map[string]string{}, checkPorts: map[string]string{}}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch {
		case fields[0] == "bind":
			b.bindPort = fields[1][strings.LastIndex(fields[1], ":")+1:]
		case fields[0] == "option" && len(fields) > 1 && fields[1] == "httpchk":
			b.httpCheck = strings.Join(fields[2:], " ")
		case fields[0] == "server":
			b.servers[fields[1]] = fields[2]
			if i := slices.Index(fields, "port"); i > 0 && slices.Contains(fields, "check") {
				b.checkPorts[fields[1]] = fields[i+1]
			}
		case fields[0] == "default-server":
			for i := 1; i+1 < len(fields); i++ {
				switch fields[i] {
				case "inter":
					b.inter, _ = time.ParseDuration(fields[i+1])
				case "fall":
					b.fall, _ = strconv.Atoi(fields[i+1])
				}
			}
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHAProxyBalancesBothReplicasOnTheirReadiness(t *testing.T) {
	p := load(t)
	cfg := veilConfig(t)
	b := readHAProxyConfig(t)
	management := strconv.Itoa(cfg.Veil.Management.Port)
	api := strconv.Itoa(cfg.Server.Port)
	want := map[string]string{}
	for _, name := range replicas {
		want[name] = name + ":" + api
		if b.checkPorts[name] != management {
			t.Errorf("server %s must be checked on the management port %s, got %q", name, management, b.checkPorts[name])
		}
	}
	if !maps.Equal(b.servers, want) {
		t.Errorf("haproxy.cfg servers %v, want %v", b.servers, want)
	}
	if b.httpCheck != "GET /health/ready" {
		t.Errorf("option httpchk %q, want GET /health/ready", b.httpCheck)
	}
	drain, _ := time.ParseDuration(cfg.Veil.Shutdown.DrainDelay)
	if b.inter <= 0 || b.fall <= 0 || b.inter*time.Duration(b.fall)+2*time.Second > drain {
		t.Errorf("inter %s x fall %d (+ a 2 s check) must stay under the drain delay %s (docs/deploy.md)", b.inter, b.fall, drain)
	}
	h := service(t, p, "haproxy")
	if len(h.Ports) != 1 || strconv.Itoa(int(h.Ports[0].Target)) != b.bindPort {
		t.Errorf("HAProxy publishes %+v, but its frontend binds %s", h.Ports, b.bindPort)
	}
	mounted := false
	for _, v := range h.Volumes {
		source, _ := filepath.Abs(haproxyConfig)
		mounted = mounted || v.Source == source && v.Target == "/usr/local/etc/haproxy/haproxy.cfg" && v.ReadOnly
	}
	if !mounted {
		t.Error("haproxy.cfg must be mounted read-only where the image reads it")
	}
	for _, name := range replicas {
		if _, ok := h.DependsOn[name]; !ok {
			t.Errorf("haproxy must depend on %s", name)
		}
	}
}

// haproxy -c parses the file as HAProxy will; the only warnings allowed are the replicas' names, which resolve on
// the compose network only (init-addr none lets HAProxy start without them).
func TestHAProxyAcceptsItsConfig(t *testing.T) {
	haproxy, ok := Tool("HAPROXY", "haproxy", "/usr/sbin/haproxy")
	if !ok {
		t.Skip("haproxy not installed (./veil test installs Debian's package)")
	}
	code, out, err := Run(t.Context(), nil, haproxy, "-c", "-f", haproxyConfig)
	if err != nil || code != 0 {
		t.Fatalf("haproxy -c: %d %v\n%s", code, err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "[WARNING]") && !strings.Contains(line, "could not resolve address") {
			t.Errorf("haproxy -c warns: %s", line)
		}
	}
}

func TestPrometheusScrapesEachReplicasManagementListener(t *testing.T) {
	cfg := veilConfig(t)
	var prometheus struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := ReadYAML(prometheusFile, &prometheus); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, job := range prometheus.ScrapeConfigs {
		if job.JobName != "veil" {
			continue
		}
		if job.MetricsPath != cfg.Veil.Management.Path {
			t.Errorf("job veil scrapes %q, Veil serves %q", job.MetricsPath, cfg.Veil.Management.Path)
		}
		for _, s := range job.StaticConfigs {
			targets = append(targets, s.Targets...)
		}
	}
	var want []string
	for _, name := range replicas {
		want = append(want, name+":"+strconv.Itoa(cfg.Veil.Management.Port))
	}
	if !slices.Equal(targets, want) {
		t.Errorf("job veil targets %v, want %v", targets, want)
	}
	promtool, ok := Tool("PROMTOOL", "promtool", "/usr/bin/promtool")
	if !ok {
		t.Skip("promtool not installed (Debian's prometheus package, which ./veil test installs)")
	}
	if code, out, err := Run(t.Context(), nil, promtool, "check", "config", prometheusFile); err != nil || code != 0 {
		t.Errorf("promtool check config: %d %v\n%s", code, err, out)
	}
}

func TestCollectorSendsVeilsTracesToJaeger(t *testing.T) {
	p := load(t)
	var collector struct {
		Receivers map[string]struct {
			Protocols map[string]struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"protocols"`
		} `yaml:"receivers"`
		Exporters map[string]map[string]any `yaml:"exporters"`
		Service   struct {
			Pipelines map[string]struct {
				Receivers  []string `yaml:"receivers"`
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	if err := ReadYAML(collectorFile, &collector); err != nil {
		t.Fatal(err)
	}
	if endpoint := collector.Receivers["otlp"].Protocols["http"].Endpoint; endpoint != "0.0.0.0:4318" {
		t.Errorf("the otlp receiver's http endpoint is %q, want 0.0.0.0:4318 (veil.telemetry.endpoint)", endpoint)
	}
	traces, ok := collector.Service.Pipelines["traces"]
	if !ok || !slices.Contains(traces.Receivers, "otlp") {
		t.Fatal("no traces pipeline receiving otlp")
	}
	toJaeger := false
	for _, name := range traces.Exporters {
		kind, _, _ := strings.Cut(name, "/")
		endpoint, _ := collector.Exporters[name]["endpoint"].(string)
		toJaeger = toJaeger || kind == "otlp_grpc" && endpoint == "jaeger:4317"
	}
	if !toJaeger {
		t.Errorf("the traces pipeline must export OTLP to jaeger:4317: %v", traces.Exporters)
	}
	for name, pipeline := range collector.Service.Pipelines {
		for _, component := range pipeline.Exporters {
			if _, ok := collector.Exporters[component]; !ok {
				t.Errorf("pipeline %s names exporter %s, which is not configured", name, component)
			}
		}
		for _, component := range pipeline.Receivers {
			if _, ok := collector.Receivers[component]; !ok {
				t.Errorf("pipeline %s names receiver %s, which is not configured", name, component)
			}
		}
	}
	collectorService := service(t, p, "otel-collector")
	mounted := false
	for _, v := range collectorService.Volumes {
		source, _ := filepath.Abs(collectorFile)
		mounted = mounted || v.Source == source && v.Target == "/etc/otelcol-contrib/config.yaml" && v.ReadOnly
	}
	if !mounted {
		t.Error("otel-collector.yaml must be mounted where the contrib image reads its config")
	}
}

// Veil itself checks the file the replicas run (--check-config), with the files of the secrets volume in a temporary
// directory instead of /run/secrets.
func TestVeilAcceptsTheConfigTheReplicasRun(t *testing.T) {
	java, ok := Tool("JAVA", "java", filepath.Join(os.Getenv("JAVA_HOME"), "bin", "java"))
	if !ok {
		t.Fatal("no java: set JAVA_HOME to a JDK 21+")
	}
	jar, _ := filepath.Abs(filepath.Join(root, "server", "target", "veil-server.jar"))
	if path := os.Getenv("VEIL_JAR"); path != "" {
		jar = path
	}
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("%s: build the server first (./veil build): %v", jar, err)
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"veil-db-password":    "db-password-for-the-check",
		"veil-redis-password": "redis-password-for-the-check",
		"veil-audit-key":      base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text, err := os.ReadFile(veilConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "veil.yaml")
	if err := os.WriteFile(copied, []byte(strings.ReplaceAll(string(text), secretsDir, dir+"/")), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for name, value := range testEnvironment {
		env = append(env, name+"="+value)
	}
	code, out, err := Run(t.Context(), env, java, "-XX:TieredStopAtLevel=1", "-jar", jar, "--check-config", "--config", copied)
	if err != nil || code != 0 || !strings.Contains(out, "config OK") {
		t.Fatalf("veil --check-config (run by %s; JAVA_HOME names a Java 21+): %d %v\n%s", java, code, err, out)
	}
}

// The OPA image has no shell and no curl, so its healthcheck is OPA evaluating an http.send to its own /health: run
// here against a real OPA on the repository's policies, and against nothing.
func TestOpaHealthcheckTellsAServingOpaFromNone(t *testing.T) {
	opa, ok := Tool("OPA", "opa", filepath.Join(root, ".tools", "bin", "opa"))
	if !ok {
		t.Skip("opa not found (./veil test builds it into .tools/bin)")
	}
	h := service(t, load(t), "opa").HealthCheck
	if h == nil || len(h.Test) < 3 || h.Test[0] != "CMD" || h.Test[1] != "/opa" {
		t.Fatalf("healthcheck %v, want CMD /opa ...", h)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	args := slices.Clone(h.Test[2:])
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "127.0.0.1:8181", "127.0.0.1:"+strconv.Itoa(port))
	}
	probe := func() int {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		code, _, err := Run(ctx, nil, opa, args...)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	if code := probe(); code == 0 {
		t.Fatal("healthy with nothing listening")
	}
	server, err := Start(opa, "run", "--server", "--addr=127.0.0.1:"+strconv.Itoa(port), filepath.Join(root, "policies"))
	if err != nil {
		t.Fatal(err)
	}
	defer server.Stop()
	if err := server.AwaitListening(port, 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, server.Output())
	}
	if code := probe(); code != 0 {
		t.Errorf("unhealthy against a serving OPA (exit %d)\n%s", code, server.Output())
	}
}
