import { describe, expect, it } from 'vitest';
import { trellisSpec } from '../../../src/init/init-project.js';
import { packageName, planProject } from '../../../src/init/plan-project.js';

const versions = { zod: '^4.1.0', typescript: '^7.0.2', typesNode: '^20.1.0' };

describe('planProject', () => {
  it('gives dotfiles their dot back and writes package.json with the three scripts', () => {
    const plan = planProject('/work/my-exp', { _gitignore: 'dist/\n', 'conf/config.yaml': 'a: 1\n', 'src/_gitignore': 'x\n' }, 'file:../trellis', versions);
    expect(Object.keys(plan.files).sort()).toEqual(['.gitignore', 'conf/config.yaml', 'package.json', 'src/.gitignore']);
    const pkg = JSON.parse(plan.files['package.json']!) as Record<string, Record<string, string>>;
    expect(pkg.name).toBe('my-exp');
    expect(Object.keys(pkg.scripts!).sort()).toEqual(['build', 'start', 'sweep', 'test']);
    expect(pkg.dependencies).toEqual({ trellis: 'file:../trellis', zod: '^4.1.0' });
    expect(pkg.devDependencies).toEqual({ '@types/node': '^20.1.0', typescript: '^7.0.2' });
  });

  it.each([
    { dir: 'my-exp', name: 'my-exp' },
    { dir: 'My Experiment #2', name: 'my-experiment-2' },
    { dir: '.hidden', name: 'hidden' },
    { dir: '___', name: 'experiment' },
  ])('package name of $dir is $name', ({ dir, name }) => {
    expect(packageName(dir)).toBe(name);
  });
});

describe('trellisSpec: where the new project installs trellis from', () => {
  it.each([
    { name: 'default: the running trellis', from: undefined, cwd: '/w', project: '/w/proj', own: '/w/trellis', spec: 'file:../trellis' },
    { name: 'a tarball path, relative to the cwd', from: '../t-0.1.0.tgz', cwd: '/w/a', project: '/w/a/proj', own: '/x', spec: 'file:../../t-0.1.0.tgz' },
    { name: 'a bare tarball name', from: 't-0.1.0.tgz', cwd: '/w', project: '/w/proj', own: '/x', spec: 'file:../t-0.1.0.tgz' },
    { name: 'a relative file: spec', from: 'file:./clone', cwd: '/w', project: '/w/proj', own: '/x', spec: 'file:../clone' },
    { name: 'a project inside the clone', from: '.', cwd: '/w', project: '/w/sub/proj', own: '/x', spec: 'file:../..' },
    {
      name: 'a git URL, kept',
      from: 'git+https://example.com/trellis.git',
      cwd: '/w',
      project: '/w/proj',
      own: '/x',
      spec: 'git+https://example.com/trellis.git',
    },
    { name: 'a GitHub shorthand, kept', from: 'github:me/trellis', cwd: '/w', project: '/w/proj', own: '/x', spec: 'github:me/trellis' },
  ])('$name', ({ from, cwd, project, own, spec }) => {
    expect(trellisSpec(from, project, cwd, own)).toBe(spec);
  });
});
