/**
 * Files Veil keeps private to its user, for every stage that writes one, and the schema versions of the databases Veil
 * writes. Entry points: {@link dev.veil.server.storage.PrivateFiles}, {@link dev.veil.server.storage.SqliteSchema},
 * {@link dev.veil.server.storage.PostgresSchema}.
 */
package dev.veil.server.storage;
