/**
 * Stage 2: routing. Entry point: {@link dev.veil.server.api.Routes}, which declares every route, refuses a provider route
 * that does not run through the pipeline, and answers unknown paths and methods in the caller's error shape. The
 * surfaces themselves live in {@code api.openai} and {@code api.anthropic}.
 */
package dev.veil.server.api;
