{{- define "veil.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "veil.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "veil.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "veil.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "veil.selectorLabels" -}}
app.kubernetes.io/name: {{ include "veil.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "veil.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "veil.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "veil.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "veil.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference from {repository, tag, digest}: pinned, never "latest". */}}
{{- define "veil.image" -}}
{{- if not .repository -}}{{- fail "image repository is empty" -}}{{- end -}}
{{- if .digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" .digest) -}}{{- fail (printf "image digest %q is not sha256:<64 hex digits>" .digest) -}}{{- end -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- if or (not .tag) (eq (toString .tag) "latest") -}}
{{- fail (printf "image %s: pin a version tag (or a digest); %q is not one" .repository (toString .tag)) -}}
{{- end -}}
{{- printf "%s:%s" .repository (toString .tag) -}}
{{- end -}}
{{- end -}}

{{/* Veil's config file: the user's config with the keys the chart owns set over it. */}}
{{- define "veil.config" -}}
{{- $user := deepCopy (default dict .Values.config) -}}
{{- $veil := default dict (get $user "veil") -}}
{{- if hasKey $veil "master-key" -}}
{{- fail "config.veil.master-key: the chart sets it to ${VEIL_MASTER_KEY} from secrets.masterKey; remove it" -}}
{{- end -}}
{{- range $name, $provider := (default dict (get $veil "providers")) -}}
{{- if and (kindIs "map" $provider) (hasKey $provider "api-key") -}}
{{- $key := toString (get $provider "api-key") -}}
{{- if not (regexMatch "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" $key) -}}
{{- fail (printf "config.veil.providers.%s.api-key: write ${ENV_NAME} and take the variable from a Secret in secrets.env; the chart never holds a key" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $store := default dict (get $veil "store") -}}
{{- if and (kindIs "map" $store) (hasKey $store "password") -}}
{{- if not (regexMatch "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" (toString (get $store "password"))) -}}
{{- fail "config.veil.store.password: write ${ENV_NAME} and take the variable from a Secret in secrets.env; the chart never holds a password" -}}
{{- end -}}
{{- end -}}
{{- $reload := "signal" -}}
{{- if has .Values.configReload (list "watch" "both") -}}{{- $reload = "watch" -}}{{- end -}}
{{- $owned := dict
  "server" (dict "host" "0.0.0.0" "port" (int .Values.service.port))
  "veil" (dict
    "master-key" "${VEIL_MASTER_KEY}"
    "data-dir" "/var/lib/veil"
    "opa" (dict "url" (printf "http://127.0.0.1:%d" (int .Values.opa.port)))
    "management" (dict "host" "0.0.0.0" "port" (int .Values.management.port) "path" .Values.management.path)
    "shutdown" (dict "drain-delay" (printf "%ds" (int .Values.shutdown.drainDelaySeconds)) "deadline" (printf "%ds" (int .Values.shutdown.deadlineSeconds)))
    "reload" $reload) -}}
{{- toYaml (mustMergeOverwrite $user $owned) -}}
{{- end -}}

{{- define "veil.terminationGracePeriodSeconds" -}}
{{- $minimum := add (int .Values.shutdown.drainDelaySeconds) (int .Values.shutdown.deadlineSeconds) -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $minimum 10 -}}
{{- else if le (int .Values.terminationGracePeriodSeconds) $minimum -}}
{{- fail (printf "terminationGracePeriodSeconds %d must exceed shutdown.drainDelaySeconds + shutdown.deadlineSeconds (%d), or Kubernetes kills Veil before requests in flight finish" (int .Values.terminationGracePeriodSeconds) $minimum) -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}

{{- define "veil.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled -}}true{{- end -}}
{{- end -}}

{{/* OPA, as a native sidecar (an init container with restartPolicy: Always) or an ordinary container; called with
{opaArgs, Values}. */}}
{{- define "veil.opaContainer" }}
- name: opa
  image: {{ include "veil.image" .Values.opa.image }}
  imagePullPolicy: {{ .Values.opa.image.pullPolicy }}
  {{- if .Values.opa.nativeSidecar }}
  restartPolicy: Always
  {{- end }}
  args:
    {{- toYaml .opaArgs | nindent 4 }}
  {{- if and (eq .Values.opa.policySource "bundle") .Values.opa.bundle.tokenSecret.secretName }}
  env:
    - name: OPA_BUNDLE_TOKEN
      valueFrom:
        secretKeyRef:
          name: {{ .Values.opa.bundle.tokenSecret.secretName }}
          key: {{ .Values.opa.bundle.tokenSecret.key }}
  {{- end }}
  ports:
    - name: opa-diag
      containerPort: {{ .Values.opa.diagnosticPort }}
      protocol: TCP
  {{- /* OPA's /health answers 200 once the server is up; ?bundles also waits for the first bundle. */}}
  startupProbe:
    httpGet:
      path: {{ if eq .Values.opa.policySource "bundle" }}/health?bundles{{ else }}/health{{ end }}
      port: opa-diag
    periodSeconds: 2
    failureThreshold: 60
  livenessProbe:
    httpGet:
      path: /health
      port: opa-diag
    periodSeconds: 10
    failureThreshold: 3
  readinessProbe:
    httpGet:
      path: /health
      port: opa-diag
    periodSeconds: 5
    failureThreshold: 2
  resources:
    {{- toYaml .Values.opa.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  {{- if eq .Values.opa.policySource "configmap" }}
  volumeMounts:
    - name: policies
      mountPath: /policies
      readOnly: true
  {{- end }}
{{- end }}
