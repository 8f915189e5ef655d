package dev.veil.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

/**
 * The raw-socket HTTP/1.1 server under the provider fakes: it reads requests (fixed-length or chunked bodies),
 * keeps them for assertions, and lets a handler answer with a whole body or a chunked stream written piece by piece.
 * Raw sockets, so that a fake can also misbehave the way networks do (cut a stream off, reset a connection).
 */
public final class FakeHttpServer implements AutoCloseable {

    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    /** A request as the server received it. */
    public record Received(String method, String target, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The path without the query. */
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        public String query() {
            int query = target.indexOf('?');
            return query < 0 ? "" : target.substring(query + 1);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final String scheme;
    private final Handler handler;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();

    public FakeHttpServer(Handler handler) throws IOException {
        this(handler, new ServerSocket(0, 512, InetAddress.getLoopbackAddress()), "http");
    }

    /** A server that speaks HTTPS with the key and certificate of {@code tls}. */
    public FakeHttpServer(Handler handler, SSLContext tls) throws IOException {
        this(handler, tls.getServerSocketFactory().createServerSocket(0, 512, InetAddress.getLoopbackAddress()),
                "https");
    }

    private FakeHttpServer(Handler handler, ServerSocket server, String scheme) {
        this.handler = handler;
        this.server = server;
        this.scheme = scheme;
        threads.submit(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String origin() {
        return scheme + "://127.0.0.1:" + port();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received lastReceived() {
        return received.get(received.size() - 1);
    }

    /** How many TCP connections clients opened: fewer than requests means connections were reused. */
    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                sockets.add(socket);
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Received request = read(in);
                if (request == null) {
                    return;
                }
                received.add(request);
                Exchange exchange = new Exchange(request, out, socket);
                handler.handle(exchange);
                if (exchange.closed) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            sockets.remove(socket);
        }
    }

    private static Received read(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0;
                 size = Integer.parseInt(line(in).trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            line(in);
            body = chunks.toByteArray();
        } else {
            body = new byte[0];
        }
        return new Received(parts[0], parts[1], Map.copyOf(headers), body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
    }

    /** One request being answered. */
    public static final class Exchange {
        private final Received request;
        private final OutputStream out;
        private final Socket socket;
        private boolean closed;

        Exchange(Received request, OutputStream out, Socket socket) {
            this.request = request;
            this.out = out;
            this.socket = socket;
        }

        public Received request() {
            return request;
        }

        /** A whole response with {@code Content-Length}. */
        public void respond(int status, String contentType, byte[] body, Map<String, String> headers)
                throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" Status\r\nContent-Type: ")
                    .append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        /** Starts a 200 response with a chunked body of {@code contentType}. */
        public void startChunked(String contentType) throws IOException {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n"
                    + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Writes one chunk of the body and flushes it. */
        public void chunk(byte[] data) throws IOException {
            out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(data);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Writes one server-sent event, optionally named. */
        public void event(String name, String data) throws IOException {
            chunk(((name == null ? "" : "event: " + name + "\n") + "data: " + data + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
        }

        public void endChunked() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /**
         * Starts a 200 response of {@code contentType} whose body ends when the connection closes: neither
         * {@code Content-Length} nor chunking, as HTTP/1.1 allows. Write the body with {@link #write}, end it with
         * {@link #close}.
         */
        public void startUntilClose(String contentType) throws IOException {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nCache-Control: no-cache\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Writes bytes of the body as they are, and flushes them. */
        public void write(byte[] data) throws IOException {
            out.write(data);
            out.flush();
        }

        /** Resets the connection (TCP RST) rather than closing it cleanly. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            close();
        }

        /** Closes the connection (after a cut-off stream, for example). */
        public void close() throws IOException {
            socket.close();
            closed = true;
        }
    }
}
