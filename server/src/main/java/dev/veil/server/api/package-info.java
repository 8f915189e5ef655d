/**
 * The HTTP surfaces and the one request pipeline they share. Entry point: {@link dev.veil.server.pipeline.Pipeline}, which
 * runs every operation that can send data out through the same stages; {@link dev.veil.server.api.Routes} declares
 * every route and refuses a provider route outside the pipeline.
 */
package dev.veil.server.api;
