import { ProtoWriter } from './proto-writer.js';
import { protoFields, utf8 } from './proto-reader.js';
import type { TbValue } from './event.js';

/**
 * The HParams plugin's session data (tensorboard/plugins/hparams/plugin_data.proto, api.proto):
 *   HParamsPluginData { int32 version = 1; SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4 }
 *   SessionStartInfo { map<string, google.protobuf.Value> hparams = 1; string group_name = 4; double start_time_secs = 5 }
 *   SessionEndInfo { Status status = 1; double end_time_secs = 2 }
 *   google.protobuf.Value { double number_value = 2; string string_value = 3; bool bool_value = 4 }
 * Each is the plugin content of a Summary value with a fixed tag and no data. Without an
 * Experiment summary, TensorBoard builds the table from every session's hparams and the scalar
 * tags of the session's run, so each run folder only describes itself.
 */
const HPARAMS_PLUGIN = 'hparams';
export const SESSION_START_TAG = '_hparams_/session_start_info';
export const SESSION_END_TAG = '_hparams_/session_end_info';

export type HParamValue = number | string | boolean;

/** api.proto Status. */
const SESSION_STATUS = { unknown: 0, success: 1, failure: 2, running: 3 } as const;
export type SessionStatus = keyof typeof SESSION_STATUS;

function writeValue(w: ProtoWriter, v: HParamValue): void {
  // A oneof: the member is written even when it holds 0, '' or false.
  if (typeof v === 'number') w.double(2, v, true);
  else if (typeof v === 'string') w.bytes(3, Buffer.from(v, 'utf8'), true);
  else w.int(4, v ? 1 : 0, true);
}

export function sessionStartValue(hparams: Readonly<Record<string, HParamValue>>, startTimeSecs: number, groupName = ''): TbValue {
  const w = new ProtoWriter();
  w.message(3, (s) => {
    for (const key of Object.keys(hparams).sort()) s.message(1, (e) => e.string(1, key).message(2, (v) => writeValue(v, hparams[key]!)));
    s.string(4, groupName).double(5, startTimeSecs);
  });
  return { tag: SESSION_START_TAG, plugin: { name: HPARAMS_PLUGIN, content: w.finish() } };
}

export function sessionEndValue(status: SessionStatus, endTimeSecs: number): TbValue {
  const w = new ProtoWriter();
  w.message(4, (e) => e.int(1, SESSION_STATUS[status]).double(2, endTimeSecs));
  return { tag: SESSION_END_TAG, plugin: { name: HPARAMS_PLUGIN, content: w.finish() } };
}

export interface SessionStart {
  hparams: Record<string, HParamValue | null>;
  groupName: string;
  startTimeSecs: number;
}

export interface SessionEnd {
  status: SessionStatus;
  endTimeSecs: number;
}

function readValue(bytes: Uint8Array): HParamValue | null {
  let value: HParamValue | null = null;
  for (const f of protoFields(bytes)) {
    if (f.field === 2 && f.wire === 1) value = f.value;
    else if (f.field === 3 && f.wire === 2) value = utf8(f.value);
    else if (f.field === 4 && f.wire === 0) value = f.value !== 0;
  }
  return value;
}

/** Reads HParamsPluginData content: the session start or end it holds, if either. */
export function readSessionData(content: Uint8Array): { start?: SessionStart; end?: SessionEnd } {
  const out: { start?: SessionStart; end?: SessionEnd } = {};
  for (const f of protoFields(content)) {
    if (f.field === 3 && f.wire === 2) {
      const start: SessionStart = { hparams: Object.create(null) as Record<string, HParamValue | null>, groupName: '', startTimeSecs: 0 };
      for (const s of protoFields(f.value)) {
        if (s.field === 1 && s.wire === 2) {
          let key = '';
          let value: HParamValue | null = null;
          for (const e of protoFields(s.value)) {
            if (e.field === 1 && e.wire === 2) key = utf8(e.value);
            else if (e.field === 2 && e.wire === 2) value = readValue(e.value);
          }
          start.hparams[key] = value;
        } else if (s.field === 4 && s.wire === 2) start.groupName = utf8(s.value);
        else if (s.field === 5 && s.wire === 1) start.startTimeSecs = s.value;
      }
      out.start = start;
    } else if (f.field === 4 && f.wire === 2) {
      const end: SessionEnd = { status: 'unknown', endTimeSecs: 0 };
      for (const e of protoFields(f.value)) {
        if (e.field === 1 && e.wire === 0)
          end.status = (Object.keys(SESSION_STATUS) as SessionStatus[]).find((k) => SESSION_STATUS[k] === e.value) ?? 'unknown';
        else if (e.field === 2 && e.wire === 1) end.endTimeSecs = e.value;
      }
      out.end = end;
    }
  }
  return out;
}

/**
 * A config as hparams: nested keys dotted (`optimizer.lr`), lists and other values as their
 * JSON text, nulls left out (tensorboardX leaves out None too).
 */
export function configHParams(config: unknown): Record<string, HParamValue> {
  const out: Record<string, HParamValue> = Object.create(null) as Record<string, HParamValue>;
  const visit = (value: unknown, path: string) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      if (path) out[path] = value;
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    } else if (path) out[path] = JSON.stringify(value) ?? String(value);
  };
  visit(config, '');
  return out;
}
