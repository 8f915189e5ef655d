package dev.veil.examples.blocklist;

import java.util.List;
import java.util.Set;

import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;

/**
 * {@code keyword-blocklist}: rejects requests that contain a blocked keyword, and masks other keywords in answers,
 * streamed ones included.
 *
 * <pre>{@code
 * veil:
 *   plugins-dir: /opt/veil/plugins
 *   plugins:
 *     - name: keyword-blocklist
 *       block: [project-aurora]
 *       mask: [internal-hostname]
 * }</pre>
 */
public final class KeywordBlocklistFactory implements PluginFactory {

    @Override
    public String name() {
        return "keyword-blocklist";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int spiMinorVersion() {
        return SPI_MINOR_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        settings.rejectUnknown(Set.of("block", "mask"));
        List<String> block = settings.strings("block");
        List<String> mask = settings.strings("mask");
        if (block.isEmpty() && mask.isEmpty()) {
            throw settings.invalid("block", "give at least one keyword to block or to mask");
        }
        for (String word : mask) {
            if (word.isBlank()) {
                throw settings.invalid("mask", "keywords must not be blank");
            }
        }
        return new KeywordBlocklistPlugin(block, mask);
    }
}
