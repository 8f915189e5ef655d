package dev.veil.bench;

import java.util.concurrent.TimeUnit;

import dev.veil.server.policy.PolicyCheck;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One policy check at concurrency 1: input built, posted to a real OPA over loopback, decision applied; with and
 * without the decision cache (identical inputs, so with it every check after the first per second is a hit).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyCheckBenchmark {
    @Param({"false", "true"})
    boolean cache;

    private PolicyFixture fixture;

    @Setup
    public void setUp() {
        fixture = new PolicyFixture(cache);
    }

    @Benchmark
    public PolicyCheck.Checked check() {
        return fixture.checkOnce();
    }
}
