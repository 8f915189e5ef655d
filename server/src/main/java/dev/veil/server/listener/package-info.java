/**
 * Stage 1: Veil's HTTP/1 edge. Entry point: {@link dev.veil.server.listener.Http1xConnectionSelector}, which serves
 * HTTP/1.1 and HTTP/1.0 through Helidon's HTTP/1.1 connection, with deadlines on reading from clients (header, body and
 * idle timeouts) and answers to requests too malformed to reach routing, each in the API's error shape
 * ({@link dev.veil.server.listener.ProtocolErrors}).
 */
package dev.veil.server.listener;
