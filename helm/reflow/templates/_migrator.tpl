{{/*
The migrator Jobs, one per ClickHouse node. A named template so tests can render the hook text: helm template
leaves hooks out of the manifest it returns.
*/}}
{{- define "reflow.migratorJobs" -}}
{{- if .Values.migrator.enabled }}
{{- $m := .Values.migrator -}}
{{- $vars := dict "KAFKA_BROKERS" .Values.kafka.bootstrapServers -}}
{{- $replay := include "reflow.replaySettings" . | fromJson -}}
{{- with get $replay "topic.session-keys" }}
{{- $_ := set $vars "SESSION_KEYS_TOPIC" . }}
{{- end }}
{{- range $k, $v := $m.vars }}
{{- $_ := set $vars $k (include "reflow.flinkValue" $v) }}
{{- end }}
{{- range $i, $url := .Values.clickhouse.jdbcUrls }}
---
# Applies the ClickHouse migrations before the release installs or upgrades anything (one Job per node, run one
# after the other in hook-weight order). Already applied migrations are skipped; a changed one stops the release.
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "reflow.fullname" $ }}-migrate-{{ $i }}
  labels:
    {{- include "reflow.labels" (dict "root" $ "component" "migrator") | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: {{ $i | quote }}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $m.backoffLimit }}
  activeDeadlineSeconds: {{ $m.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "reflow.selectorLabels" (dict "root" $ "component" "migrator") | nindent 8 }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with $.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: migrator
          image: {{ include "reflow.image" $m.image }}
          imagePullPolicy: {{ $m.image.pullPolicy }}
          args:
            - --jdbc-url
            - {{ $url | quote }}
            - --variant
            - {{ $m.variant | quote }}
            {{- range $key := keys $vars | sortAlpha }}
            - --var
            - {{ printf "%s=%s" $key (get $vars $key) | quote }}
            {{- end }}
          {{- with $.Values.clickhouse.credentials.existingSecret }}
          env:
            - name: CLICKHOUSE_USER
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $.Values.clickhouse.credentials.userKey }}
            - name: CLICKHOUSE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ . }}
                  key: {{ $.Values.clickhouse.credentials.passwordKey }}
          {{- end }}
          resources:
            {{- toYaml $m.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
{{- end }}
{{- end }}
{{- end -}}
