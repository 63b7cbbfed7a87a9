# Sourced by bin/ scripts that run the local module's classpath: builds it when missing or older than the
# sources, then sets $reflow_classpath.
classpath_file=local/target/local.classpath
if [ ! -f "$classpath_file" ] || [ -n "$(find pom.xml ./*/pom.xml runtimes ./*/src sql-schemas/clickhouse \
      -newer "$classpath_file" -type f -print -quit 2>/dev/null)" ]; then
  echo "building (first run, or the sources changed)…" >&2
  mvn -B -q package -DskipTests -pl local -am >&2
fi
reflow_classpath="local/target/classes:local/target/lib/*:$(cat "$classpath_file")"
