package dev.veil.plugins.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Target;
import org.junit.jupiter.api.RepeatedTest;

/** The breaker's guarantees under many concurrent requests, as on virtual threads in production. */
class TargetHealthConcurrencyTest {
    private static final Target GPT = Target.parse("openai/gpt-4o");
    private static final int REQUESTS = 64;

    private final FakeClock clock = new FakeClock();
    private final TargetHealth health = new TargetHealth(GPT, new Breaker(3, Duration.ofSeconds(10),
            Duration.ofSeconds(30)), Duration.ofSeconds(60), System.getLogger("test"), clock.getAsLong());

    @RepeatedTest(20)
    void exactlyOneConcurrentRequestGetsTheHalfOpenTargetAsItsProbe() throws Exception {
        for (int i = 0; i < 3; i++) {
            health.record(failure(), false, clock.getAsLong());
        }
        assertThat(health.admit(clock.getAsLong(), true)).isEqualTo(TargetHealth.Admission.BLOCKED);
        clock.advance(Duration.ofSeconds(30));
        assertThat(admissions()).filteredOn(admission -> admission == TargetHealth.Admission.PROBE).hasSize(1);
    }

    @RepeatedTest(20)
    void concurrentFailuresOpenTheCircuitForOneCooldown() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                threads.submit(() -> {
                    start.await();
                    health.record(failure(), false, clock.getAsLong());
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(health.admit(clock.getAsLong(), true)).isEqualTo(TargetHealth.Admission.BLOCKED);
        clock.advance(Duration.ofSeconds(30));
        assertThat(health.admit(clock.getAsLong(), true)).isEqualTo(TargetHealth.Admission.PROBE);
    }

    private List<TargetHealth.Admission> admissions() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TargetHealth.Admission>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return health.admit(clock.getAsLong(), true);
                }));
            }
            start.countDown();
        }
        List<TargetHealth.Admission> admissions = new ArrayList<>();
        for (Future<TargetHealth.Admission> future : futures) {
            admissions.add(future.get());
        }
        return admissions;
    }

    private static Attempt failure() {
        return Attempt.of(GPT, Attempt.Result.OVERLOADED, Duration.ofMillis(5));
    }
}
