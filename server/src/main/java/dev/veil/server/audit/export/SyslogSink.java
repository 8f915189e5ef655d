package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.veil.server.config.AuditExportConfig;

/**
 * RFC 5424 messages over TCP with TLS (RFC 5425), octet-counting framing (RFC 6587 3.4.1): each message is sent as
 * its length in bytes, a space, and the message. The MSG part is the export document. TCP syslog has no
 * acknowledgement: a batch counts as delivered once it is written and flushed to the TLS connection, and a
 * connection the receiver has closed is noticed before the next batch is written to it.
 */
final class SyslogSink implements Sink {
    private static final int SEVERITY_INFORMATIONAL = 6;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);

    private final AuditExportConfig.Syslog config;
    private final SSLContext tls;
    private final Duration timeout;
    private final String prefix;
    private SSLSocket socket;
    private OutputStream out;

    SyslogSink(AuditExportConfig.Syslog config, SSLContext tls, Duration timeout) {
        this.config = config;
        this.tls = tls;
        this.timeout = timeout;
        this.prefix = "<" + (config.facility() * 8 + SEVERITY_INFORMATIONAL) + ">1 ";
    }

    @Override
    public byte[] encode(ExportRecord record) {
        return message(prefix, record.createdMillis(), record.nodeId().orElse("-"), config.appName(),
                structuredData(config.structuredData()), record.json());
    }

    /** An RFC 5424 message: header, structured data, and {@code msg} as the MSG part. */
    static byte[] message(String priorityAndVersion, long millis, String host, String appName, String structuredData,
                          byte[] msg) {
        byte[] header = (priorityAndVersion + TIMESTAMP.format(Instant.ofEpochMilli(millis)) + " " + host + " "
                + appName + " - audit " + structuredData + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[header.length + msg.length];
        System.arraycopy(header, 0, message, 0, header.length);
        System.arraycopy(msg, 0, message, header.length, msg.length);
        return message;
    }

    /** The SD elements, or the nil value {@code -}; parameter values escaped as RFC 5424 6.3.3 asks. */
    static String structuredData(Map<String, Map<String, String>> elements) {
        if (elements.isEmpty()) {
            return "-";
        }
        StringBuilder sd = new StringBuilder();
        elements.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(element -> {
            sd.append('[').append(element.getKey());
            element.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(param -> sd.append(' ')
                    .append(param.getKey()).append("=\"").append(param.getValue().replace("\\", "\\\\")
                            .replace("\"", "\\\"").replace("]", "\\]")).append('"'));
            sd.append(']');
        });
        return sd.toString();
    }

    /** Octet-counting framing: the message's length in bytes, a space, the message. */
    static byte[] frame(byte[] message) {
        byte[] length = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[length.length + message.length];
        System.arraycopy(length, 0, framed, 0, length.length);
        System.arraycopy(message, 0, framed, length.length, message.length);
        return framed;
    }

    @Override
    public void deliver(List<Encoded> batch) throws SinkException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (Encoded message : batch) {
            frames.writeBytes(frame(message.bytes()));
        }
        try {
            if (socket != null && closedByPeer()) {
                disconnect();
            }
            if (socket == null) {
                connect();
            }
            out.write(frames.toByteArray());
            out.flush();
        } catch (IOException e) {
            disconnect();
            throw new SinkException("syslog " + config.host() + ":" + config.port() + ": " + describe(e));
        }
    }

    private void connect() throws IOException {
        SSLSocket created = (SSLSocket) tls.getSocketFactory().createSocket();
        try {
            created.connect(new InetSocketAddress(config.host(), config.port()), (int) timeout.toMillis());
            created.setSoTimeout((int) timeout.toMillis());
            SSLParameters parameters = created.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            created.setSSLParameters(parameters);
            created.startHandshake();
        } catch (IOException e) {
            created.close();
            throw e;
        }
        socket = created;
        out = created.getOutputStream();
    }

    /**
     * Whether the receiver closed the connection: a syslog receiver never writes, so anything but a read timeout
     * means the connection is gone, and what would be written to it now could be lost without an error.
     */
    private boolean closedByPeer() {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            in.read();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            try {
                if (socket != null && !socket.isClosed()) {
                    socket.setSoTimeout((int) timeout.toMillis());
                }
            } catch (IOException ignored) {
                // The next write reports it.
            }
        }
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing more to do.
            }
        }
        socket = null;
        out = null;
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }

    @Override
    public void close() {
        disconnect();
    }
}
