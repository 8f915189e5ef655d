package dev.veil.server.listener;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

/**
 * The connection as Helidon's HTTP/1.1 connection sees it: the same socket, router and listener, with requests read
 * through {@link ClientReads} (under the client timeouts) and, when the client speaks HTTP/1.0, translated by a
 * {@link RequestTranslator}, with each response written through the {@link ResponseTranslator} of the request it
 * answers.
 */
final class ClientContext implements ConnectionContext {
    private final ConnectionContext connection;
    private final Http1xConnection owner;
    private final ClientReads reads;
    private final DataReader reader;
    private final DataWriter writer;

    private ClientContext(ConnectionContext connection, Http1xConnection owner, ClientReads reads, DataReader reader,
                          DataWriter writer) {
        this.connection = connection;
        this.owner = owner;
        this.reads = reads;
        this.reader = reader;
        this.writer = writer;
    }

    /** For a client that speaks HTTP/1.1: its bytes as they come, its responses as Helidon writes them. */
    static ClientContext http11(ConnectionContext connection, Http1xConnection owner, ClientReads reads) {
        return new ClientContext(connection, owner, reads, reads.reader(), connection.dataWriter());
    }

    /** For a client that speaks HTTP/1.0, translated both ways. */
    static ClientContext http10(ConnectionContext connection, Http1xConnection owner, ClientReads reads,
                                int maxHeadLength, long maxBodyBytes) {
        RequestTranslator requests = new RequestTranslator(reads.reader(), authority(connection.localPeer()),
                maxHeadLength, maxBodyBytes);
        return new ClientContext(connection, owner, reads, DataReader.create(requests),
                new TranslatingWriter(connection.dataWriter(), requests));
    }

    ClientReads reads() {
        return reads;
    }

    Http1xConnection owner() {
        return owner;
    }

    /** The listener's own address as a {@code Host} value. */
    private static String authority(PeerInfo local) {
        SocketAddress address = local.address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            if (inet.getAddress() instanceof Inet6Address) {
                int zone = host.indexOf('%');
                host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
            }
            return host + ":" + inet.getPort();
        }
        return "localhost";
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return connection.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return connection.executor();
    }

    @Override
    public Router router() {
        return connection.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return connection.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return connection.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return connection.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return connection.localPeer();
    }

    @Override
    public boolean isSecure() {
        return connection.isSecure();
    }

    @Override
    public String socketId() {
        return connection.socketId();
    }

    @Override
    public String childSocketId() {
        return connection.childSocketId();
    }

    /** Writes each piece of a response as the translator of the request it answers makes it. */
    private static final class TranslatingWriter implements DataWriter {
        private final DataWriter socket;
        private final RequestTranslator requests;

        TranslatingWriter(DataWriter socket, RequestTranslator requests) {
            this.socket = socket;
            this.requests = requests;
        }

        @Override
        public void write(BufferData... buffers) {
            BufferData[] translated = translate(buffers);
            if (translated.length > 0) {
                socket.write(translated);
            }
        }

        @Override
        public void write(BufferData buffer) {
            BufferData translated = requests.response().translate(buffer);
            if (translated.available() > 0) {
                socket.write(translated);
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            BufferData[] translated = translate(buffers);
            if (translated.length > 0) {
                socket.writeNow(translated);
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            BufferData translated = requests.response().translate(buffer);
            if (translated.available() > 0) {
                socket.writeNow(translated);
            }
        }

        @Override
        public void flush() {
            socket.flush();
        }

        private BufferData[] translate(BufferData[] buffers) {
            ResponseTranslator response = requests.response();
            List<BufferData> translated = new ArrayList<>(buffers.length);
            for (BufferData buffer : buffers) {
                BufferData piece = response.translate(buffer);
                if (piece.available() > 0) {
                    translated.add(piece);
                }
            }
            return translated.toArray(BufferData[]::new);
        }
    }
}
