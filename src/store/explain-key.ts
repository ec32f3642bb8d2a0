import type { Element, Interpolation } from '../interpolate/ast.js';
import { parseValue } from '../interpolate/index.js';
import { didYouMean, TrellisError } from '../errors/index.js';
import { flatten } from './diff-runs.js';
import { readRecords, type RunRecords } from './find-run.js';
import type { ProvenanceEntry } from '../run/provenance.js';
import { getPath, splitPath } from './query-fields.js';
import { StoredRun } from './stored-run.js';
import { bracketKeyPath, formatDottedKey } from '../util/key-path.js';
import { checkArgs } from '../errors/check-args.js';

export type Origin = { kind: 'file'; file: string; line: number; col: number } | { kind: 'override'; text: string; index: number } | { kind: 'unknown' };

/** The config whose file set a value: the group option picked and what picked it. */
export interface GroupChoice {
  /** The config path as in the defaults list, e.g. `optimizer/adam`. */
  config: string;
  /** `optimizer` and `adam`; null group for the primary config or a non-group entry. */
  group: string | null;
  option: string;
  /** `override 'optimizer=adam'`, or `the defaults list of config`. */
  chosenBy: string;
}

/** One step of an explanation: a key, its value as composed and as resolved, and where it came from. */
export interface ExplainStep {
  key: string;
  /** What config.yaml holds (interpolations kept). */
  composed: unknown;
  /** What the job saw (resolved.yaml); for a referenced key, its resolved value. */
  value: unknown;
  origin: Origin;
  group: GroupChoice | null;
  /** The `${…}` in the composed value, in order: a key reference with its own explanation, or a resolver call. */
  references: Array<
    | { text: string; kind: 'node'; step: ExplainStep }
    | { text: string; kind: 'resolver'; resolver: string; references: ExplainStep[] }
    | { text: string; kind: 'cycle' | 'missing'; key: string }
  >;
}

export interface KeyExplanation extends ExplainStep {
  run: { dir: string; id: string | null };
  overrides: string[];
}

function originOf(p: ProvenanceEntry | undefined): Origin {
  if (p?.override !== undefined) return { kind: 'override', text: p.override, index: p.overrideIndex ?? 0 };
  if (p?.file !== undefined) return { kind: 'file', file: p.file, line: p.line ?? 0, col: p.col ?? 0 };
  return { kind: 'unknown' };
}

export function originLabel(o: Origin): string {
  if (o.kind === 'file') return `${o.file}:${o.line}:${o.col}`;
  if (o.kind === 'override') return `override #${o.index + 1} '${o.text}'`;
  return 'origin not recorded';
}

function provenanceAt(r: RunRecords, key: string): ProvenanceEntry | undefined {
  const p = r.provenance;
  return p && Object.hasOwn(p, key) ? p[key] : undefined;
}

/** Which defaults-list entry's file is `file`, and what chose it. */
function groupOf(r: RunRecords, file: string): GroupChoice | null {
  const norm = file.replaceAll('\\', '/').replace(/\.ya?ml$/, '');
  const match = (r.defaults ?? [])
    .filter((d) => typeof d.config === 'string' && (norm === d.config || norm.endsWith(`/${d.config}`)))
    .sort((x, y) => y.config.length - x.config.length)[0];
  if (!match) return null;
  const slash = match.config.lastIndexOf('/');
  const group = slash < 0 ? null : match.config.slice(0, slash);
  const option = match.config.slice(slash + 1);
  if (group === null)
    return { config: match.config, group, option, chosenBy: match.parent === null ? 'the primary config' : `the defaults list of ${match.parent}` };
  const overrides = r.overrides ?? r.info.overrides;
  const picked = overrides.find((o) => {
    const key = o.replace(/^\+{1,2}/, '').split('=')[0]!;
    return key === group || key.startsWith(`${group}@`);
  });
  const chosenBy = picked !== undefined ? `override '${picked}'` : `the defaults list of ${match.parent ?? 'the primary config'}`;
  return { config: match.config, group, option, chosenBy };
}

/** `${.x}` in `a.b.c` → `a.b.x`; `${..x}` → `a.x`. */
function absoluteKey(ref: string, from: string): string {
  const dots = /^\.*/.exec(ref)![0].length;
  if (dots === 0) return ref;
  const base = splitPath(from).slice(0, -1);
  const up = base.slice(0, Math.max(0, base.length - (dots - 1)));
  const rest = ref.slice(dots);
  return formatDottedKey([...up, rest].filter(Boolean));
}

