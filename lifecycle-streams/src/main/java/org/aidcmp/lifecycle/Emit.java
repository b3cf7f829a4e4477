package org.aidcmp.lifecycle;

import org.aidcmp.schemas.topics.AidTopic;
import org.apache.avro.specific.SpecificRecord;

/** One record a decision emits: the topic it goes to, its key and its value (an envelope). */
public record Emit(AidTopic topic, String key, SpecificRecord value) {}
