/**
 * The {@code keys} and {@code usage} subcommands of the server jar ({@code java -jar veil-server.jar keys create ...},
 * what {@code ./veil keys} and {@code ./veil usage} run): a client of the admin API of a running Veil, never a second
 * writer of its data. Entry point: {@link dev.veil.server.cli.AdminCli}, which {@code Main} dispatches to; it sits
 * outside the request flow and depends on no other Veil package.
 */
package dev.veil.server.cli;
