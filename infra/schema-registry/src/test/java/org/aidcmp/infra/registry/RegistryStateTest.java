package org.aidcmp.infra.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.aidcmp.infra.registry.RegistryState.Entry;
import org.aidcmp.schemas.compat.CompatibilityLevel;
import org.junit.jupiter.api.Test;

/** Replaying records, including the log as compaction leaves it. */
class RegistryStateTest {

  final RegistryState state = new RegistryState();

  void put(Entry e) {
    state.apply(RegistryState.schemaKey(e.subject(), e.version()), RegistryState.schemaValue(e));
  }

  @Test
  void replaysSchemasConfigsAndTombstones() {
    put(new Entry("s", 1, 1, "\"string\"", false));
    put(new Entry("s", 2, 2, "\"int\"", false));
    put(new Entry("t", 1, 1, "\"string\"", false));
    state.apply(RegistryState.configKey("s"), RegistryState.configValue(CompatibilityLevel.NONE));
    state.apply(RegistryState.configKey(null), RegistryState.configValue(CompatibilityLevel.FULL));

    assertThat(state.subjects(false)).containsExactly("s", "t");
    assertThat(state.versions("s", false)).extracting(Entry::id).containsExactly(1, 2);
    assertThat(state.entriesWithId(1)).extracting(Entry::subject).containsExactly("s", "t");
    assertThat(state.subjectLevel("s")).contains(CompatibilityLevel.NONE);
    assertThat(state.globalLevel()).contains(CompatibilityLevel.FULL);

    put(new Entry("s", 2, 2, "\"int\"", true));
    assertThat(state.versions("s", false)).extracting(Entry::version).containsExactly(1);
    assertThat(state.versions("s", true)).extracting(Entry::version).containsExactly(1, 2);
    assertThat(state.schemaById(2)).as("soft-deleted stays readable by id").contains("\"int\"");

    state.apply(RegistryState.schemaKey("s", 2), null);
    assertThat(state.schemaById(2)).isEmpty();
    assertThat(state.maxId()).isEqualTo(2);
    state.apply(RegistryState.configKey("s"), null);
    assertThat(state.subjectLevel("s")).isEmpty();
  }

  @Test
  void theIdFloorSurvivesCompaction() {
    // After compaction only the floor is left of a permanently deleted schema with id 7.
    state.apply(RegistryState.idFloorKey(), RegistryState.idFloorValue(7));
    put(new Entry("s", 1, 3, "\"string\"", false));
    assertThat(state.maxId()).isEqualTo(7);
  }

  @Test
  void refusesRecordsThatAreNotOurs() {
    assertThatThrownBy(() -> state.apply("garbage", "{}")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> state.apply("{\"keytype\":\"NOOP\"}", null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(state.subjects(true)).isEmpty();
  }
}
