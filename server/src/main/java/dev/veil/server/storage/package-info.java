/**
 * Files Veil keeps private to its user. Entry point: {@link dev.veil.server.storage.PrivateFiles}.
 */
package dev.veil.server.storage;
