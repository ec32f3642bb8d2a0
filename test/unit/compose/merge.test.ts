import { describe, expect, it } from 'vitest';
import { mergeRoot } from '../../../src/compose/merge.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { TrellisError } from '../../../src/errors/index.js';
import { dictNode, valueNode, type Node } from '../../../src/tree/node.js';
import { tagged } from '../../helpers/plain.js';

const y = (text: string) => loadYaml(text, 'layer.yaml').root;
const mergeAll = (...layers: string[]) => layers.map(y).reduce<Node>((acc, layer) => mergeRoot(acc, layer), dictNode());

describe('merge (OmegaConf rules)', () => {
  it.each([
    { name: 'dicts merge deeply', layers: ['a: {x: 1, y: 2}', 'a: {y: 3, z: 4}'], expected: { a: { x: 1, y: 3, z: 4 } } },
    { name: 'lists are replaced', layers: ['l: [1, 2, 3]', 'l: [9]'], expected: { l: [9] } },
    { name: '??? never overrides', layers: ['a: 1', 'a: ???'], expected: { a: 1 } },
    { name: '??? is filled by a later value', layers: ['a: ???', 'a: 2'], expected: { a: 2 } },
    { name: 'null replaces a dict', layers: ['a: {x: 1}', 'a: null'], expected: { a: null } },
    { name: 'a dict replaces null', layers: ['a: null', 'a: {x: 1}'], expected: { a: { x: 1 } } },
    { name: 'a scalar replaces a dict', layers: ['a: {x: 1}', 'a: 5'], expected: { a: 5 } },
    { name: 'a dict replaces a scalar', layers: ['a: 5', 'a: {x: 1}'], expected: { a: { x: 1 } } },
    { name: 'int to float keeps the float', layers: ['a: 1', 'a: 1.5'], expected: { a: { $float: 1.5 } } },
    { name: 'a dict into ??? creates it', layers: ['a: ???', 'a: {x: 1}'], expected: { a: { x: 1 } } },
  ])('$name', ({ layers, expected }) => {
    expect(tagged(mergeAll(...layers))).toEqual(expected);
  });

  it('keeps the position of existing keys and appends new ones', () => {
    const merged = mergeAll('z: 0\na: 1\n', 'b: 2\nz: 9\n');
    expect(merged.kind === 'dict' && [...merged.entries.keys()]).toEqual(['z', 'a', 'b']);
  });

  it.each([
    { name: 'list into dict', layers: ['a: {x: 1}', 'a: [1]'] },
    { name: 'dict into list', layers: ['a: [1]', 'a: {x: 1}'] },
  ])('$name is a MERGE_TYPE error at the later file', ({ layers }) => {
    try {
      mergeAll(...layers);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrellisError);
      expect((e as TrellisError).code).toBe('MERGE_TYPE');
      expect((e as TrellisError).keyPath).toBe('a');
      expect((e as TrellisError).where).toMatchObject({ kind: 'file', file: 'layer.yaml', line: 1 });
    }
  });

  it('merges a dict onto an interpolation into a copy of its target when it resolves', () => {
    const dest = y('base: {x: 1}\nchild: ${base}\n');
    const src = y('child: {y: 2}\n');
    const dereference = (root: Node) => (root.kind === 'dict' ? root.entries.get('base')?.node : undefined);
    expect(tagged(mergeRoot(dest, src, { dereference }))).toEqual({ base: { x: 1 }, child: { x: 1, y: 2 } });
  });

  it('replaces an interpolation that cannot be resolved yet', () => {
    const dest = y('child: ${later}\n');
    expect(tagged(mergeRoot(dest, y('child: {y: 2}'), { dereference: () => undefined }))).toEqual({ child: { y: 2 } });
  });

  it('does not share nodes with the source (later edits stay local)', () => {
    const src = y('a: {x: 1}');
    const merged = mergeRoot(dictNode(), src);
    if (merged.kind === 'dict') {
      const a = merged.entries.get('a')!.node;
      if (a.kind === 'dict') a.entries.set('x', { key: 'x', node: valueNode(2) });
    }
    expect(tagged(src)).toEqual({ a: { x: 1 } });
  });
});
