import { ProtoWriter } from './proto-writer.js';
import { protoFields, utf8 } from './proto-reader.js';

/**
 * The parts of TensorFlow's `Event` and `Summary` messages (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto) that scalars and plugin data need. Field numbers:
 * Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5 }
 * Summary { repeated Value value = 1 }
 * Value { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9 }
 * SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; bytes content = 2 }; int32 data_class = 4 }
 */
export interface TbEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: TbValue[];
}

export interface TbValue {
  tag: string;
  /** A scalar as `simple_value` (float32). */
  simpleValue?: number;
  /** A scalar written as a rank-0 tensor (TensorBoard 2 style): its float or double. */
  tensorValue?: number;
  plugin?: { name: string; content: Uint8Array };
}

/** What every event file starts with (TensorFlow's EventsWriter). */
export const FILE_VERSION = 'brain.Event:2';

function writeValue(w: ProtoWriter, v: TbValue): void {
  w.string(1, v.tag);
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue, true); // in a oneof: present even when 0
  if (v.plugin) {
    const plugin = v.plugin;
    w.message(9, (m) => m.message(1, (p) => p.string(1, plugin.name).bytes(2, plugin.content)));
  }
}

/** Encodes any event this module describes (the file-version event, plugin data, scalars). */
export function encodeEvent(event: TbEvent): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, event.wallTime).int(2, event.step);
  if (event.fileVersion !== undefined) w.string(3, event.fileVersion);
  const values = event.summary;
  if (values) w.message(5, (s) => values.forEach((v) => s.message(1, (m) => writeValue(m, v))));
  return w.finish();
}

function decodeTensorScalar(bytes: Uint8Array): number | undefined {
  // TensorProto { DataType dtype = 1; bytes tensor_content = 4; repeated float float_val = 5; repeated double double_val = 6 }
  let dtype = 0;
  let content: Uint8Array | undefined;
  let value: number | undefined;
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 0) dtype = f.value;
    else if (f.field === 4 && f.wire === 2) content = f.value;
    else if ((f.field === 5 || f.field === 6) && (f.wire === 5 || f.wire === 1)) value = f.value;
    else if (f.field === 5 && f.wire === 2 && f.value.length >= 4) value = Buffer.from(f.value).readFloatLE(0);
    else if (f.field === 6 && f.wire === 2 && f.value.length >= 8) value = Buffer.from(f.value).readDoubleLE(0);
  }
  if (value === undefined && content) {
    const buf = Buffer.from(content);
    if (dtype === 1 && buf.length === 4) value = buf.readFloatLE(0); // DT_FLOAT
    if (dtype === 2 && buf.length === 8) value = buf.readDoubleLE(0); // DT_DOUBLE
  }
  return value;
}

function decodeValue(bytes: Uint8Array): TbValue {
  const value: TbValue = { tag: '' };
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 2) value.tag = utf8(f.value);
    else if (f.field === 2 && f.wire === 5) value.simpleValue = f.value;
    else if (f.field === 8 && f.wire === 2) {
      const t = decodeTensorScalar(f.value);
      if (t !== undefined) value.tensorValue = t;
    } else if (f.field === 9 && f.wire === 2) {
      for (const m of protoFields(f.value)) {
        if (m.field !== 1 || m.wire !== 2) continue;
        const plugin: { name: string; content: Uint8Array } = { name: '', content: new Uint8Array(0) };
        for (const p of protoFields(m.value)) {
          if (p.field === 1 && p.wire === 2) plugin.name = utf8(p.value);
          else if (p.field === 2 && p.wire === 2) plugin.content = p.value;
        }
        value.plugin = plugin;
      }
    }
  }
  return value;
}

/** Decodes one event; fields this module does not describe (graphs, images, logs) are skipped. */
export function decodeEvent(bytes: Uint8Array): TbEvent {
  const event: TbEvent = { wallTime: 0, step: 0 };
  for (const f of protoFields(bytes)) {
    if (f.field === 1 && f.wire === 1) event.wallTime = f.value;
    else if (f.field === 2 && f.wire === 0) event.step = f.value;
    else if (f.field === 3 && f.wire === 2) event.fileVersion = utf8(f.value);
    else if (f.field === 5 && f.wire === 2) {
      event.summary = [];
      for (const s of protoFields(f.value)) if (s.field === 1 && s.wire === 2) event.summary.push(decodeValue(s.value));
    }
  }
  return event;
}

/** A scalar's number as TensorBoard shows it: simple_value, or a rank-0 tensor. */
export function scalarOf(value: TbValue): number | undefined {
  return value.simpleValue ?? value.tensorValue;
}
