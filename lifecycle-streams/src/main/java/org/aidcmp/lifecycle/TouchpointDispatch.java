package org.aidcmp.lifecycle;

import org.aidcmp.schemas.touchpoint.DeleteAllVehicleProfiles;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestVehicleCsimInfo;
import org.aidcmp.schemas.touchpoint.RetireVehicle;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The touchpoint topic carries user commands (key cmpUserId) and fleet commands (key VIN): each goes to its
 * aggregate's processor, by payload type. A tombstone there means nothing: it is a dead letter, once.
 */
public final class TouchpointDispatch implements Processor<String, SpecificRecord, String, SpecificRecord> {
  public static final String NAME = "touchpoint-dispatch";

  private final String users;
  private final String vehicles;
  private ProcessorContext<String, SpecificRecord> context;

  public TouchpointDispatch(String users, String vehicles) {
    this.users = users;
    this.vehicles = vehicles;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    if (!(record.value() instanceof TouchpointCommand command)) {
      DeadLetters.forward(context, NAME, record.key(), record.timestamp(),
          NAME + " does not take " + (record.value() == null ? "a tombstone" : record.value().getSchema().getName()),
          IllegalArgumentException.class.getName());
      return;
    }
    context.forward(record, isFleetCommand(command) ? vehicles : users);
  }

  static boolean isFleetCommand(TouchpointCommand command) {
    Object p = command.getPayload();
    return p instanceof RegisterVehicle || p instanceof RetireVehicle || p instanceof RequestVehicleCsimInfo
        || p instanceof DeleteAllVehicleProfiles;
  }
}
