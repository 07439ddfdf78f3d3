/** Debezium change events (JSON converter) → floe Changes. See docs/cdc.md. */
export { createDebeziumDecoder, type DebeziumDecoder } from './decode-record.ts';
export { hintsForPgTable, type DebeziumConnectorModes } from './source-hints.ts';
export { DEFAULT_DECODE_OPTIONS } from './types.ts';
export type { ConnectSchema, DebeziumDecodeOptions, DebeziumTarget, DecodeResult, IgnoredReason, KafkaRecord, SemanticHint } from './types.ts';
