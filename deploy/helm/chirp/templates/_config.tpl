{{/*
A service's non-secret variables, as the YAML of a ConfigMap's data:
(dict "root" $root "service" "users"). All of them are variables the code
reads (SERVICE_ENVIRONMENT_VARIABLES of @chirp/platform, plus
GATEWAY_ENVIRONMENT_VARIABLES for the gateway and
TIMELINE_ENVIRONMENT_VARIABLES for the timeline); JWT_SECRET, MONGODB_URL
and REDIS_URL come from the Secret (deployment.yaml).
*/}}
{{- define "chirp.configData" -}}
{{- $root := .root }}
{{- $service := .service }}
{{- $values := index $root.Values $service }}
{{- $env := dict
  "NODE_ENV" "production"
  "HOST" "0.0.0.0"
  "PORT" (include "chirp.envValue" $values.port)
  "WORKERS" (include "chirp.envValue" $values.workers)
  "LOG_LEVEL" $root.Values.config.logLevel
  "METRICS_EMF" (ternary "on" "off" $root.Values.config.metricsEmf)
  "REDIS_KEY_PREFIX" $root.Values.redis.keyPrefix
}}
{{- if $root.Values.redis.cluster }}{{ $_ := set $env "REDIS_CLUSTER" "true" }}{{ end }}
{{- with $root.Values.config.rateLimits }}{{ $_ := set $env "RATE_LIMITS" . }}{{ end }}
{{- with $root.Values.config.jwtIssuer }}{{ $_ := set $env "JWT_ISSUER" . }}{{ end }}
{{- if eq $service "gateway" }}
{{- range $subgraph := splitList " " (include "chirp.subgraphs" $root) }}
{{- $_ := set $env (printf "%s_URL" (upper $subgraph)) (printf "http://%s:%s/graphql" (include "chirp.serviceName" (dict "root" $root "service" $subgraph)) (include "chirp.envValue" (index $root.Values $subgraph).port)) }}
{{- end }}
{{- $_ := set $env "TRUST_PROXY" (include "chirp.envValue" $values.trustProxy) }}
{{- $_ := set $env "GRAPHQL_INTROSPECTION" (ternary "true" "false" $values.introspection) }}
{{- if not $values.web }}{{ $_ := set $env "WEB_DIR" "" }}{{ end }}
{{- else }}
{{- $_ := set $env "KAFKA_BROKERS" $root.Values.kafka.brokers }}
{{- with $root.Values.kafka.topicPrefix }}{{ $_ := set $env "KAFKA_TOPIC_PREFIX" . }}{{ end }}
{{- with $root.Values.kafka.partitions }}{{ $_ := set $env "KAFKA_PARTITIONS" (include "chirp.envValue" .) }}{{ end }}
{{- with $root.Values.kafka.replicationFactor }}{{ $_ := set $env "KAFKA_REPLICATION_FACTOR" (include "chirp.envValue" .) }}{{ end }}
{{- $_ := set $env "MONGODB_DB_PREFIX" $root.Values.mongodb.dbPrefix }}
{{- with $root.Values.mongodb.maxPoolSize }}{{ $_ := set $env "MONGODB_MAX_POOL_SIZE" (include "chirp.envValue" .) }}{{ end }}
{{- end }}
{{- if eq $service "timeline" }}
{{- with $values.settings.maxLength }}{{ $_ := set $env "TIMELINE_MAX_LENGTH" (include "chirp.envValue" .) }}{{ end }}
{{- with $values.settings.activeDays }}{{ $_ := set $env "TIMELINE_ACTIVE_DAYS" (include "chirp.envValue" .) }}{{ end }}
{{- with $values.settings.celebrityFollowers }}{{ $_ := set $env "TIMELINE_CELEBRITY_FOLLOWERS" (include "chirp.envValue" .) }}{{ end }}
{{- end }}
{{- /* Media: the users subgraph stores pictures; the gateway serves them (disk) or must not (s3). */}}
{{- if has $service (list "users" "gateway") }}
{{- $_ := set $env "MEDIA_STORAGE" $root.Values.media.storage }}
{{- with include "chirp.mediaBaseUrl" $root }}{{ $_ := set $env "MEDIA_BASE_URL" . }}{{ end }}
{{- if eq $root.Values.media.storage "disk" }}
{{- $_ := set $env "MEDIA_DIR" $root.Values.media.disk.mountPath }}
{{- else }}
{{- $_ := set $env "S3_BUCKET" $root.Values.media.s3.bucket }}
{{- $_ := set $env "S3_REGION" $root.Values.media.s3.region }}
{{- with $root.Values.media.s3.endpoint }}{{ $_ := set $env "S3_ENDPOINT" . }}{{ end }}
{{- end }}
{{- end }}
{{- range $name, $value := $values.env }}
{{- $_ := set $env $name (include "chirp.envValue" $value) }}
{{- end }}
{{- range $name := keys $env | sortAlpha }}
{{ $name }}: {{ index $env $name | quote }}
{{- end }}
{{- end }}
