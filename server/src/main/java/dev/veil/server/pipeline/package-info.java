/**
 * Stage 3: the one request pipeline. Entry point: {@link dev.veil.server.pipeline.Pipeline}, which runs every operation
 * that can send data out through the same stages (authenticate, parse, admit, plugins, policy, zero retention,
 * dispatch, answer, audit, settle); {@link dev.veil.server.pipeline.Gateway} owns the components those stages use.
 */
package dev.veil.server.pipeline;
