{{/*
Chart name, truncated to a DNS label.
*/}}
{{- define "flotilla.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or <release> when it already contains the chart name.
*/}}
{{- define "flotilla.fullname" -}}
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

{{/*
Chart label value.
*/}}
{{- define "flotilla.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource. Context: the root context.
*/}}
{{- define "flotilla.labels" -}}
helm.sh/chart: {{ include "flotilla.chart" . }}
{{ include "flotilla.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | toString | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: flotilla
{{- end }}

{{/*
Selector labels of the release. Context: the root context.
*/}}
{{- define "flotilla.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flotilla.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of one component's resources (<fullname>-<component>, at most 63 characters; the longest
component, pubsub-ingester, is 15). Context: dict "root" $ "name" <component>.
*/}}
{{- define "flotilla.componentName" -}}
{{- printf "%s-%s" (include "flotilla.fullname" .root | trunc 47 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of one component. Context: dict "root" $ "name" <component>.
*/}}
{{- define "flotilla.componentLabels" -}}
{{ include "flotilla.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
Selector labels of one component. Context: dict "root" $ "name" <component>.
*/}}
{{- define "flotilla.componentSelectorLabels" -}}
{{ include "flotilla.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
The image reference. Context: the root context.
*/}}
{{- define "flotilla.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository ((default .Chart.AppVersion .Values.image.tag) | toString) }}
{{- end -}}
{{- end }}

{{/*
ServiceAccount of the services. Context: the root context.
*/}}
{{- define "flotilla.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flotilla.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Secret holding DATABASE_URL, FLOTILLA_ADMIN_TOKEN and FLOTILLA_ENCRYPTION_KEY. Context: the root context.
*/}}
{{- define "flotilla.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "flotilla.fullname" . }}
{{- end }}
{{- end }}

{{/*
Secret the migration Job reads DATABASE_URL from:
  migrations.existingSecret, else secrets.existingSecret when no migrations.databaseUrl is given,
  else the chart's hook Secret <fullname>-migrate.
Context: the root context.
*/}}
{{- define "flotilla.migrationsSecretName" -}}
{{- if .Values.migrations.existingSecret }}
{{- .Values.migrations.existingSecret }}
{{- else if and .Values.secrets.existingSecret (not .Values.migrations.databaseUrl) }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "flotilla.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/*
Whether the chart must create the hook Secret for the migration Job ("true" or "").
*/}}
{{- define "flotilla.migrationsSecretCreate" -}}
{{- if and .Values.migrations.enabled (not .Values.migrations.existingSecret) (or .Values.migrations.databaseUrl (not .Values.secrets.existingSecret)) -}}
true
{{- end -}}
{{- end }}

{{/*
A scalar value as a plain string. Whole numbers print as integers (YAML numbers reach templates as
float64, which would otherwise print 1000000 as 1e+06); null prints as "". Context: the value.
*/}}
{{- define "flotilla.scalar" -}}
{{- if kindIs "invalid" . -}}
{{- else if kindIs "float64" . -}}
{{- if eq . (float64 (int64 .)) -}}
{{- int64 . | toString }}
{{- else -}}
{{- toString . }}
{{- end -}}
{{- else -}}
{{- toString . }}
{{- end -}}
{{- end }}

{{/*
A value rendered as a quoted environment string (see flotilla.scalar). Context: the value.
*/}}
{{- define "flotilla.envValue" -}}
{{- include "flotilla.scalar" . | quote }}
{{- end }}

{{/*
Comma-separated Kafka bootstrap list (KAFKA_BROKERS), validated. Context: a list of host:port.
*/}}
{{- define "flotilla.kafkaBrokers" -}}
{{- $brokers := list }}
{{- range . }}
{{- $b := toString . | trim }}
{{- if not (regexMatch "^[^:\\s]+:[0-9]+$" $b) }}
{{- fail (printf "kafka.brokers: %q is not host:port" $b) }}
{{- end }}
{{- $brokers = append $brokers $b }}
{{- end }}
{{- if not $brokers }}
{{- fail "kafka.brokers is required: a list of host:port (e.g. --set kafka.brokers='{kafka-0:9092,kafka-1:9092}')" }}
{{- end }}
{{- join "," $brokers }}
{{- end }}

{{/*
The SHUTDOWN_TIMEOUT_MS a service runs with (its env override, else shutdown.timeoutMs), in ms.
Context: dict "root" $ "svc" <service values>.
*/}}
{{- define "flotilla.shutdownTimeoutMs" -}}
{{- $ms := .root.Values.shutdown.timeoutMs }}
{{- with .svc.env }}
{{- if hasKey . "SHUTDOWN_TIMEOUT_MS" }}
{{- $ms = index . "SHUTDOWN_TIMEOUT_MS" }}
{{- end }}
{{- end }}
{{- int64 $ms }}
{{- end }}

{{/*
terminationGracePeriodSeconds of a service: longer than the preStop sleep plus the service's own
shutdown timeout, so Kubernetes never SIGKILLs a service that is still draining.
Context: dict "root" $ "name" <component> "svc" <service values>.
*/}}
{{- define "flotilla.terminationGracePeriodSeconds" -}}
{{- $timeoutS := div (add (int64 (include "flotilla.shutdownTimeoutMs" .)) 999) 1000 }}
{{- $preStop := int64 .root.Values.shutdown.preStopSleepSeconds }}
{{- $minimum := add $timeoutS $preStop }}
{{- if .svc.terminationGracePeriodSeconds }}
{{- if le (int64 .svc.terminationGracePeriodSeconds) $minimum }}
{{- fail (printf "services.%s.terminationGracePeriodSeconds (%d) must exceed preStop sleep + shutdown timeout (%d s)" .name (int64 .svc.terminationGracePeriodSeconds) $minimum) }}
{{- end }}
{{- int64 .svc.terminationGracePeriodSeconds }}
{{- else }}
{{- add $minimum (int64 .root.Values.shutdown.extraGraceSeconds) }}
{{- end }}
{{- end }}

{{/*
Partition count of a topic in kafkaTopics.topics (0 when not listed). Context: dict "root" $ "topic" <name>.
*/}}
{{- define "flotilla.topicPartitions" -}}
{{- $n := 0 }}
{{- range .root.Values.kafkaTopics.topics }}
{{- if eq .name $.topic }}
{{- $n = int64 .partitions }}
{{- end }}
{{- end }}
{{- $n }}
{{- end }}
