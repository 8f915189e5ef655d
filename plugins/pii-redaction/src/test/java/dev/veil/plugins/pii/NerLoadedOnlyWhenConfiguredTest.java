package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.plugins.pii.detect.ner.TinyModel;

/**
 * ONNX Runtime's classes, and with them its native library (extracted to a temporary directory and loaded when its
 * first class initialises), stay out of a start without {@code ner}. Each start runs in a class loader of its own
 * over the test class path, so what it loaded can be asked of that loader alone.
 */
class NerLoadedOnlyWhenConfiguredTest {
    private static final String ONNX_RUNTIME = "ai.onnxruntime.OrtEnvironment";

    @TempDir
    Path dataDir;

    /** A class loader that answers which classes it has loaded itself. */
    private static final class Isolated extends URLClassLoader {
        Isolated() throws MalformedURLException {
            super(classPath(), ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }
    }

    @Test
    void aDefaultStartLoadsNoOnnxRuntimeClass() throws Exception {
        try (Isolated loader = new Isolated()) {
            start(loader, Map.of());

            assertThat(loader.loaded(PiiRedactionFactory.class.getName())).isTrue();
            assertThat(loader.loaded(ONNX_RUNTIME)).isFalse();
            assertThat(loader.loaded("dev.veil.plugins.pii.detect.ner.OnnxTokenClassifier")).isFalse();
        }
    }

    @Test
    void aStartWithNerLoadsOnnxRuntime() throws Exception {
        try (Isolated loader = new Isolated()) {
            start(loader, Map.of("ner", TinyModel.settings(Map.of())));

            assertThat(loader.loaded(ONNX_RUNTIME)).isTrue();
        }
    }

    private void start(ClassLoader loader, Map<String, Object> settings) throws Exception {
        try {
            Class.forName(IsolatedStart.class.getName(), true, loader).getMethod("start", Map.class, Path.class)
                    .invoke(null, settings, dataDir);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    private static URL[] classPath() throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }
}
