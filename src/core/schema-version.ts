/** Bumped when an event's shape changes incompatibly; every JSONL line carries it. */
export const SCHEMA_VERSION = 1;
