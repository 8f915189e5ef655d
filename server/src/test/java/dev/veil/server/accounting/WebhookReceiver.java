package dev.veil.server.accounting;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/** A local HTTP server that records the bodies POSTed to it, standing in for an alerting webhook. */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final LinkedBlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            count.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    String await() throws InterruptedException {
        String body = bodies.poll(10, TimeUnit.SECONDS);
        if (body == null) {
            throw new AssertionError("no webhook call within 10s");
        }
        return body;
    }

    int count() {
        return count.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
