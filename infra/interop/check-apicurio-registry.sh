#!/usr/bin/env bash
# Interoperability check (not part of mvn verify: it downloads ~160 MB from Maven Central the first time and
# takes 1.5 to 3 minutes): our schema registry client against Apicurio Registry's Confluent-compatible API.
#   1. fetches Apicurio Registry's own distribution from Maven Central (io.apicurio:apicurio-registry-app,
#      classifier "all", type tar.gz: the Quarkus fast-jar app Apicurio's release build packs) through a small
#      pom written into a temporary directory, and unpacks it there
#   2. starts it on free loopback ports with its default in-memory storage (H2) and, as Confluent ships, the
#      global compatibility level BACKWARD (Apicurio's own default is none)
#   3. runs every check of RegistryConformance (infra/launcher test sources; the same checks the build runs
#      against our embedded registry) against http://127.0.0.1:<port>/apis/ccompat/v7, printing PASS/FAIL
#   4. stops Apicurio and exits with the checks' result (0: all passed)
# Apicurio 3 is built for Java 21: a JDK 21 or newer is taken from APICURIO_JAVA_HOME, else from /usr/lib/jvm.
# Environment: APICURIO_VERSION (default 3.3.3, the one tried; 2.x is configured differently),
# APICURIO_GLOBAL_COMPATIBILITY (default BACKWARD; empty: Apicurio's default),
# MVN_ARGS (extra Maven arguments, e.g. -o once everything is in the local repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="${APICURIO_VERSION:-3.3.3}"
level="${APICURIO_GLOBAL_COMPATIBILITY-BACKWARD}"
mvn_args=(-B -q -Dstyle.color=never ${MVN_ARGS:-})
work="$(mktemp -d)"
started=$SECONDS
cleanup() {
  if [[ -n "${apicurio_pid:-}" ]] && kill -0 "$apicurio_pid" 2>/dev/null; then
    kill "$apicurio_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$apicurio_pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$apicurio_pid" 2>/dev/null || true
    wait "$apicurio_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { split($2, v, "."); print v[1] }'; }
apicurio_java=""
for candidate in ${APICURIO_JAVA_HOME:+"$APICURIO_JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
  [[ -x "$candidate" ]] || continue
  major="$(java_major "$candidate" || true)"
  if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 21 )); then apicurio_java="$candidate"; break; fi
done
[[ -n "$apicurio_java" ]] || { echo "Apicurio Registry $version needs Java 21 or newer: none in APICURIO_JAVA_HOME or /usr/lib/jvm"; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
management_port=$(free_port)
while [[ "$management_port" == "$port" ]]; do management_port=$(free_port); done

echo "== Apicurio Registry $version from Maven Central"
cat > "$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.interop</groupId>
  <artifactId>apicurio-registry-distribution</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
        <executions>
          <execution>
            <id>unpack-apicurio</id>
            <phase>package</phase>
            <goals><goal>unpack</goal></goals>
            <configuration>
              <artifactItems>
                <artifactItem>
                  <groupId>io.apicurio</groupId>
                  <artifactId>apicurio-registry-app</artifactId>
                  <version>$version</version>
                  <type>tar.gz</type>
                  <classifier>all</classifier>
                  <outputDirectory>$work/apicurio</outputDirectory>
                </artifactItem>
              </artifactItems>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
mvn "${mvn_args[@]}" -f "$work/pom.xml" package
[[ -f "$work/apicurio/quarkus-run.jar" ]] || { echo "the distribution has no quarkus-run.jar"; exit 1; }

echo "== our registry client and its conformance checks (mvn test-compile)"
# build-classpath writes its file in every module of the reactor; infra/launcher's is the one used
(cd "$root" && mvn "${mvn_args[@]}" -DskipTests -pl infra/launcher -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/conformance-classpath.txt)
launcher="$root/infra/launcher/target"
classpath="$launcher/test-classes:$launcher/classes:$(cat "$launcher/conformance-classpath.txt")"

echo "== starting Apicurio Registry $version on 127.0.0.1:$port (Java $(java_major "$apicurio_java"), global compatibility ${level:-none set, Apicurio default})"
(cd "$work/apicurio" && exec "$apicurio_java" -Xmx1g \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$management_port" \
  ${level:+-Dapicurio.rules.global.compatibility="$level"} \
  -jar quarkus-run.jar) > "$work/apicurio.log" 2>&1 &
apicurio_pid=$!
url="http://127.0.0.1:$port/apis/ccompat/v7"
ready=""
deadline=$((SECONDS + 120))
while (( SECONDS < deadline )); do
  if curl -fsS --max-time 2 "http://127.0.0.1:$management_port/health/ready" > /dev/null 2>&1 \
      && curl -fsS --max-time 2 "$url/subjects" > /dev/null 2>&1; then ready=yes; break; fi
  kill -0 "$apicurio_pid" 2>/dev/null || break
  sleep 1
done
[[ -n "$ready" ]] || { tail -50 "$work/apicurio.log"; echo "Apicurio Registry did not become ready within 120 s"; exit 1; }
grep -m1 "started in" "$work/apicurio.log" | sed 's/^.*) //' || true

echo "== registry conformance of our client against $url"
status=0
timeout 600 java -cp "$classpath" org.aidcmp.infra.launcher.RegistryConformanceMain "$url" || status=$?
echo "== done in $((SECONDS - started)) s: $([[ $status == 0 ]] && echo "every check passed" || echo "FAILED (exit $status)")"
exit "$status"
