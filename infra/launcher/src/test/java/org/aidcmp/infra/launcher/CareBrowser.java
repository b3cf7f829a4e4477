package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver (Selenium): no driver downloaded, no
 * profile shared, nothing sent anywhere but to the platform on loopback. Missing chromium is a failure saying
 * what to install, not a skip: CI installs it (.ci/run).
 */
final class CareBrowser {
  static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("chromium.driver", "/usr/bin/chromedriver"));

  private CareBrowser() {}

  static ChromeDriver start(Path userDataDir) throws IOException {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER))
        .as("the customer-care page is tested in a real browser: install Debian's chromium and chromium-driver"
            + " (apt-get install chromium chromium-driver), or name them with -Dchromium.binary / -Dchromium.driver;"
            + " looked for " + CHROMIUM + " and " + DRIVER)
        .isTrue();
    Files.createDirectories(userDataDir);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--window-size=1400,1000", "--user-data-dir=" + userDataDir.toAbsolutePath());
    // The platform's certificate comes from its own local CA, which this browser profile does not know.
    options.setAcceptInsecureCerts(true);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .withTimeout(Duration.ofSeconds(60)).build();
    return new ChromeDriver(service, options);
  }
}
