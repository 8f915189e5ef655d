package dev.veil.server.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.veil.server.testing.CapturedLogs;
import org.junit.jupiter.api.Test;

/** A client that sends garbage cannot flood the log: one line a minute per kind of protocol error. */
class ProtocolErrorLogTest {
    @Test
    void logsAKindAgainOnlyAfterAMinuteSayingHowManyItSkipped() {
        long[] now = {0};
        ProtocolErrors errors = new ProtocolErrors(() -> now[0]);
        try (CapturedLogs logs = CapturedLogs.open()) {
            errors.log("431 headers");
            now[0] = TimeUnit.SECONDS.toNanos(59);
            errors.log("431 headers");
            errors.log("431 headers");
            errors.log("400 malformed");
            now[0] = TimeUnit.SECONDS.toNanos(61);
            errors.log("431 headers");

            List<String> lines = logs.records().stream().filter(line -> line.contains("431 headers")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(1)).contains("2 more since the last");
            assertThat(logs.records().stream().filter(line -> line.contains("400 malformed"))).hasSize(1);
        }
    }
}
