{{/*
The services, in the order their resources are rendered. Each has a block
of the same name in values.yaml.
*/}}
{{- define "chirp.services" -}}
gateway users tweets timeline notifications
{{- end }}

{{- define "chirp.subgraphs" -}}
users tweets timeline notifications
{{- end }}

{{- define "chirp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
`<release>-<chart>`, or the release's name alone when it already contains
the chart's; at most 50 characters, so that `-notifications` still fits in
a name of 63.
*/}}
{{- define "chirp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A service's resources' name: (dict "root" $ "service" "users"). */}}
{{- define "chirp.serviceName" -}}
{{- printf "%s-%s" (include "chirp.fullname" .root) .service }}
{{- end }}

{{- define "chirp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource of the release. */}}
{{- define "chirp.labels" -}}
helm.sh/chart: {{ include "chirp.chart" . }}
app.kubernetes.io/name: {{ include "chirp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ default .Chart.AppVersion .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: chirp
{{- end }}

{{/* Labels of one service's resources: (dict "root" $ "service" "users"). */}}
{{- define "chirp.serviceLabels" -}}
{{ include "chirp.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* What selects one service's pods: (dict "root" $ "service" "users"). */}}
{{- define "chirp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chirp.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* A service's image: (dict "root" $ "service" "users"). */}}
{{- define "chirp.image" -}}
{{- $image := (index .root.Values .service).image }}
{{- $registry := default .root.Values.image.registry $image.registry | trimSuffix "/" }}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $image.tag }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry $image.repository $tag }}
{{- else }}
{{- printf "%s:%s" $image.repository $tag }}
{{- end }}
{{- end }}

{{- define "chirp.secretName" -}}
{{- default (printf "%s-secrets" (include "chirp.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{- define "chirp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chirp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "chirp.mediaClaimName" -}}
{{- default (printf "%s-media" (include "chirp.fullname" .)) .Values.media.disk.existingClaim }}
{{- end }}

{{/* Whether a service keeps media on the shared disk: (dict "root" $ "service" "users"). */}}
{{- define "chirp.usesMediaDisk" -}}
{{- if and (eq .root.Values.media.storage "disk") (has .service (list "users" "gateway")) }}true{{ end }}
{{- end }}

{{/*
A value as an environment variable's text. Helm reads numbers in values as
float64, which print as 1e+06: whole numbers are printed as integers.
*/}}
{{- define "chirp.envValue" -}}
{{- if kindIs "float64" . }}
{{- if eq . (floor .) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else }}
{{- . }}
{{- end }}
{{- end }}

{{/* MEDIA_BASE_URL: the value, else (disk) the gateway's public origin. */}}
{{- define "chirp.mediaBaseUrl" -}}
{{- if .Values.media.baseUrl }}
{{- .Values.media.baseUrl }}
{{- else if eq .Values.media.storage "disk" }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- end }}
{{- end }}

{{/*
Every check of the values that Kubernetes would not make, in one place
(rendered by every template that depends on them through configmap.yaml).
*/}}
{{- define "chirp.validate" -}}
{{- if not (has .Values.media.storage (list "disk" "s3")) }}
{{- fail (printf "media.storage must be disk or s3 (got %q)" .Values.media.storage) }}
{{- end }}
{{- if and (eq .Values.media.storage "s3") (not .Values.media.s3.bucket) }}
{{- fail "media.storage=s3 needs media.s3.bucket" }}
{{- end }}
{{- if and (eq .Values.media.storage "disk") (not .Values.media.baseUrl) (not .Values.ingress.enabled) }}
{{- fail "media.storage=disk without the Ingress needs media.baseUrl: the gateway's public origin, where pictures are served under /media" }}
{{- end }}
{{- if and (not .Values.secrets.existingSecret) .Values.jwtSecret (lt (len .Values.jwtSecret) 32) }}
{{- fail "jwtSecret must be at least 32 characters (production refuses a shorter key); or leave it empty to have one generated" }}
{{- end }}
{{- if not .Values.secrets.existingSecret }}
{{- if not .Values.mongodb.url }}{{ fail "mongodb.url is required (or secrets.existingSecret)" }}{{ end }}
{{- if not .Values.redis.url }}{{ fail "redis.url is required (or secrets.existingSecret)" }}{{ end }}
{{- end }}
{{- if not .Values.kafka.brokers }}
{{- fail "kafka.brokers is required: host:port,host:port" }}
{{- end }}
{{- $drainSeconds := 10 }}
{{- $least := add .Values.shutdown.preStopSleepSeconds $drainSeconds 10 }}
{{- if lt (int .Values.shutdown.terminationGracePeriodSeconds) (int $least) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%v) must be at least preStopSleepSeconds + %d s of drain + 10 s of closing = %d" .Values.shutdown.terminationGracePeriodSeconds $drainSeconds (int $least)) }}
{{- end }}
{{- end }}
