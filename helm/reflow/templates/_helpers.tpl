{{- define "reflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "reflow.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "component" "capture"). */}}
{{- define "reflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: reflow
{{ include "reflow.selectorLabels" . }}
{{- end -}}

{{- define "reflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reflow.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* repository:tag of an image block; a tag is required so a release never floats on "latest". */}}
{{- define "reflow.image" -}}
{{- if not .tag -}}
{{- fail (printf "image %s needs a tag" .repository) -}}
{{- end -}}
{{- printf "%s:%s" .repository (toString .tag) -}}
{{- end -}}

{{- define "reflow.teamRegistryName" -}}
{{- if .Values.teamRegistry.existingSecret -}}
{{- .Values.teamRegistry.existingSecret -}}
{{- else if .Values.teamRegistry.existingConfigMap -}}
{{- .Values.teamRegistry.existingConfigMap -}}
{{- else -}}
{{- printf "%s-teams" (include "reflow.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Flattens a nested map into dotted keys with string values, the way Flink reads its configuration:
(dict "prefix" "" "value" $map "out" $dict) fills $dict.
*/}}
{{- define "reflow.flatten" -}}
{{- $out := .out -}}
{{- $prefix := .prefix -}}
{{- range $key, $value := .value -}}
{{- $full := ternary $key (printf "%s.%s" $prefix $key) (empty $prefix) -}}
{{- if kindIs "map" $value -}}
{{- include "reflow.flatten" (dict "prefix" $full "value" $value "out" $out) -}}
{{- else -}}
{{- $_ := set $out $full (include "reflow.flinkValue" $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One configuration value as Flink writes it: lists joined with ';', whole numbers without exponent. */}}
{{- define "reflow.flinkValue" -}}
{{- if kindIs "slice" . -}}
{{- join ";" . -}}
{{- else if kindIs "float64" . -}}
{{- if eq (floor .) . -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}

{{/*
Settings from flink-conf/config.yaml that describe the local cluster (bin/local) and must not reach Kubernetes:
addresses and process sizes are the operator's, S3 endpoint and keys come from values and Secrets.
*/}}
{{- define "reflow.flinkLocalOnlyKeys" -}}
jobmanager.rpc.address jobmanager.bind-host taskmanager.bind-host taskmanager.host rest.address rest.bind-address jobmanager.memory.process.size taskmanager.memory.process.size s3.endpoint s3.path.style.access s3.access-key s3.secret-key s3.access.key s3.secret.key fs.s3a.access.key fs.s3a.secret.key
{{- end -}}

{{/* The flinkConfiguration of one job as YAML; call with (dict "root" $ "name" "replay" "job" $job). */}}
{{- define "reflow.flinkConfiguration" -}}
{{- $root := .root -}}
{{- $file := $root.Files.Get "files/flink-conf.yaml" -}}
{{- if not $file -}}
{{- fail "files/flink-conf.yaml is missing (it links to flink-conf/config.yaml)" -}}
{{- end -}}
{{- $conf := dict -}}
{{- include "reflow.flatten" (dict "prefix" "" "value" (fromYaml $file) "out" $conf) -}}
{{- range splitList " " (include "reflow.flinkLocalOnlyKeys" .) -}}
{{- $_ := unset $conf . -}}
{{- end -}}
{{- $base := trimSuffix "/" $root.Values.flink.stateBase -}}
{{- $_ := set $conf "execution.checkpointing.dir" (printf "%s/checkpoints/%s" $base .name) -}}
{{- $_ := set $conf "execution.checkpointing.savepoint-dir" (printf "%s/savepoints/%s" $base .name) -}}
{{- if $root.Values.flink.highAvailability -}}
{{- $_ := set $conf "high-availability.type" "kubernetes" -}}
{{- $_ := set $conf "high-availability.storageDir" (printf "%s/ha/%s" $base .name) -}}
{{- end -}}
{{- with $root.Values.s3.endpoint -}}
{{- $_ := set $conf "s3.endpoint" . -}}
{{- end -}}
{{- with $root.Values.s3.region -}}
{{- $_ := set $conf "s3.endpoint.region" . -}}
{{- end -}}
{{- $_ := set $conf "s3.path.style.access" (toString $root.Values.s3.pathStyleAccess) -}}
{{- include "reflow.flatten" (dict "prefix" "" "value" $root.Values.flink.configuration "out" $conf) -}}
{{- include "reflow.flatten" (dict "prefix" "" "value" (.job.configuration | default dict) "out" $conf) -}}
{{- toYaml $conf -}}
{{- end -}}

{{/* AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the S3 Secret (read by the S3 filesystem's default credential chain). */}}
{{- define "reflow.s3Env" -}}
{{- with .Values.s3.credentials.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.credentials.accessKeyKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.s3.credentials.secretKeyKey }}
{{- end }}
{{- with .Values.s3.region }}
- name: AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Where the replay job's pods find the master key (a Secret volume), and the file the job reads. */}}
{{- define "reflow.masterKeyDir" -}}
/etc/reflow/master-key
{{- end -}}

{{- define "reflow.masterKeyFile" -}}
{{- printf "%s/master.key" (include "reflow.masterKeyDir" .) -}}
{{- end -}}

{{/* The replay job's settings flattened to dotted keys, with the chart's defaults; call with the root. */}}
{{- define "reflow.replaySettings" -}}
{{- $settings := dict -}}
{{- include "reflow.flatten" (dict "prefix" "" "value" (.Values.jobs.replay.settings | default dict) "out" $settings) -}}
{{- toJson $settings -}}
{{- end -}}
