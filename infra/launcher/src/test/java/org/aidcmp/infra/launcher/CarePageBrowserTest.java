package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.aidcmp.infra.msp.CmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The customer-care page of the running platform in headless Chromium: an agent with a care token looks up a
 * user an MSP onboarded (§7.1.4, then §7.1.5 withdraw with its reason) and sees the timeline with the reason, then
 * a VIN nobody asked a profile for and reads why it has none. Screenshots under target/.
 */
@ExtendWith(SharedEmbeddedStack.class)
class CarePageBrowserTest {
  private static TestPlatform platform;
  private static final String USER = "care-page-" + UUID.randomUUID();
  private static final String TOKEN = UUID.randomUUID().toString();
  @TempDir static Path browserProfile;
  private static ChromeDriver browser;

  @BeforeAll
  static void start(Endpoints endpoints, SharedEmbeddedStack.DataDir stackData) throws Exception {
    platform = new TestPlatform(endpoints, stackData.path());
    assertThat(platform.msp.sendMspToken(platform.accountId(USER), CmpClient.SendMspToken.of(TOKEN, null, "private"))
        .status()).isEqualTo(201);
    assertThat(platform.msp.notifyMspTokenInvalid(TOKEN, "contract ended by the customer").status()).isEqualTo(204);
    Await.until("the withdraw in the read models", Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      try {
        var items = platform.touchpoint.call(USER, "GET", "/api/v1/me/withdrawals", "").body().path("items");
        return items.size() == 1 && items.get(0).path("state").asText().equals("REMOVED") ? items : null;
      } catch (Exception e) {
        return null;
      }
    }, () -> "not there yet");
    browser = CareBrowser.start(browserProfile.resolve("chromium"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (platform != null) {
      platform.close();
    }
  }

  private static void open() {
    String careToken = platform.services.issuer().token("agent-7", List.of("care"), Duration.ofMinutes(10));
    browser.get("https://127.0.0.1:" + platform.services.ingress().server().touchpointPort() + "/care#token=" + careToken);
  }

  private static void lookUp(String kind, String value) {
    new Select(browser.findElement(By.id("kind"))).selectByValue(kind);
    browser.findElement(By.id("value")).clear();
    browser.findElement(By.id("value")).sendKeys(value);
    browser.findElement(By.id("go")).click();
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    Path out = Path.of("target", name);
    Files.createDirectories(out.getParent());
    Files.write(out, ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(out)).isGreaterThan(1000);
  }

  @Test
  void anAgentLooksUpAUser_andSeesTheTimelineWithTheWithdrawReason() throws Exception {
    open();
    lookUp("user", USER);
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.withMessage(() -> "page error: " + browser.findElement(By.id("error")).getText())
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("timeline"), "FederationRemoved"));
    String timeline = browser.findElement(By.id("timeline")).getText();
    assertThat(timeline).contains("AccountIdIssued", "FederationEstablished", "FederationInvalidated",
        "contract ended by the customer", "initiated by MSP");
    assertThat(browser.findElement(By.id("error")).getText()).isEmpty();
    screenshot(browser, "care-page-user-timeline.png");
  }

  @Test
  void anAgentLooksUpAVin_andReadsWhyItHasNoProfile() throws Exception {
    open();
    lookUp("vin", "WBAUX11030A330001");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.withMessage(() -> "page error: " + browser.findElement(By.id("error")).getText())
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("answer")));
    assertThat(browser.findElement(By.id("answer")).getText()).startsWith("No profile.").contains("no fact about this VIN");
    screenshot(browser, "care-page-why-no-profile.png");
  }

  @Test
  void withoutTheCareRole_thePageSaysForbidden() throws Exception {
    String userToken = platform.services.issuer().token(USER, List.of(), Duration.ofMinutes(10));
    browser.get("https://127.0.0.1:" + platform.services.ingress().server().touchpointPort() + "/care#token=" + userToken);
    lookUp("user", USER);
    new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "403"));
    assertThat(browser.findElement(By.id("error")).getText()).contains("care role");
  }
}
