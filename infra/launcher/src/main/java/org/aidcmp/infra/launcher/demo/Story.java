package org.aidcmp.infra.launcher.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.aidcmp.infra.vehicle.Outcome;

/**
 * The whole of AID.02 as one story, in the order a newcomer can follow: each chapter printed with what happens,
 * then each check with what was read back and whether it held. A chapter that cannot go on (or throws) is a
 * failed check; the story goes on with the next one.
 */
public final class Story {
  /** How one chapter went. */
  public record Told(Chapter chapter, List<Check> checks, Duration took) {
    public boolean passed() {
      return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }
  }

  /** The chapters, in the order told. */
  public static List<Chapter> chapters() {
    return List.of(new OnboardingViaCmpTouchpoint(), new OnboardingViaMspTouchpoint(), new CarProvisioningWithSwap(),
        new EnableDisable(), new SendProfileInformation(), new UpdateSubscriptionInfo(), new DeleteProfile(),
        new ProfileStatusSync(), new RequestCsimInfo(), new DeleteAllProfiles(), new WithdrawViaCmp(),
        new WithdrawViaMsp());
  }

  private Story() {}

  /** Tells every chapter against {@code world}, printing to {@code out}; what each found. */
  public static List<Told> tell(World world, PrintStream out) {
    List<Told> told = new ArrayList<>();
    int n = 0;
    List<Chapter> chapters = chapters();
    for (Chapter chapter : chapters) {
      n++;
      out.printf("%n%d/%d  %s  (%s)%n", n, chapters.size(), chapter.title(), chapter.section());
      out.println(wrap(chapter.story(), "      "));
      Checks checks = new Checks(out, world.wait);
      long start = System.nanoTime();
      try {
        chapter.run(world, checks);
      } catch (Checks.ChapterStopped e) {
        checks.that("the chapter went on to its end", false, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        checks.that("the chapter went on to its end", false, "interrupted");
        told.add(new Told(chapter, checks.made(), Duration.ofNanos(System.nanoTime() - start)));
        break;
      } catch (Exception | AssertionError e) {
        checks.that("the chapter went on to its end", false, e.toString());
      }
      told.add(new Told(chapter, checks.made(), Duration.ofNanos(System.nanoTime() - start)));
    }
    epilogue(world, out, told);
    return told;
  }

  /** One check over the whole run: the fleet's flows all succeeded but the enable failure planted in §4.9. */
  private static void epilogue(World world, PrintStream out, List<Told> told) {
    out.printf("%nEpilogue  every vehicle flow of the story%n");
    Checks checks = new Checks(out, world.wait);
    List<Outcome> failed = world.fleet.outcomes().matching(o -> !o.result().success());
    boolean onlyPlanted = failed.size() == 1 && failed.get(0).result() == Outcome.Result.ENABLE_FAILED;
    checks.that("no vehicle flow failed but the one enable failure planted in §4.9", onlyPlanted,
        world.fleet.outcomes().size() + " flows: " + world.fleet.outcomes().counts());
    told.add(new Told(new Epilogue(), checks.made(), Duration.ZERO));
  }

  /** The summary lines; the caller decides the exit code from {@link #passed}. */
  public static void summary(List<Told> told, PrintStream out) {
    out.printf("%n%-62s %-8s %s%n", "step", "checks", "outcome");
    for (Told t : told) {
      long ok = t.checks().stream().filter(Check::passed).count();
      out.printf("%-62s %3d/%-4d %s (%.1f s)%n", abbreviate(t.chapter().section() + " " + t.chapter().title(), 62),
          ok, t.checks().size(), t.passed() ? "works" : "FAILED", t.took().toMillis() / 1000.0);
    }
  }

  public static boolean passed(List<Told> told) {
    return told.size() == chapters().size() + 1 && told.stream().allMatch(Told::passed);
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 3) + "...";
  }

  private static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder(indent);
    int column = 0;
    for (String word : text.split(" ")) {
      if (column + word.length() > 100) {
        out.append('\n').append(indent);
        column = 0;
      }
      out.append(word).append(' ');
      column += word.length() + 1;
    }
    return out.toString().stripTrailing();
  }

  private static final class Epilogue implements Chapter {
    @Override
    public String section() {
      return "all";
    }

    @Override
    public String title() {
      return "Every vehicle flow of the story";
    }

    @Override
    public String story() {
      return "";
    }

    @Override
    public void run(World world, Checks checks) {}
  }
}
