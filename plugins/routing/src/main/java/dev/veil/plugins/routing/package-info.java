/**
 * The {@code routing} plugin: strategies, weights, breakers. Entry point:
 * {@link dev.veil.plugins.routing.RoutingFactory}.
 */
package dev.veil.plugins.routing;
