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
Secret holding DATABASE_URL, FLOTILLA_ADMIN_TOKEN, FLOTILLA_ENCRYPTION_KEY (and KAFKA_SASL_PASSWORD).
Context: the root context.
*/}}
{{- define "flotilla.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "flotilla.fullname" . }}
{{- end }}
{{- end }}

{{/*
Whether the services need KAFKA_SASL_PASSWORD ("true" or ""): SASL plain and scram-*.
*/}}
{{- define "flotilla.kafkaSaslPasswordNeeded" -}}
{{- if has (lower (toString .Values.kafka.sasl.mechanism)) (list "plain" "scram-sha-256" "scram-sha-512") -}}
true
{{- end -}}
{{- end }}

{{/*
The Kafka TLS files to mount, as a list of {key, path} for the Secret volume (empty: TLS with the
system roots only, nothing to mount). From kafka.tls.existingSecret, the configured keys (an empty
key name leaves that file out); from values, the PEMs given. Context: the root context.
*/}}
{{- define "flotilla.kafkaTlsItems" -}}
{{- $tls := .Values.kafka.tls }}
{{- $items := list }}
{{- if $tls.enabled }}
{{- $fromSecret := not (empty $tls.existingSecret) }}
{{- if and $tls.caKey (or $fromSecret $tls.ca) }}
{{- $items = append $items (dict "key" $tls.caKey "path" "ca.crt" "env" "KAFKA_SSL_CA_FILE") }}
{{- end }}
{{- if and $tls.certKey $tls.keyKey (or $fromSecret $tls.cert) }}
{{- $items = append $items (dict "key" $tls.certKey "path" "tls.crt" "env" "KAFKA_SSL_CERT_FILE") }}
{{- $items = append $items (dict "key" $tls.keyKey "path" "tls.key" "env" "KAFKA_SSL_KEY_FILE") }}
{{- end }}
{{- end }}
{{- toJson $items }}
{{- end }}

{{/*
"true" when Kafka TLS files are mounted. Context: the root context.
*/}}
{{- define "flotilla.kafkaTlsFiles" -}}
{{- if fromJsonArray (include "flotilla.kafkaTlsItems" .) -}}
true
{{- end -}}
{{- end }}

{{/*
The Secret the Kafka TLS files come from. Context: the root context.
*/}}
{{- define "flotilla.kafkaTlsSecretName" -}}
{{- default (printf "%s-kafka-tls" (include "flotilla.fullname" . | trunc 53 | trimSuffix "-")) .Values.kafka.tls.existingSecret }}
{{- end }}

{{/*
Where the Kafka TLS files are mounted in the services' and the topic Job's containers.
*/}}
{{- define "flotilla.kafkaTlsDir" -}}
/etc/flotilla/kafka-tls
{{- end }}

{{/*
Kafka connection settings of the services and the topic Job (ConfigMap entries, name: value).
Context: the root context.
*/}}
{{- define "flotilla.kafkaSecurityEnv" -}}
{{- $kafka := .Values.kafka }}
{{- $mechanism := lower (toString $kafka.sasl.mechanism) }}
KAFKA_SSL: {{ ternary "true" "false" (eq (toString $kafka.tls.enabled) "true") | quote }}
{{- range fromJsonArray (include "flotilla.kafkaTlsItems" .) }}
{{ .env }}: {{ printf "%s/%s" (include "flotilla.kafkaTlsDir" $) .path | quote }}
{{- end }}
{{- if $mechanism }}
KAFKA_SASL_MECHANISM: {{ $mechanism | quote }}
{{- if eq $mechanism "oauthbearer" }}
{{- if not $kafka.tls.enabled }}
{{- fail "kafka.sasl.mechanism=oauthbearer (AWS MSK IAM) needs kafka.tls.enabled=true" }}
{{- end }}
KAFKA_SASL_OAUTHBEARER_PROVIDER: "aws-msk-iam"
KAFKA_SASL_AWS_REGION: {{ required "kafka.sasl.awsRegion is required for oauthbearer (AWS MSK IAM)" $kafka.sasl.awsRegion | quote }}
{{- with $kafka.sasl.awsRoleArn }}
KAFKA_SASL_AWS_ROLE_ARN: {{ . | quote }}
{{- end }}
{{- else }}
KAFKA_SASL_USERNAME: {{ required (printf "kafka.sasl.username is required for %s" $mechanism) $kafka.sasl.username | quote }}
{{- end }}
{{- end }}
KAFKA_IDEMPOTENT_PRODUCER: {{ ternary "true" "false" (eq (toString $kafka.idempotentProducer) "true") | quote }}
{{- end }}

{{/*
The Kafka TLS volume (a Secret volume with the mounted items), or nothing. Context: the root context.
*/}}
{{- define "flotilla.kafkaTlsVolume" -}}
{{- if include "flotilla.kafkaTlsFiles" . }}
- name: kafka-tls
  secret:
    secretName: {{ include "flotilla.kafkaTlsSecretName" . }}
    defaultMode: 0440
    items:
      {{- range fromJsonArray (include "flotilla.kafkaTlsItems" .) }}
      - key: {{ .key }}
        path: {{ .path }}
      {{- end }}
{{- end }}
{{- end }}

{{/*
The Kafka TLS volume mount, or nothing. Context: the root context.
*/}}
{{- define "flotilla.kafkaTlsVolumeMount" -}}
{{- if include "flotilla.kafkaTlsFiles" . }}
- name: kafka-tls
  mountPath: {{ include "flotilla.kafkaTlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
KAFKA_SASL_PASSWORD from the services' Secret, or nothing. Context: the root context.
*/}}
{{- define "flotilla.kafkaSaslPasswordEnv" -}}
{{- if include "flotilla.kafkaSaslPasswordNeeded" . }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "flotilla.secretName" . }}
      key: {{ .Values.secrets.keys.kafkaSaslPassword }}
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
