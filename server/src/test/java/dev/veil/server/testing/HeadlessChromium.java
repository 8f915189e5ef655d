package dev.veil.server.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through its chromium-driver: no browser is downloaded. A test that needs it
 * fails, never skips, when either is missing, saying how to install them ({@code ./veil}'s {@code ensure_chromium}).
 */
public final class HeadlessChromium {
    private HeadlessChromium() {
    }

    /** A new headless browser whose downloads go to {@code downloads}. */
    public static WebDriver start(Path downloads) {
        Path chromium = onPath("chromium").orElseGet(() -> fail("This browser test needs Debian's chromium on PATH: "
                + "apt-get install chromium chromium-driver (./veil's ensure_chromium does)"));
        Path driver = onPath("chromedriver").orElseGet(() -> fail("This browser test needs chromedriver on PATH: "
                + "apt-get install chromium-driver (./veil's ensure_chromium does)"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // --no-sandbox: tests run as root on CI, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--disable-gpu", "--no-first-run", "--disable-extensions");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toAbsolutePath().toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build(),
                options);
    }

    private static Optional<Path> onPath(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
