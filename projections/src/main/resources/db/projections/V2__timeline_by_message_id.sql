-- A replay of lifecycle-streams writes every fact again at new offsets with the same messageId and occurredAt: the
-- projector looks a fact up by its messageId before applying it, so that it is applied once (docs/architecture.md).
CREATE INDEX timeline_by_message_id ON timeline (message_id);
