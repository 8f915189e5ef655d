package dev.veil.server.cli;

/** A failure the CLI reports as one {@code veil: ...} line on stderr, with its exit code. */
final class CliFailure extends RuntimeException {
    private final int exitCode;

    CliFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
