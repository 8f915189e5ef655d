package dev.veil.plugins.cache;

import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLParameters;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * The shared tier's Redis (or Valkey), through a Jedis connection pool. Every operation, waiting for a pooled
 * connection and connecting included, is bounded by the configured timeout, so that a slow or missing Redis costs a
 * request that much at most. After a failure the whole pool is replaced: the connections it held are likely broken
 * too (Redis restarted, a network cut), and each would otherwise fail one more request.
 *
 * <p>A new connection costs round trips before its first command (connect, {@code AUTH}, {@code SELECT}), each
 * bounded by the timeout too; it sends no {@code CLIENT SETNAME} or {@code CLIENT SETINFO}, which would add two more.
 */
final class RedisStore implements SharedStore {
    private final SharedSettings settings;
    private volatile RedisClient client;
    private boolean closed;

    RedisStore(SharedSettings settings) {
        this.settings = settings;
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        return Optional.ofNullable(client().get(key));
    }

    @Override
    public void put(byte[] key, byte[] value, Duration ttl) {
        client().set(key, value, SetParams.setParams().px(ttl.toMillis()));
    }

    @Override
    public synchronized void reset() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        reset();
    }

    /** The pool, created on first use after startup or a reset; read without a lock on every request. */
    private RedisClient client() {
        RedisClient current = client;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the shared tier is closed");
            }
            if (client == null) {
                client = create();
            }
            return client;
        }
    }

    private RedisClient create() {
        int millis = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis).socketTimeoutMillis(millis).database(settings.database())
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        settings.username().ifPresent(config::user);
        settings.password().ifPresent(config::password);
        if (settings.tls()) {
            // Jedis checks no host name by default; a certificate for another host must not pass.
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            config.ssl(true).sslParameters(parameters);
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMaxWait(settings.timeout());
        pool.setBlockWhenExhausted(true);
        pool.setJmxEnabled(false);
        return RedisClient.builder().hostAndPort(settings.host(), settings.port()).clientConfig(config.build())
                .poolConfig(pool).build();
    }
}
