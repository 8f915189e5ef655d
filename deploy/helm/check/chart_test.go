package check

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const (
	chart    = "../veil"
	policies = "../../../policies"
	opaImage = `^openpolicyagent/opa:1\.22\.3(-static)?$`
)

// expectations says what each values file under ci/ must render beyond the invariants every render meets.
var expectations = map[string]struct {
	autoscaler, budget, networkPolicy, serviceMonitor, claim bool
	policySource                                             string
	nativeSidecar                                            bool
	reload                                                   string
	configChecksum                                           bool
}{
	"default-values.yaml":       {policySource: "configmap", nativeSidecar: true, reload: "watch"},
	"multi-replica-values.yaml": {autoscaler: true, budget: true, policySource: "configmap", nativeSidecar: true, reload: "watch", configChecksum: true},
	"opa-bundle-values.yaml":    {policySource: "bundle", reload: "watch"},
	"monitoring-values.yaml":    {networkPolicy: true, serviceMonitor: true, claim: true, policySource: "configmap", nativeSidecar: true, reload: "watch"},
}

// veilConfig is the part of the rendered veil.yaml the chart owns.
type veilConfig struct {
	Server struct {
		Host string `json:"host"`
		Port int32  `json:"port"`
	} `json:"server"`
	Veil struct {
		MasterKey  string `json:"master-key"`
		DataDir    string `json:"data-dir"`
		Reload     string `json:"reload"`
		Management struct {
			Host string `json:"host"`
			Port int32  `json:"port"`
			Path string `json:"path"`
		} `json:"management"`
		Shutdown struct {
			DrainDelay string `json:"drain-delay"`
			Deadline   string `json:"deadline"`
		} `json:"shutdown"`
		Opa struct {
			URL string `json:"url"`
		} `json:"opa"`
		Providers map[string]map[string]any `json:"providers"`
		Store     map[string]any            `json:"store"`
	} `json:"veil"`
}

