package dev.veil.server.audit.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.AuditExportConfig;
import dev.veil.server.config.ConfigException;

class AuditExportConfigTest {
    @TempDir
    Path dir;

    @Test
    void sinksAreReadWithTheirDefaults() throws Exception {
        Path token = Files.writeString(dir.resolve("hec-token"), "tok-1\n");
        AuditExportConfig export = ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: siem, kind: syslog, host: siem.example.com}
                      - {name: splunk, kind: hec, url: "https://splunk.example.com:8088", token-file: "%s"}
                      - {name: hook, kind: webhook, url: "https://hooks.example.com/audit", headers: {X-Key: k}}
                """.formatted(token))).export();

        assertThat(export.sinks()).extracting(AuditExportConfig.Sink::name).containsExactly("siem", "splunk", "hook");
        AuditExportConfig.Syslog syslog = (AuditExportConfig.Syslog) export.sinks().get(0).target();
        assertThat(syslog.port()).isEqualTo(6514);
        assertThat(syslog.facility()).isEqualTo(16);
        assertThat(syslog.appName()).isEqualTo("veil");
        AuditExportConfig.Hec hec = (AuditExportConfig.Hec) export.sinks().get(1).target();
        assertThat(hec.url()).hasToString("https://splunk.example.com:8088/services/collector/event");
        assertThat(hec.token().reveal()).isEqualTo("tok-1");
        assertThat(export.sinks().get(0).delivery()).isEqualTo(AuditExportConfig.Delivery.defaults());
    }

    @Test
    void noExportMeansNoSinks() throws Exception {
        String yaml = ExportFixtures.yaml(dir, "").replace("    export:\n", "");

        assertThat(ExportFixtures.audit(yaml).export().sinks()).isEmpty();
    }

    @Test
    void unknownKindNamesTheKeyAndTheKinds() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: siem, kind: kafka}
                """))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.export[0].kind").hasMessageContaining("syslog, hec, webhook or otlp");
    }

    @Test
    void otlpIsReadWithItsDefaults() throws Exception {
        AuditExportConfig export = ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp, endpoint: "http://otel-collector:4318/", headers: {X-Key: k}}
                """)).export();

        AuditExportConfig.Otlp otlp = (AuditExportConfig.Otlp) export.sinks().get(0).target();
        assertThat(otlp.endpoint()).hasToString("http://otel-collector:4318/v1/logs");
        assertThat(otlp.encoding()).isEqualTo(AuditExportConfig.OtlpEncoding.PROTOBUF);
        assertThat(otlp.headers().get("X-Key").reveal()).isEqualTo("k");
        assertThat(otlp.tls()).isEqualTo(AuditExportConfig.Tls.SYSTEM);
        assertThat(export.sinks().get(0).delivery()).isEqualTo(AuditExportConfig.Delivery.defaults());
    }

    @Test
    void otlpEndpointKeepsItsPathAndEndsInV1Logs() throws Exception {
        AuditExportConfig export = ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: a, kind: otlp, endpoint: "https://gateway.example.com/otel", encoding: json}
                      - {name: b, kind: otlp, endpoint: "https://gateway.example.com/otel/v1/logs"}
                """)).export();

        assertThat(export.sinks()).extracting(sink -> ((AuditExportConfig.Otlp) sink.target()).endpoint().toString())
                .containsExactly("https://gateway.example.com/otel/v1/logs",
                        "https://gateway.example.com/otel/v1/logs");
        assertThat(((AuditExportConfig.Otlp) export.sinks().get(0).target()).encoding())
                .isEqualTo(AuditExportConfig.OtlpEncoding.JSON);
    }

    @Test
    void otlpWithoutEndpointNamesTheKey() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("veil.audit.export[0].endpoint")
                .hasMessageContaining("4318");
    }

    @Test
    void otlpWithAnotherEncodingNamesTheKeyAndTheChoices() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp, endpoint: "http://c:4318", encoding: grpc}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("veil.audit.export[0].encoding")
                .hasMessageContaining("protobuf").hasMessageContaining("json");
    }

    @Test
    void otlpWithAQueryInItsEndpointIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp, endpoint: "http://c:4318?api-key=very-secret"}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("veil.audit.export[0].endpoint")
                .hasMessageNotContaining("very-secret");
    }

    @Test
    void otlpRefusesAHecSetting() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: otel, kind: otlp, endpoint: "http://c:4318", token: t}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("token");
    }

    @Test
    void syslogWithoutHostNamesTheKey() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: siem, kind: syslog}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("veil.audit.export[0].host");
    }

    @Test
    void missingCaFileNamesTheKeyAndTheFix() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: siem, kind: syslog, host: h, ca-file: /nonexistent/ca.pem}
                """))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.export[0].ca-file").hasMessageContaining("PEM file");
    }

    @Test
    void twoSinksWithOneNameAreRefused() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: siem, kind: syslog, host: a}
                      - {name: siem, kind: syslog, host: b}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("names two sinks");
    }

    @Test
    void hecWithTokenAndTokenFileIsRefusedWithoutShowingTheToken() throws Exception {
        Path token = Files.writeString(dir.resolve("hec-token"), "tok-1\n");
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: s, kind: hec, url: "http://h:8088", token: "very-secret-token", token-file: "%s"}
                """.formatted(token)))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("exactly one").hasMessageNotContaining("very-secret-token");
    }

    @Test
    void unreadableTokenFileNamesTheKey() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: s, kind: hec, url: "http://h:8088", token-file: /nonexistent/token}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("veil.audit.export[0].token-file");
    }

    @Test
    void clientCertificateWithoutKeyIsRefused() throws Exception {
        Path cert = Files.writeString(dir.resolve("client.pem"), "x");
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: s, kind: syslog, host: h, client-cert-file: "%s"}
                """.formatted(cert)))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.export[0].client-key-file");
    }

    @Test
    void unknownSettingIsRefused() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: s, kind: syslog, host: h, url: "http://x"}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("url");
    }

    @Test
    void badFacilityNamesTheChoices() {
        assertThatThrownBy(() -> ExportFixtures.audit(ExportFixtures.yaml(dir, """
                      - {name: s, kind: syslog, host: h, facility: local9}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("local0 to local7");
    }
}
