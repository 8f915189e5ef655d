/**
 * Files Veil keeps private to its user, for every stage that writes one. Entry point:
 * {@link dev.veil.server.storage.PrivateFiles}.
 */
package dev.veil.server.storage;
