{{/* Names, labels and the environment of the podium containers. */}}

{{- define "podium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "podium.fullname" -}}
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

{{- define "podium.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "podium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels; call with (dict "ctx" $ "component" "server"). */}}
{{- define "podium.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podium.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "podium.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "podium.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "podium.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "podium.tlsSecretName" -}}
{{- default (printf "%s-server-tls" (include "podium.fullname" .)) .Values.tls.secretName }}
{{- end }}

{{- define "podium.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "podium.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "podium.postgresql.secretName" -}}
{{- default (include "podium.postgresql.fullname" .) .Values.postgresql.existingSecret }}
{{- end }}

{{/* The database URL without password (libpq reads it from PGPASSWORD, so it needs no escaping). */}}
{{- define "podium.databaseUrl" -}}
{{- if .Values.postgresql.enabled -}}
postgresql+psycopg://{{ .Values.postgresql.username }}@{{ include "podium.postgresql.fullname" . }}:5432/{{ .Values.postgresql.database }}
{{- else -}}
{{- $db := .Values.database.external -}}
{{- if not $db.host }}{{ fail "database.external.host is required when postgresql.enabled is false" }}{{ end -}}
postgresql+psycopg://{{ $db.username }}@{{ $db.host }}:{{ $db.port }}/{{ $db.database }}{{ if $db.parameters }}?{{ $db.parameters }}{{ end }}
{{- end -}}
{{- end }}

{{/* Environment shared by `podium migrate` and `podium serve`: the database. */}}
{{- define "podium.databaseEnv" -}}
- name: PODIUM_DATABASE_URL
  value: {{ include "podium.databaseUrl" . | quote }}
{{- if .Values.postgresql.enabled }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "podium.postgresql.secretName" . }}
      key: password
{{- else if .Values.database.external.passwordSecret.name }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.external.passwordSecret.name }}
      key: {{ .Values.database.external.passwordSecret.key }}
{{- end }}
{{- end }}

{{/* Mount points inside the server container. */}}
{{- define "podium.paths.channels" -}}/etc/podium/channels/channels.yaml{{- end }}
{{- define "podium.paths.tls" -}}/etc/podium/tls{{- end }}
{{- define "podium.paths.serverCA" -}}/etc/podium/server-ca{{- end }}
{{- define "podium.paths.clientCA" -}}/etc/podium/client-ca{{- end }}

{{/*
The whole environment of `podium serve`: every PODIUM_* variable the chart sets is here (the chart's
drift test checks each one is read by the code; see docs/configuration.md).
*/}}
{{- define "podium.serverEnv" -}}
{{ include "podium.databaseEnv" . }}
- name: PODIUM_LISTEN
  value: "0.0.0.0:9000"
- name: PODIUM_HTTP_LISTEN
  value: "0.0.0.0:8484"
- name: PODIUM_CHANNEL_CONFIG
  value: {{ include "podium.paths.channels" . | quote }}
- name: PODIUM_LOG_LEVEL
  value: {{ .Values.server.logLevel | quote }}
- name: PODIUM_THREADS
  value: {{ .Values.server.threads | quote }}
- name: PODIUM_MAX_MESSAGE_BYTES
  value: {{ .Values.server.maxMessageBytes | int64 | quote }}
- name: PODIUM_TX_RETRY_BUDGET_SECONDS
  value: {{ .Values.server.txRetryBudgetSeconds | quote }}
- name: PODIUM_REPLAY_BATCH_SIZE
  value: {{ .Values.server.replayBatchSize | quote }}
- name: PODIUM_SHUTDOWN_GRACE_SECONDS
  value: {{ .Values.server.shutdownGraceSeconds | quote }}
- name: PODIUM_KEEPALIVE_TIME_SECONDS
  value: {{ .Values.server.keepalive.timeSeconds | quote }}
- name: PODIUM_KEEPALIVE_TIMEOUT_SECONDS
  value: {{ .Values.server.keepalive.timeoutSeconds | quote }}
- name: PODIUM_KEEPALIVE_MIN_TIME_SECONDS
  value: {{ .Values.server.keepalive.minTimeSeconds | quote }}
- name: PODIUM_KEEPALIVE_PERMIT_WITHOUT_STREAM
  value: {{ .Values.server.keepalive.permitWithoutStream | quote }}
{{- if .Values.tls.enabled }}
- name: PODIUM_TLS_CERT
  value: {{ printf "%s/tls.crt" (include "podium.paths.tls" .) | quote }}
- name: PODIUM_TLS_KEY
  value: {{ printf "%s/tls.key" (include "podium.paths.tls" .) | quote }}
{{- if .Values.tls.mtls.enabled }}
- name: PODIUM_MTLS
  value: "true"
{{- if .Values.tls.mtls.serverCA.secretName }}
- name: PODIUM_TLS_SERVER_CA
  value: {{ printf "%s/%s" (include "podium.paths.serverCA" .) .Values.tls.mtls.serverCA.key | quote }}
{{- end }}
{{- if .Values.tls.mtls.clientCAs }}
- name: PODIUM_TLS_CLIENT_CA_DIR
  value: {{ include "podium.paths.clientCA" . | quote }}
{{- end }}
{{- if .Values.tls.mtls.verifyClientMspId }}
- name: PODIUM_VERIFY_CLIENT_MSP_ID
  value: "true"
{{- end }}
{{- end }}
{{- else }}
- name: PODIUM_INSECURE
  value: "true"
{{- end }}
{{- with .Values.server.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Refuse contradictory TLS values at render time (the server would refuse them at start). */}}
{{- define "podium.validate" -}}
{{- if and .Values.tls.mtls.enabled (not .Values.tls.enabled) }}{{ fail "tls.mtls.enabled needs tls.enabled" }}{{ end }}
{{- if and .Values.tls.mtls.enabled (not .Values.tls.mtls.clientCAs) (not .Values.tls.mtls.serverCA.secretName) }}{{ fail "tls.mtls.enabled needs tls.mtls.clientCAs or tls.mtls.serverCA.secretName" }}{{ end }}
{{- if and .Values.tls.mtls.verifyClientMspId (not (and .Values.tls.mtls.enabled .Values.tls.mtls.clientCAs)) }}{{ fail "tls.mtls.verifyClientMspId needs tls.mtls.enabled and tls.mtls.clientCAs" }}{{ end }}
{{- if and .Values.tls.certManager.enabled (not .Values.tls.certManager.issuerRef.name) }}{{ fail "tls.certManager.issuerRef.name is required" }}{{ end }}
{{- if not .Values.channels }}{{ fail "channels must list at least one channel" }}{{ end }}
{{- end }}

{{/* Egress rules of pods that talk to the database: DNS, then PostgreSQL (bundled or external). */}}
{{- define "podium.networkPolicy.databaseEgress" -}}
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
- ports:
    - {port: 5432, protocol: TCP}
  {{- if .Values.postgresql.enabled }}
  to:
    - podSelector:
        matchLabels:
          {{- include "podium.selectorLabels" (dict "ctx" . "component" "postgresql") | nindent 10 }}
  {{- else if .Values.networkPolicy.databaseCIDR }}
  to:
    - ipBlock:
        cidr: {{ .Values.networkPolicy.databaseCIDR }}
  {{- end }}
{{- end }}
