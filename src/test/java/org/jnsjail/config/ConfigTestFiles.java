package org.jnsjail.config;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates test inputs: our own resources, and nsjail's reference configs in the shared tree. */
final class ConfigTestFiles {
  private ConfigTestFiles() {}

  /** A file under src/test/resources/org/jnsjail/config/. */
  static Path resource(String name) {
    URL url = ConfigTestFiles.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("missing test resource " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** nsjail's example configs; aborts (skips) the calling test if they are not checked out. */
  static Path referenceConfigs() {
    Path relative =
        Path.of(System.getProperty("user.dir")).resolve("../shared/reference/nsjail-configs");
    if (Files.isDirectory(relative)) {
      return relative.normalize();
    }
    Path absolute = Path.of("/work/shared/reference/nsjail-configs");
    if (Files.isDirectory(absolute)) {
      return absolute;
    }
    return Assumptions.abort(
        "nsjail reference configs not found at " + relative.normalize() + " or " + absolute);
  }
}
