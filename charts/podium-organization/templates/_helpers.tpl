{{/* Names, labels and the environment of the organization's podium containers. */}}

{{/*
THE single place naming the environment variables read by `podium agent` and `podium worker`.
Change a name here and every container follows; the keys are this chart's own. The code's list is
podium.agent.node.ALL_VARIABLES (tests/deploy/test_drift.py compares them).
*/}}
{{- define "org.envNames" -}}
orchestratorTarget: PODIUM_ORCHESTRATOR_TARGET
orchestratorInsecure: PODIUM_ORCHESTRATOR_INSECURE
organization: PODIUM_ORGANIZATION
channel: PODIUM_CHANNEL
home: PODIUM_HOME
brokerUrl: PODIUM_BROKER_URL
tlsCA: PODIUM_TLS_CA
tlsCert: PODIUM_TLS_CERT
tlsKey: PODIUM_TLS_KEY
assetListen: PODIUM_ASSET_LISTEN
assetUrl: PODIUM_ASSET_URL
{{- end }}

{{- define "org.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "org.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "org.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "org.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
podium.io/organization: {{ .Values.organization.mspId | quote }}
{{- end }}

{{/* Selector labels; call with (dict "ctx" $ "component" "agent"). */}}
{{- define "org.selectorLabels" -}}
app.kubernetes.io/name: {{ include "org.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "org.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "org.paths.home" -}}/var/podium{{- end }}
{{- define "org.paths.tls" -}}/etc/podium/tls{{- end }}

{{- define "org.validate" -}}
{{- if not .Values.organization.mspId }}{{ fail "organization.mspId is required" }}{{ end }}
{{- if not .Values.orchestrator.target }}{{ fail "orchestrator.target (host:port) is required" }}{{ end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}{{ fail "tls.secretName is required when tls.enabled" }}{{ end }}
{{- if and (not .Values.redis.enabled) (not .Values.broker.externalUrlSecret.name) }}{{ fail "broker.externalUrlSecret.name is required when redis.enabled is false" }}{{ end }}
{{- end }}

{{/* Public base URL of the agent's asset server (registered as the organization's address). */}}
{{- define "org.assetUrl" -}}
{{- if .Values.agent.assetUrl }}{{ .Values.agent.assetUrl }}{{ else }}{{ if .Values.tls.enabled }}https{{ else }}http{{ end }}://{{ include "org.fullname" . }}-agent.{{ .Release.Namespace }}.svc:{{ .Values.agent.assetPort }}{{ end }}
{{- end }}

{{/* Environment of the agent and the workers; call with (dict "ctx" $). */}}
{{- define "org.env" -}}
{{- $n := include "org.envNames" .ctx | fromYaml -}}
{{- $v := .ctx.Values -}}
- name: {{ $n.orchestratorTarget }}
  value: {{ $v.orchestrator.target | quote }}
- name: {{ $n.organization }}
  value: {{ $v.organization.mspId | quote }}
- name: {{ $n.channel }}
  value: {{ $v.organization.channel | quote }}
- name: {{ $n.home }}
  value: {{ include "org.paths.home" .ctx | quote }}
- name: {{ $n.assetListen }}
  value: {{ printf "0.0.0.0:%d" (int $v.agent.assetPort) | quote }}
- name: {{ $n.assetUrl }}
  value: {{ include "org.assetUrl" .ctx | quote }}
- name: {{ $n.brokerUrl }}
{{- if $v.redis.enabled }}
  value: {{ printf "redis://%s-redis:6379/0" (include "org.fullname" .ctx) | quote }}
{{- else }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.broker.externalUrlSecret.name }}
      key: {{ $v.broker.externalUrlSecret.key }}
{{- end }}
{{- if $v.tls.enabled }}
- name: {{ $n.tlsCA }}
  value: {{ printf "%s/ca.crt" (include "org.paths.tls" .ctx) | quote }}
- name: {{ $n.tlsCert }}
  value: {{ printf "%s/tls.crt" (include "org.paths.tls" .ctx) | quote }}
- name: {{ $n.tlsKey }}
  value: {{ printf "%s/tls.key" (include "org.paths.tls" .ctx) | quote }}
{{- else }}
- name: {{ $n.orchestratorInsecure }}
  value: "true"
{{- end }}
{{- end }}

{{/* Pod spec shared by the agent and the workers; call with (dict "ctx" $ "command" "agent" "resources" ...). */}}
{{- define "org.podSpec" -}}
{{- $v := .ctx.Values -}}
automountServiceAccountToken: false
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .command }}
    image: {{ include "org.image" .ctx | quote }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    args: [{{ .command | quote }}, "--org", {{ $v.organization.mspId | quote }}]
    env:
      {{- include "org.env" (dict "ctx" .ctx) | nindent 6 }}
    {{- if eq .command "agent" }}
    ports:
      - name: assets
        containerPort: {{ $v.agent.assetPort }}
        protocol: TCP
    {{- end }}
    resources:
      {{- toYaml .resources | nindent 6 }}
    securityContext:
      {{- toYaml $v.containerSecurityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: home
        mountPath: {{ include "org.paths.home" .ctx }}
      {{- if $v.tls.enabled }}
      - name: tls
        mountPath: {{ include "org.paths.tls" .ctx }}
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir: {}
  - name: home
    persistentVolumeClaim:
      claimName: {{ default (printf "%s-storage" (include "org.fullname" .ctx)) $v.storage.existingClaim }}
  {{- if $v.tls.enabled }}
  - name: tls
    secret:
      secretName: {{ $v.tls.secretName }}
      items:
        - {key: ca.crt, path: ca.crt}
        - {key: tls.crt, path: tls.crt}
        - {key: tls.key, path: tls.key}
  {{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
