package dev.veil.server.plugins;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The class loader of one drop-in plugin JAR. Its parent is the platform class loader, so the JAR sees the JDK and
 * nothing of the server; only the SPI packages ({@code dev.veil.spi}) are taken from the server, so that plugin and
 * server agree on the API's types. Everything else — a plugin's own Jackson, Guava, anything — comes from its JAR,
 * and never clashes with the server's copy or another plugin's.
 */
final class PluginClassLoader extends URLClassLoader {
    private static final String SPI_PACKAGE = "dev.veil.spi.";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader spiLoader;

    PluginClassLoader(Path jar, ClassLoader spiLoader) throws java.net.MalformedURLException {
        super("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        this.spiLoader = spiLoader;
    }

    /**
     * Runs {@code call} with {@code loader} as the thread's context class loader, as every call into a drop-in plugin
     * does (libraries such as Jackson or JDBC look classes up through it); built-in plugins have none.
     */
    static <T> T withContextLoader(Optional<ClassLoader> loader, Supplier<T> call) {
        if (loader.isEmpty()) {
            return call.get();
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader.get());
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI_PACKAGE)) {
            return spiLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}
