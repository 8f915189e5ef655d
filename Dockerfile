# syntax=docker/dockerfile:1
# Veil's container image: a jlink-trimmed Java runtime, the server jar and its libs, no shell, a non-root user, and
# one writable volume. The last stage copies the tree deploy/image/build-layout makes, which `./veil test` also starts
# without a container (deploy/image/test-layout). See docs/deploy.md.
#
#   docker build -t veil:0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --read-only -v veil-data:/var/lib/veil -p 8080:8080 -p 9464:9464 \
#       -v "$PWD/veil.yaml:/etc/veil/veil.yaml:ro" veil:0.1.0 --config /etc/veil/veil.yaml

FROM maven:3.9.9-eclipse-temurin-21 AS build
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests package -pl server -am && deploy/image/build-layout /layout

FROM gcr.io/distroless/base-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="Veil" \
      org.opencontainers.image.description="Self-hosted, OpenAI-compatible LLM gateway for regulated teams" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="gcr.io/distroless/base-debian12:nonroot"
COPY --from=build --chown=0:0 /layout/opt/veil /opt/veil
COPY --from=build --chown=65532:65532 /layout/var/lib/veil /var/lib/veil
# The JVM writes its temporary files (sqlite-jdbc's native library) into the data volume: the root filesystem is
# meant to be read-only (docker run --read-only, readOnlyRootFilesystem: true).
ENV VEIL_HOST=0.0.0.0 \
    VEIL_DATA_DIR=/var/lib/veil \
    JDK_JAVA_OPTIONS=-Djava.io.tmpdir=/var/lib/veil
USER 65532:65532
WORKDIR /opt/veil
VOLUME ["/var/lib/veil"]
EXPOSE 8080 9464
# java itself asks /health/live (VEIL_HEALTH_URL, or VEIL_PORT on loopback): no shell, no curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/veil/runtime/bin/java", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx32m", \
         "-cp", "/opt/veil/veil-server.jar", "dev.veil.server.HealthCheck"]
ENTRYPOINT ["/opt/veil/runtime/bin/java", "@/opt/veil/jvm.args"]
