package dev.veil.server.audit.export;

import java.util.List;

/** One destination: encodes records its way and delivers batches of them, whole or not at all. */
interface Sink extends AutoCloseable {
    /** {@code record} (the export document, {@link ExportRecord#json}) as this sink sends it. */
    byte[] encode(ExportRecord record);

    /**
     * Delivers {@code batch} (encoded by {@link #encode}, in chain order); returns once the sink has acknowledged it.
     *
     * @throws SinkException when it did not; the whole batch is then sent again
     */
    void deliver(List<byte[]> batch) throws SinkException;

    @Override
    void close();
}
