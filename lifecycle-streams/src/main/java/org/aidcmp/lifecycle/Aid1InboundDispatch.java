package org.aidcmp.lifecycle;

import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * aid.aid1.inbound.v1 carries MSP calls keyed by what names their user: a Send MSP token (§7.1.4) by the user
 * its account id was issued for (ingress reads it from the account id's CMP-only claim), so it goes straight to
 * the user stage; every other call by its msp_token, to the routes stage, which also dead-letters what it does
 * not take (a tombstone) and refuses a Send MSP token that names no user (written before account ids carried
 * one).
 */
public final class Aid1InboundDispatch implements Processor<String, SpecificRecord, String, SpecificRecord> {
  public static final String NAME = "aid1-inbound-dispatch";

  private final String users;
  private final String routes;
  private ProcessorContext<String, SpecificRecord> context;

  public Aid1InboundDispatch(String users, String routes) {
    this.users = users;
    this.routes = routes;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    context.forward(record, namesItsUser(record.value()) ? users : routes);
  }

  static boolean namesItsUser(SpecificRecord value) {
    return value instanceof Aid1Inbound call && call.getPayload() instanceof SendMspToken t && t.getCmpUserId() != null;
  }
}