var envReference = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*\}$`)
var secretLookingName = regexp.MustCompile(`(?i)(key|secret|token|password|credential)`)

func valuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chart, "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no values files in %s/ci: %v", chart, err)
	}
	for _, f := range files {
		if _, ok := expectations[filepath.Base(f)]; !ok {
			t.Fatalf("%s has no expectations in chart_test.go", f)
		}
	}
	return files
}

func render(t *testing.T, valuesFile string) *Rendered {
	t.Helper()
	out, err := Template(chart, []string{valuesFile})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Decode(out)
	if err != nil {
		t.Fatalf("%s: %v", valuesFile, err)
	}
	return r
}

func TestChartLintsWithEveryValuesFile(t *testing.T) {
	for _, f := range valuesFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := RunHelm("lint", "--strict", chart, "--values", f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestEveryRenderedManifestMeetsTheChartsInvariants(t *testing.T) {
	for _, f := range valuesFiles(t) {
		want := expectations[filepath.Base(f)]
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := render(t, f)
			if len(r.Deployments) != 1 {
				t.Fatalf("want one Deployment, got %d", len(r.Deployments))
			}
			d := r.Deployments[0]
			cfg := renderedConfig(t, r)
			checkRestricted(t, d.Spec.Template.Spec)
			checkResourcesAndImages(t, d.Spec.Template.Spec)
			checkNoInlineSecrets(t, d.Spec.Template.Spec, cfg)
			checkVeilContainer(t, d, cfg, want.reload)
			checkOpa(t, d.Spec.Template.Spec, want.policySource, want.nativeSidecar)
			if _, ok := d.Spec.Template.Annotations["checksum/config"]; ok != want.configChecksum {
				t.Errorf("checksum/config annotation present = %v, want %v", ok, want.configChecksum)
			}
			checkOptionalObjects(t, r, d, want.autoscaler, want.budget, want.networkPolicy, want.serviceMonitor, want.claim)
			if want.autoscaler && cfg.Veil.Store["kind"] != "postgres" {
				t.Error("several replicas need veil.store kind postgres: each would have its own keys and spend")
			}
		})
	}
}

func renderedConfig(t *testing.T, r *Rendered) veilConfig {
	t.Helper()
	for _, cm := range r.ConfigMaps {
		if strings.HasSuffix(cm.Name, "-config") {
			var cfg veilConfig
			if err := yaml.Unmarshal([]byte(cm.Data["veil.yaml"]), &cfg); err != nil {
				t.Fatalf("veil.yaml: %v", err)
			}
			return cfg
		}
	}
	t.Fatal("no config ConfigMap rendered")
	return veilConfig{}
}

func allContainers(spec corev1.PodSpec) []corev1.Container {
	return append(slices.Clone(spec.InitContainers), spec.Containers...)
}

// checkRestricted checks the Pod Security Standards "restricted" profile (v1.29+): what the admission controller
// would refuse, per container and for the pod.
func checkRestricted(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Error("pod uses host namespaces")
	}
	pod := spec.SecurityContext
	if pod == nil {
		t.Fatal("pod has no securityContext")
	}
	for _, v := range spec.Volumes {
		s := v.VolumeSource
		if s.ConfigMap == nil && s.EmptyDir == nil && s.PersistentVolumeClaim == nil && s.Secret == nil &&
			s.Projected == nil && s.DownwardAPI == nil && s.CSI == nil && s.Ephemeral == nil {
			t.Errorf("volume %s is of a type the restricted profile forbids", v.Name)
		}
	}
	for _, c := range allContainers(spec) {
		sc := c.SecurityContext
		if sc == nil {
			t.Errorf("container %s has no securityContext", c.Name)
			continue
		}
		if sc.Privileged != nil && *sc.Privileged {
			t.Errorf("container %s is privileged", c.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: allowPrivilegeEscalation must be false", c.Name)
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			t.Errorf("container %s must drop ALL capabilities", c.Name)
		} else if len(sc.Capabilities.Add) > 0 && !slices.Equal(sc.Capabilities.Add, []corev1.Capability{"NET_BIND_SERVICE"}) {
			t.Errorf("container %s adds capabilities %v", c.Name, sc.Capabilities.Add)
		}
		nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (sc.RunAsNonRoot == nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot)
		if !nonRoot {
			t.Errorf("container %s: runAsNonRoot must be true", c.Name)
		}
		user := sc.RunAsUser
		if user == nil {
			user = pod.RunAsUser
		}
		if user == nil || *user != 65532 {
			t.Errorf("container %s: runAsUser must be 65532 (the image's user)", c.Name)
		}
		seccomp := sc.SeccompProfile
		if seccomp == nil {
			seccomp = pod.SeccompProfile
		}
		if seccomp == nil || (seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
			t.Errorf("container %s: seccompProfile must be RuntimeDefault or Localhost", c.Name)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("container %s: readOnlyRootFilesystem must be true", c.Name)
		}
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				t.Errorf("container %s uses hostPort %d", c.Name, p.HostPort)
			}
		}
	}
}

func checkResourcesAndImages(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	for _, c := range allContainers(spec) {
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
			t.Errorf("container %s: set cpu and memory requests", c.Name)
		}
		if c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s: set a memory limit", c.Name)
		}
		if !pinned(c.Image) {
			t.Errorf("container %s: image %q is not pinned to a version tag or digest", c.Name, c.Image)
		}
	}
}

func pinned(image string) bool {
	if at := strings.LastIndex(image, "@"); at >= 0 {
		return regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(image[at+1:])
	}
	colon := strings.LastIndex(image, ":")
	if colon < 0 || strings.Contains(image[colon:], "/") {
		return false
	}
	tag := image[colon+1:]
	return tag != "" && tag != "latest"
}

// checkNoInlineSecrets: secrets reach the pod only as secretKeyRef env, and the config holds only ${NAME} references
// to them.
func checkNoInlineSecrets(t *testing.T, spec corev1.PodSpec, cfg veilConfig) {
	t.Helper()
	for _, c := range allContainers(spec) {
		if len(c.EnvFrom) > 0 {
			t.Errorf("container %s: envFrom hides what the pod reads; name each variable", c.Name)
		}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom != nil:
				if e.ValueFrom.SecretKeyRef == nil && e.ValueFrom.FieldRef == nil {
					t.Errorf("container %s: env %s comes from neither a Secret nor a field", c.Name, e.Name)
				}
			case secretLookingName.MatchString(e.Name):
				t.Errorf("container %s: env %s holds a secret inline; take it from a Secret", c.Name, e.Name)
			}
		}
		for _, arg := range c.Args {
			if strings.Contains(arg, "token=") && !strings.Contains(arg, "token=${") {
				t.Errorf("container %s: argument %q holds a token inline", c.Name, arg)
			}
		}
	}
	if cfg.Veil.MasterKey != "${VEIL_MASTER_KEY}" {
		t.Errorf("veil.master-key is %q, want ${VEIL_MASTER_KEY}", cfg.Veil.MasterKey)
	}
	if !hasSecretEnv(spec, "veil", "VEIL_MASTER_KEY") {
		t.Error("VEIL_MASTER_KEY does not come from a Secret")
	}
	references := map[string]any{}
	for name, p := range cfg.Veil.Providers {
		if key, ok := p["api-key"]; ok {
			references["veil.providers."+name+".api-key"] = key
		}
	}
	if password, ok := cfg.Veil.Store["password"]; ok {
		references["veil.store.password"] = password
	}
	for key, value := range references {
		ref, _ := value.(string)
		if !envReference.MatchString(ref) {
			t.Errorf("%s is not a ${NAME} reference", key)
			continue
		}
		if variable := strings.TrimSuffix(strings.TrimPrefix(ref, "${"), "}"); !hasSecretEnv(spec, "veil", variable) {
			t.Errorf("%s names %s, which no secretKeyRef sets", key, variable)
		}
	}
}

func hasSecretEnv(spec corev1.PodSpec, container, name string) bool {
	for _, c := range allContainers(spec) {
		if c.Name != container {
			continue
		}
		for _, e := range c.Env {
			if e.Name == name && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil &&
				e.ValueFrom.SecretKeyRef.Name != "" && e.ValueFrom.SecretKeyRef.Key != "" {
				return true
			}
		}
	}
	return false
}

func container(t *testing.T, spec corev1.PodSpec, name string) (corev1.Container, bool) {
	t.Helper()
	for i, c := range spec.InitContainers {
		if c.Name == name {
			return spec.InitContainers[i], true
		}
	}
	for i, c := range spec.Containers {
		if c.Name == name {
			return spec.Containers[i], false
		}
	}
	t.Fatalf("no container %s", name)
	return corev1.Container{}, false
}

func port(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func checkVeilContainer(t *testing.T, d appsv1.Deployment, cfg veilConfig, reload string) {
	t.Helper()
	spec := d.Spec.Template.Spec
	veil, init := container(t, spec, "veil")
	if init {
		t.Error("veil must be an ordinary container")
	}
	mgmt := port(veil, "management")
	if mgmt == 0 || mgmt != cfg.Veil.Management.Port || cfg.Veil.Management.Host != "0.0.0.0" {
		t.Errorf("management port %d, config veil.management %s:%d", mgmt, cfg.Veil.Management.Host, cfg.Veil.Management.Port)
	}
	if api := port(veil, "http"); api == 0 || api != cfg.Server.Port {
		t.Errorf("http port %d, config server.port %d", api, cfg.Server.Port)
	}
	probes := map[string]*corev1.Probe{"liveness": veil.LivenessProbe, "readiness": veil.ReadinessProbe, "startup": veil.StartupProbe}
	paths := map[string]string{"liveness": "/health/live", "readiness": "/health/ready", "startup": "/health/live"}
	for kind, p := range probes {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("veil has no HTTP %s probe", kind)
			continue
		}
		if p.HTTPGet.Path != paths[kind] || p.HTTPGet.Port != intstr.FromString("management") {
			t.Errorf("veil %s probe: %s on %s, want %s on the management port", kind, p.HTTPGet.Path, p.HTTPGet.Port.String(), paths[kind])
		}
	}
	drain, err1 := time.ParseDuration(cfg.Veil.Shutdown.DrainDelay)
	deadline, err2 := time.ParseDuration(cfg.Veil.Shutdown.Deadline)
	if err1 != nil || err2 != nil {
		t.Fatalf("veil.shutdown: %v %v", err1, err2)
	}
	if spec.TerminationGracePeriodSeconds == nil || time.Duration(*spec.TerminationGracePeriodSeconds)*time.Second <= drain+deadline {
		t.Errorf("terminationGracePeriodSeconds must exceed drain-delay %s + deadline %s", drain, deadline)
	}
	if cfg.Veil.Reload != reload {
		t.Errorf("veil.reload is %q, want %q", cfg.Veil.Reload, reload)
	}
	if cfg.Veil.DataDir != "/var/lib/veil" || !slices.Equal(veil.Args, []string{"--config", "/etc/veil/veil.yaml"}) {
		t.Errorf("data-dir %q, args %v", cfg.Veil.DataDir, veil.Args)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range veil.VolumeMounts {
		mounts[m.MountPath] = m
	}
	if m, ok := mounts["/etc/veil"]; !ok || m.SubPath != "" {
		t.Error("the config must be mounted as the directory /etc/veil, without subPath, so ConfigMap updates reach it")
	}
	if m, ok := mounts["/var/lib/veil"]; !ok || m.ReadOnly {
		t.Error("/var/lib/veil must be a writable volume (data dir and the JVM's temporary files)")
	}
	if !strings.HasPrefix(cfg.Veil.Opa.URL, "http://127.0.0.1:") {
		t.Errorf("veil.opa.url %q is not the sidecar on loopback", cfg.Veil.Opa.URL)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Error("the pod needs no Kubernetes API token: automountServiceAccountToken must be false")
	}
}

func checkOpa(t *testing.T, spec corev1.PodSpec, source string, native bool) {
	t.Helper()
	opa, init := container(t, spec, "opa")
	if init != native {
		t.Errorf("opa as an init container = %v, want %v", init, native)
	}
	if native && (opa.RestartPolicy == nil || *opa.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
		t.Error("a native sidecar needs restartPolicy: Always")
	}
	if !regexp.MustCompile(opaImage).MatchString(opa.Image) {
		t.Errorf("opa image %q, want %s", opa.Image, opaImage)
	}
	args := strings.Join(opa.Args, " ")
	if !strings.Contains(args, "--addr=127.0.0.1:") {
		t.Errorf("OPA must listen on loopback only: %s", args)
	}
	for _, p := range []*corev1.Probe{opa.LivenessProbe, opa.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Port != intstr.FromString("opa-diag") {
			t.Error("OPA's probes must use its diagnostic port")
		}
	}
	switch source {
	case "configmap":
		if !slices.Contains(opa.Args, "/policies") || len(opa.VolumeMounts) != 1 || opa.VolumeMounts[0].MountPath != "/policies" {
			t.Errorf("OPA must load /policies from the ConfigMap: args %v", opa.Args)
		}
	case "bundle":
		if !strings.Contains(args, "--set=services.bundles.url=") || slices.Contains(opa.Args, "/policies") {
			t.Errorf("OPA must load a bundle: args %v", opa.Args)
		}
	}
}

func checkOptionalObjects(t *testing.T, r *Rendered, d appsv1.Deployment, autoscaler, budget, netpol, monitor, claim bool) {
	t.Helper()
	if got := len(r.Autoscalers) == 1; got != autoscaler {
		t.Errorf("HorizontalPodAutoscaler rendered = %v, want %v", got, autoscaler)
	} else if autoscaler {
		h := r.Autoscalers[0]
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != d.Name || len(h.Spec.Metrics) == 0 {
			t.Errorf("the autoscaler must scale %s on a metric: %+v", d.Name, h.Spec)
		}
		if d.Spec.Replicas != nil {
			t.Error("with an autoscaler the Deployment must not set replicas (each upgrade would reset them)")
		}
	}
	if got := len(r.Budgets) == 1; got != budget {
		t.Errorf("PodDisruptionBudget rendered = %v, want %v", got, budget)
	} else if budget && !selects(r.Budgets[0].Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Error("the PodDisruptionBudget does not select Veil's pods")
	}
	if got := len(r.NetworkPolicies) == 1; got != netpol {
		t.Errorf("NetworkPolicy rendered = %v, want %v", got, netpol)
	} else if netpol {
		np := r.NetworkPolicies[0]
		if !selects(np.Spec.PodSelector.MatchLabels, d.Spec.Template.Labels) {
			t.Error("the NetworkPolicy does not select Veil's pods")
		}
		var management bool
		for _, rule := range np.Spec.Ingress {
			for _, p := range rule.Ports {
				if p.Port != nil && *p.Port == intstr.FromString("management") {
					management = len(rule.From) > 0 && rule.From[0].NamespaceSelector != nil
				}
			}
		}
		if !management {
			t.Error("the NetworkPolicy must admit the management port from the monitoring namespace only")
		}
	}
	if got := len(r.ServiceMonitors) == 1; got != monitor {
		t.Errorf("ServiceMonitor rendered = %v, want %v", got, monitor)
	} else if monitor {
		sm := r.ServiceMonitors[0]
		var selected bool
		for _, s := range r.Services {
			if selects(sm.Spec.Selector.MatchLabels, s.Labels) {
				selected = true
				if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Name != "management" {
					t.Errorf("the ServiceMonitor selects Service %s, which is not the management one", s.Name)
				}
			}
		}
		if !selected || len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "management" {
			t.Error("the ServiceMonitor must scrape the management Service's management port")
		}
	}
	if got := len(r.Claims) == 1; got != claim {
		t.Errorf("PersistentVolumeClaim rendered = %v, want %v", got, claim)
	}
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// The chart's policies ConfigMap is rendered from a link to policies/; this fails if the two ever differ (a copy
// instead of the link, a file left out, a test or schema shipped to OPA).
func TestPoliciesConfigMapHoldsExactlyTheRepositorysPolicies(t *testing.T) {
	r := render(t, filepath.Join(chart, "ci", "default-values.yaml"))
	var data map[string]string
	for _, cm := range r.ConfigMaps {
		if strings.HasSuffix(cm.Name, "-policies") {
			data = cm.Data
		}
	}
	if data == nil {
		t.Fatal("no policies ConfigMap rendered")
	}
	want := map[string]string{}
	err := filepath.WalkDir(policies, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(policies, path)
		if strings.HasSuffix(rel, "_test.rego") || rel == "README.md" || strings.HasPrefix(rel, "schemas/") {
			return nil
		}
		text, err := os.ReadFile(path)
		want[strings.ReplaceAll(rel, "/", "_")] = string(text)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for key, text := range want {
		if data[key] != text {
			t.Errorf("policies ConfigMap key %s differs from policies/%s", key, strings.ReplaceAll(key, "_", "/"))
		}
	}
	for key := range data {
		if _, ok := want[key]; !ok {
			t.Errorf("policies ConfigMap holds %s, which OPA must not load", key)
		}
	}
	d := r.Deployments[0]
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && strings.HasSuffix(v.ConfigMap.Name, "-policies") && len(v.ConfigMap.Items) != len(want) {
			t.Errorf("the policies volume maps %d files, want %d", len(v.ConfigMap.Items), len(want))
		}
	}
}

func TestChartRefusesValuesThatBreakItsPromises(t *testing.T) {
	cases := map[string]struct {
		sets    []string
		message string
	}{
		"a literal provider key":   {[]string{"config.veil.providers.openai.api-key=sk-live-123"}, "the chart never holds a key"},
		"a master key in config":   {[]string{"config.veil.master-key=abcdefghij"}, "config.veil.master-key"},
		"a literal store password": {[]string{"config.veil.store.kind=postgres", "config.veil.store.password=hunter2"}, "never holds a password"},
		"a secret as a plain env":  {[]string{"env[0].name=DB_PASSWORD", "env[0].value=hunter2"}, "looks like a secret"},
		"the latest tag":           {[]string{"image.tag=latest"}, "pin a version tag"},
		"OPA's latest tag":         {[]string{"opa.image.tag=latest"}, "pin a version tag"},
		"a short grace period":     {[]string{"terminationGracePeriodSeconds=20"}, "must exceed"},
		"a bundle without a URL":   {[]string{"opa.policySource=bundle"}, "opa.bundle.url"},
		"a PVC with replicas":      {[]string{"persistence.enabled=true", "replicaCount=2"}, "one replica"},
		"a misspelt values key":    {[]string{"autoscalling.enabled=true"}, "'autoscalling' not allowed"},
		"an unknown reload mode":   {[]string{"configReload=signal"}, "configReload"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Template(chart, nil, c.sets...)
			if err == nil || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("want a refusal mentioning %q, got %v", c.message, err)
			}
		})
	}
}

func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	doc := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n  replica: 2\n")
	if _, err := Decode(doc); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Fatalf("want an unknown-field error, got %v", err)
	}
	monitor := []byte("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec:\n  endpoints: [{port: m, intervall: 1s}]\n")
	if _, err := Decode(monitor); err == nil || !strings.Contains(err.Error(), "intervall") {
		t.Fatalf("want an unknown-field error, got %v", err)
	}
}

// An air-gapped cluster installs from `helm package`'s archive: the link to policies/ must be packaged as the files.
func TestPackagedChartRendersLikeTheChartDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := RunHelm("package", chart, "--destination", dir); err != nil {
		t.Fatal(err)
	}
	archives, err := filepath.Glob(filepath.Join(dir, "veil-*.tgz"))
	if err != nil || len(archives) != 1 {
		t.Fatalf("want one packaged chart in %s, got %v (%v)", dir, archives, err)
	}
	for _, f := range valuesFiles(t) {
		fromDirectory, err := Template(chart, []string{f})
		if err != nil {
			t.Fatal(err)
		}
		fromArchive, err := Template(archives[0], []string{f})
		if err != nil {
			t.Fatal(err)
		}
		if string(fromArchive) != string(fromDirectory) {
			t.Errorf("%s: the packaged chart renders differently from deploy/helm/veil", filepath.Base(f))
		}
	}
}
