package dev.veil.server.audit.export;

import java.util.List;

/** One destination: encodes records its way and delivers batches of them, whole or not at all. */
interface Sink extends AutoCloseable {
    /**
     * A record as this sink sends it, with the record it was made from (for what a batch's envelope needs of its
     * records, such as the node that wrote them).
     *
     * @param record the export document and its position
     * @param bytes what {@link #encode} made of it
     */
    record Encoded(ExportRecord record, byte[] bytes) {
    }

    /** {@code record} (the export document, {@link ExportRecord#json}) as this sink sends it. */
    byte[] encode(ExportRecord record);

    /**
     * Delivers {@code batch} (encoded by {@link #encode}, in chain order); returns once the sink has acknowledged it.
     *
     * @throws SinkException when it did not; the whole batch is then sent again
     */
    void deliver(List<Encoded> batch) throws SinkException;

    @Override
    void close();
}
