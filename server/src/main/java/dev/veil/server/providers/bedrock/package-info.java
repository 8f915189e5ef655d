/**
 * Amazon Bedrock's Converse API, SigV4-signed. Entry point: {@link dev.veil.server.providers.bedrock.BedrockAdapter}.
 */
package dev.veil.server.providers.bedrock;
