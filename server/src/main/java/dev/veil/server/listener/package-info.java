/**
 * Veil's HTTP/1 edge: the connection selector that serves HTTP/1.1 and HTTP/1.0 through Helidon's HTTP/1.1
 * connection, the deadlines on reading from clients (header, body and idle timeouts), and the answers to requests
 * too malformed to reach routing, each in the API's error shape.
 */
package dev.veil.server.listener;