function textOf(parts: Array<string | Interpolation>): string | undefined {
  return parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
}

class Explainer {
  constructor(private readonly r: RunRecords) {}

  step(key: string, seen: Set<string>): ExplainStep {
    const path = splitPath(key);
    const composed = getPath(this.r.config, path);
    const p = provenanceAt(this.r, key);
    const origin = originOf(p);
    const step: ExplainStep = {
      key,
      composed: composed === undefined ? (p?.value ?? null) : composed,
      value: getPath(this.r.resolved, path) ?? null,
      origin,
      group: origin.kind === 'file' ? groupOf(this.r, origin.file) : null,
      references: [],
    };
    const text = typeof step.composed === 'string' && step.composed.includes('${') ? step.composed : undefined;
    if (text !== undefined) {
      let ast;
      try {
        ast = parseValue(text);
      } catch {
        return step;
      }
      const inner = new Set(seen).add(key);
      for (const part of ast.parts) if (typeof part !== 'string') step.references.push(this.reference(part, text, key, inner));
    }
    return step;
  }

  private reference(node: Interpolation, text: string, from: string, seen: Set<string>): ExplainStep['references'][number] {
    const src = text.slice(node.start, node.end);
    if (node.kind === 'node') {
      const ref = textOf(node.parts);
      if (ref === undefined) return { text: src, kind: 'resolver', resolver: '(computed key)', references: this.nested(node.parts, text, from, seen) };
      const key = absoluteKey(ref, from);
      if (seen.has(key)) return { text: src, kind: 'cycle', key };
      if (getPath(this.r.config, splitPath(key)) === undefined && getPath(this.r.resolved, splitPath(key)) === undefined)
        return { text: src, kind: 'missing', key };
      return { text: src, kind: 'node', step: this.step(key, seen) };
    }
    const name = textOf(node.name) ?? '(computed)';
    return { text: src, kind: 'resolver', resolver: name, references: this.nested(node.args, text, from, seen) };
  }

  /** Key references inside resolver arguments, explained in turn. */
  private nested(elements: Array<Element | string>, text: string, from: string, seen: Set<string>): ExplainStep[] {
    const out: ExplainStep[] = [];
    const visit = (e: Element | string) => {
      if (typeof e === 'string') return;
      switch (e.kind) {
        case 'node': {
          const ref = this.reference(e, text, from, seen);
          if (ref.kind === 'node') out.push(ref.step);
          else e.parts.forEach(visit);
          break;
        }
        case 'resolver':
          e.args.forEach(visit);
          break;
        case 'concat':
          e.parts.forEach(visit);
          break;
        case 'quoted':
          e.text?.parts.forEach(visit);
          break;
        case 'list':
          e.items.forEach(visit);
          break;
        case 'dict':
          e.entries.forEach((x) => visit(x.value));
          break;
        case 'constant':
          break;
      }
    };
    elements.forEach(visit);
    return out;
  }
}

/**
 * The value of `key` in a run and the chain that produced it: the file:line:col or override that
 * set it, the group choice whose config file that is (and the override or defaults list that
 * chose it), and for an interpolation each `${…}` it refers to, explained the same way down to
 * the final value. Read from the run's records only, so files changed since do not matter.
 */
export function explainKey(run: StoredRun | RunRecords, key: string): KeyExplanation {
  checkArgs('explainKey', [
    ['run', run, 'object'],
    ['key', key, 'string'],
  ]);
  const r = run instanceof StoredRun ? readRecords(run) : run;
  const path = splitPath(key);
  if (getPath(r.resolved, path) === undefined && getPath(r.config, path) === undefined) {
    const known = [...flatten(r.resolved).keys()];
    const parents = new Set(known.flatMap((k) => splitPath(k).map((_, i, all) => formatDottedKey(all.slice(0, i + 1)))));
    throw new TrellisError('KEY_NOT_FOUND', `The run has no config key '${key}'`, {
      keyPath: key,
      hint:
        didYouMean(key, parents) ??
        (r.resolved === null ? 'the run has no readable resolved.yaml' : `top-level keys: ${Object.keys(r.resolved as object).join(', ')}`),
    });
  }
  const step = new Explainer(r).step(bracketKeyPath(key), new Set());
  return { ...step, run: { dir: r.dir, id: r.info.id }, overrides: r.overrides ?? r.info.overrides };
}
