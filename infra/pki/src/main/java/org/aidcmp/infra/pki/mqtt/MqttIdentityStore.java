package org.aidcmp.infra.pki.mqtt;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.aidcmp.infra.pki.Pem;

/**
 * The broker's credentials store: one small owner-only file per identity ({@code <dir>/<name>.properties}),
 * replaced atomically. One file each means separate processes ({@code aid up}'s broker reading at each CONNECT,
 * {@code aid vehicle register} or the fleet simulator writing) need no lock and no reload: a registration is
 * in force from the next CONNECT on.
 */
public final class MqttIdentityStore {
  /** Names that are safe as file names and as one MQTT topic level (no '/', '+', '#'). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final Path dir;

  public MqttIdentityStore(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** Stores {@code identity}, replacing what its name had (so old passwords and certificates stop working). */
  public void put(MqttIdentity identity) {
    Properties p = new Properties();
    p.setProperty("name", identity.name());
    p.setProperty("role", identity.role().name());
    identity.passwordHashIfAny().ifPresent(h -> p.setProperty("password.pbkdf2", h));
    identity.certificateSha256IfAny().ifPresent(f -> p.setProperty("certificate.sha256", f));
    StringWriter text = new StringWriter();
    try {
      p.store(text, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Pem.writeOwnerOnly(file(identity.name()), text.toString());
  }

  /** The identity named {@code name}; empty for an unknown (or unusable) name. */
  public Optional<MqttIdentity> find(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file(name), StandardCharsets.UTF_8);
    } catch (NoSuchFileException unknown) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the credentials of " + name, e);
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
      MqttIdentity identity = new MqttIdentity(p.getProperty("name"), MqttRole.valueOf(p.getProperty("role")),
          p.getProperty("password.pbkdf2"), p.getProperty("certificate.sha256"));
      return identity.name().equals(name) ? Optional.of(identity) : Optional.empty();
    } catch (IOException | RuntimeException corrupt) {
      // A damaged entry lets nobody in; it never takes the broker's authenticator down.
      return Optional.empty();
    }
  }

  /** Removes {@code name}'s credentials (a retired vehicle): its next CONNECT is refused. */
  public boolean remove(String name) {
    if (!NAME.matcher(name).matches()) {
      return false;
    }
    try {
      return Files.deleteIfExists(file(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String name) {
    return dir.resolve(name + ".properties");
  }
}
