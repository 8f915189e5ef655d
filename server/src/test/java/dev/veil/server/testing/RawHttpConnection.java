package dev.veil.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One TCP connection that speaks HTTP by hand, the way an HTTP/1.0 client or a load balancer's probe does, so that
 * tests see the exact framing Veil sends back (no client library hides chunked encoding or closes for us).
 */
public final class RawHttpConnection implements AutoCloseable {
    /** A guard against a hung server, not a measurement: a test fails rather than waits forever. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpConnection(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A response's status line and headers as sent, and its body read by the framing the headers announce. */
    public record Response(String statusLine, List<String> headerLines, byte[] body) {
        public int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        public Optional<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headerLines.stream()
                    .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim())
                    .findFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code head} (lines joined with CRLF, ending the header section) and then {@code body}. */
    public RawHttpConnection send(String head, String body) throws IOException {
        out.write((head + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    public RawHttpConnection send(String head) throws IOException {
        return send(head, "");
    }

    /** Sends {@code bytes} as they are: a request cut anywhere, or malformed in any way. */
    public RawHttpConnection sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawHttpConnection sendRaw(String text) throws IOException {
        return sendRaw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Reads one response: the body is {@code Content-Length} bytes when that header is present, a chunked body up to
     * its last chunk, framing kept so that a test sees it, and everything up to the server's close otherwise.
     */
    public Response read() throws IOException {
        String statusLine = line();
        List<String> headerLines = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            headerLines.add(line);
        }
        Response head = new Response(statusLine, headerLines, new byte[0]);
        Optional<String> length = head.header("Content-Length");
        byte[] body;
        if (length.isPresent()) {
            body = in.readNBytes(Integer.parseInt(length.get()));
        } else if (head.header("Transfer-Encoding").filter("chunked"::equalsIgnoreCase).isPresent()) {
            body = chunkedAsSent();
        } else {
            body = in.readAllBytes();
        }
        return new Response(statusLine, headerLines, body);
    }

    private byte[] chunkedAsSent() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (!body.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("Connection closed in the middle of a chunked body");
            }
            body.write(b);
        }
        return body.toByteArray();
    }

    /** Whether the server closed the connection: the next read finds the end of the stream. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            // A reset: closed with bytes of ours unread.
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("Connection closed in the middle of a response head: " + line);
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
