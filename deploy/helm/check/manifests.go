// Package check renders Veil's Helm chart with helm, decodes every manifest strictly into its Kubernetes API type and
// checks what the chart promises: the Pod Security "restricted" profile, probes on Veil's management listener, no
// secret values in the chart, pinned images, resources, and the optional objects present when asked for.
package check

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// ServiceMonitor is the part of the Prometheus Operator's monitoring.coreos.com/v1 type the chart renders; a field
// the chart writes that is not here fails the strict decoding, so the chart cannot drift from it unnoticed.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ServiceMonitorSpec `json:"spec"`
}

// ServiceMonitorSpec selects the Services to scrape and how.
type ServiceMonitorSpec struct {
	Selector  metav1.LabelSelector `json:"selector"`
	Endpoints []Endpoint           `json:"endpoints"`
}

// Endpoint is one scraped port of a selected Service.
type Endpoint struct {
	Port          string `json:"port"`
	Path          string `json:"path,omitempty"`
	Interval      string `json:"interval,omitempty"`
	ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
}

// Rendered is one `helm template` output, each object decoded into its type.
type Rendered struct {
	Deployments     []appsv1.Deployment
	Services        []corev1.Service
	ConfigMaps      []corev1.ConfigMap
	ServiceAccounts []corev1.ServiceAccount
	Claims          []corev1.PersistentVolumeClaim
	Budgets         []policyv1.PodDisruptionBudget
	Autoscalers     []autoscalingv2.HorizontalPodAutoscaler
	NetworkPolicies []networkingv1.NetworkPolicy
	ServiceMonitors []ServiceMonitor
}

// Helm is the helm binary: $HELM, else the project's .tools/bin/helm, else helm on PATH.
func Helm() (string, error) {
	if helm := os.Getenv("HELM"); helm != "" {
		return helm, nil
	}
	local, err := filepath.Abs("../../../.tools/bin/helm")
	if err == nil {
		if _, err := os.Stat(local); err == nil {
			return local, nil
		}
	}
	return exec.LookPath("helm")
}

// RunHelm runs helm with args and returns its standard output, or an error carrying its standard error.
func RunHelm(args ...string) ([]byte, error) {
	helm, err := Helm()
	if err != nil {
		return nil, fmt.Errorf("helm not found (./veil test installs it into .tools/bin): %w", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helm, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// Template renders the chart with the given values files and --set arguments.
func Template(chart string, valuesFiles []string, sets ...string) ([]byte, error) {
	args := []string{"template", "veil", chart, "--namespace", "veil"}
	for _, f := range valuesFiles {
		args = append(args, "--values", f)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return RunHelm(args...)
}

// Decode splits a multi-document stream and decodes each document strictly (unknown or duplicate fields fail) into
// the type its apiVersion and kind name. A kind the chart is not known to render fails too.
func Decode(stream []byte) (*Rendered, error) {
	r := &Rendered{}
	for i, doc := range splitDocuments(stream) {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var err error
		switch meta.APIVersion + "/" + meta.Kind {
		case "apps/v1/Deployment":
			r.Deployments, err = appendStrict(r.Deployments, doc)
		case "v1/Service":
			r.Services, err = appendStrict(r.Services, doc)
		case "v1/ConfigMap":
			r.ConfigMaps, err = appendStrict(r.ConfigMaps, doc)
		case "v1/ServiceAccount":
			r.ServiceAccounts, err = appendStrict(r.ServiceAccounts, doc)
		case "v1/PersistentVolumeClaim":
			r.Claims, err = appendStrict(r.Claims, doc)
		case "policy/v1/PodDisruptionBudget":
			r.Budgets, err = appendStrict(r.Budgets, doc)
		case "autoscaling/v2/HorizontalPodAutoscaler":
			r.Autoscalers, err = appendStrict(r.Autoscalers, doc)
		case "networking.k8s.io/v1/NetworkPolicy":
			r.NetworkPolicies, err = appendStrict(r.NetworkPolicies, doc)
		case "monitoring.coreos.com/v1/ServiceMonitor":
			r.ServiceMonitors, err = appendStrict(r.ServiceMonitors, doc)
		default:
			err = fmt.Errorf("%s %s is not a kind the chart is known to render; add it to the check", meta.APIVersion, meta.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, meta.Kind, err)
		}
	}
	return r, nil
}

func appendStrict[T any](into []T, doc []byte) ([]T, error) {
	var obj T
	if err := yaml.UnmarshalStrict(doc, &obj); err != nil {
		return into, err
	}
	return append(into, obj), nil
}

// splitDocuments cuts a stream at "---" lines and drops documents that hold only comments (helm's "# Source:").
func splitDocuments(stream []byte) [][]byte {
	var docs [][]byte
	var current []string
	flush := func() {
		for _, line := range current {
			trimmed := strings.TrimSpace(line)
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				docs = append(docs, []byte(strings.Join(current, "\n")))
				break
			}
		}
		current = nil
	}
	for _, line := range strings.Split(string(stream), "\n") {
		if strings.TrimRight(line, " ") == "---" {
			flush()
			continue
		}
		current = append(current, line)
	}
	flush()
	return docs
}
