{{/*
The S3 lifecycle configuration of the recordings bucket (docs/PRIVACY.md "Retention"): one expiry rule per retention
prefix, a day after the class (a batch file's newest block can be up to a day younger than the file), and one
AbortIncompleteMultipartUpload rule under the recordings prefix, then extraRules. Bucket and prefix come from the
replay job's output.base (s3://bucket/prefix). The classes and days are io.reflow.contracts.RetentionClass's.
*/}}
{{- define "reflow.s3LifecycleTarget" -}}
{{- $base := get (include "reflow.replaySettings" . | fromJson) "output.base" | default "" -}}
{{- if not (regexMatch "^s3a?://[^/]+" $base) -}}
{{- fail (printf "s3Lifecycle needs jobs.replay.settings.output.base as s3://bucket/prefix, not %q" $base) -}}
{{- end -}}
{{- $bucket := regexReplaceAll "^s3a?://([^/]+).*$" $base "${1}" -}}
{{- $prefix := regexReplaceAll "^s3a?://[^/]+/?" $base "" | trimSuffix "/" -}}
{{- toJson (dict "bucket" $bucket "prefix" (ternary "" (printf "%s/" $prefix) (empty $prefix))) -}}
{{- end -}}

{{- define "reflow.s3LifecycleRules" -}}
{{- $target := include "reflow.s3LifecycleTarget" . | fromJson -}}
{{- $rules := list -}}
{{- range $class := list (list "30d" 30) (list "90d" 90) (list "1y" 365) (list "5y" 1825) }}
{{- $rule := dict "ID" (printf "reflow-recordings-%s" (index $class 0)) "Status" "Enabled"
      "Filter" (dict "Prefix" (printf "%s%s/" $target.prefix (index $class 0)))
      "Expiration" (dict "Days" (add1 (index $class 1))) }}
{{- $rules = append $rules $rule }}
{{- end }}
{{- $abort := dict "ID" "reflow-recordings-abort-incomplete-uploads" "Status" "Enabled"
      "Filter" (dict "Prefix" $target.prefix)
      "AbortIncompleteMultipartUpload" (dict "DaysAfterInitiation" (int .Values.s3Lifecycle.abortIncompleteMultipartUploadDays)) }}
{{- $rules = append $rules $abort }}
{{- range .Values.s3Lifecycle.extraRules }}
{{- $rules = append $rules . }}
{{- end }}
{{- toPrettyJson (dict "Rules" $rules) -}}
{{- end -}}

{{/* The hook Job that puts the rules on the bucket. A named template so tests can render the hook text. */}}
{{- define "reflow.s3LifecycleJob" -}}
{{- if .Values.s3Lifecycle.enabled }}
{{- $l := .Values.s3Lifecycle -}}
{{- $target := include "reflow.s3LifecycleTarget" . | fromJson -}}
{{- $s3Env := include "reflow.s3Env" . }}
---
# Puts the recordings' lifecycle rules (ConfigMap {{ include "reflow.fullname" . }}-s3-lifecycle) on the bucket after
# every install and upgrade. It replaces the bucket's whole lifecycle configuration.
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "reflow.fullname" . }}-s3-lifecycle
  labels:
    {{- include "reflow.labels" (dict "root" . "component" "s3-lifecycle") | nindent 4 }}
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $l.backoffLimit }}
  activeDeadlineSeconds: {{ $l.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "reflow.selectorLabels" (dict "root" . "component" "s3-lifecycle") | nindent 8 }}
    spec:
      restartPolicy: Never
      {{- with $l.serviceAccount }}
      serviceAccountName: {{ . }}
      {{- else }}
      automountServiceAccountToken: false
      {{- end }}
      {{- with .Values.imagePullSecrets }}
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
        - name: put-bucket-lifecycle
          image: {{ include "reflow.image" $l.image }}
          imagePullPolicy: {{ $l.image.pullPolicy }}
          args:
            - s3api
            - put-bucket-lifecycle-configuration
            - --bucket
            - {{ $target.bucket | quote }}
            - --lifecycle-configuration
            - file:///etc/reflow/s3-lifecycle/rules.json
            {{- with .Values.s3.endpoint }}
            - --endpoint-url
            - {{ . | quote }}
            {{- end }}
          env:
            - name: HOME
              value: /tmp
            - name: AWS_CONFIG_FILE
              value: /etc/reflow/s3-lifecycle/aws-config
            {{- if trim $s3Env }}
            {{- $s3Env | nindent 12 }}
            {{- end }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests:
              cpu: 50m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          volumeMounts:
            - name: rules
              mountPath: /etc/reflow/s3-lifecycle
              readOnly: true
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: rules
          configMap:
            name: {{ include "reflow.fullname" . }}-s3-lifecycle
        - name: tmp
          emptyDir: {}
{{- end }}
{{- end -}}
