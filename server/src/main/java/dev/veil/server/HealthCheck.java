package dev.veil.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container image's health check: {@code java -cp veil-server.jar dev.veil.server.HealthCheck [URL]} exits 0
 * when {@code GET URL} answers 200 within two seconds, else 1. It loads nothing of Veil and needs no shell or curl in
 * the image. The URL defaults to {@code VEIL_HEALTH_URL}, else {@code http://127.0.0.1:${VEIL_PORT:-8080}/health/live}.
 */
public final class HealthCheck {
    private static final int TIMEOUT_MILLIS = 2000;

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : defaultUrl();
        System.exit(healthy(url) ? 0 : 1);
    }

    private static String defaultUrl() {
        String configured = System.getenv("VEIL_HEALTH_URL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String port = System.getenv("VEIL_PORT");
        return "http://127.0.0.1:" + (port == null || port.isBlank() ? "8080" : port.trim()) + "/health/live";
    }

    static boolean healthy(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status == 200;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("veil health check: " + url + ": " + e.getClass().getSimpleName());
            return false;
        }
    }
}
