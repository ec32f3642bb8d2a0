import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedHosts, hostAllowed, isLoopback, pathInside, tokenMatches } from '../../../src/ui/security.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('pathInside', () => {
  const layout = () => {
    const dir = tmpDir({ 'secret.txt': 'secret', 'run/model.json': '{}', 'run/sub/a.txt': 'a' });
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'run', 'link-out'));
    symlinkSync(join(dir, 'run', 'model.json'), join(dir, 'run', 'link-in'));
    mkdirSync(join(dir, 'run', 'dir'));
    writeFileSync(join(dir, 'run', 'dir', '..b'), 'dots');
    return { dir, run: join(dir, 'run') };
  };
  it.each([
    { name: 'a file', rel: 'model.json', inside: true },
    { name: 'a nested file', rel: 'sub/a.txt', inside: true },
    { name: 'a name starting with two dots', rel: 'dir/..b', inside: true },
    { name: 'a link that stays inside', rel: 'link-in', inside: true },
    { name: 'parent', rel: '../secret.txt', inside: false },
    { name: 'parent after a folder', rel: 'sub/../../secret.txt', inside: false },
    { name: 'an absolute path', rel: '/etc/passwd', inside: false },
    { name: 'a link that leads out', rel: 'link-out', inside: false },
    { name: 'a NUL byte', rel: 'model.json\0', inside: false },
    { name: 'the root itself', rel: '.', inside: false },
    { name: 'empty', rel: '', inside: false },
    { name: 'missing', rel: 'nope.txt', inside: false },
  ])('$name → inside: $inside', ({ rel, inside }) => {
    const { run } = layout();
    expect(pathInside(run, rel) !== undefined).toBe(inside);
  });
});

describe('hosts and tokens', () => {
  it.each([
    { name: 'loopback by address', host: '127.0.0.1', header: '127.0.0.1:8080', ok: true },
    { name: 'loopback by name', host: '127.0.0.1', header: 'localhost:8080', ok: true },
    { name: 'case does not matter', host: '127.0.0.1', header: 'LOCALHOST:8080', ok: true },
    { name: 'another port', host: '127.0.0.1', header: '127.0.0.1:9090', ok: false },
    { name: 'a rebinding name', host: '127.0.0.1', header: 'evil.example:8080', ok: false },
    { name: 'no port', host: '127.0.0.1', header: '127.0.0.1', ok: false },
    { name: 'a named host', host: '10.1.2.3', header: '10.1.2.3:8080', ok: true },
    { name: 'a named host does not answer localhost', host: '10.1.2.3', header: 'localhost:8080', ok: false },
    { name: 'IPv6 loopback', host: '::1', header: '[::1]:8080', ok: true },
  ])('Host $header for a server on $host: $ok', ({ host, header, ok }) => {
    expect(hostAllowed(header, allowedHosts(host, 8080))).toBe(ok);
  });

  // A wildcard bind answers the names a browser reaches this machine by, and still no rebinding name.
  const machine = { addresses: ['127.0.0.1', '192.0.2.7', 'fe80::1'], hostnames: ['box.lab.example', 'box'] };
  it.each([
    { name: 'its interface address', host: '0.0.0.0', header: '192.0.2.7:8080', ok: true },
    { name: 'its name', host: '0.0.0.0', header: 'box.lab.example:8080', ok: true },
    { name: 'its short name', host: '::', header: 'box:8080', ok: true },
    { name: 'loopback', host: '0.0.0.0', header: '127.0.0.1:8080', ok: true },
    { name: 'an IPv6 interface address', host: '::', header: '[fe80::1]:8080', ok: true },
    { name: 'a rebinding name', host: '0.0.0.0', header: 'evil.example:8080', ok: false },
    { name: 'another machine', host: '0.0.0.0', header: '192.0.2.8:8080', ok: false },
  ])('Host $header for a server on every interface ($host): $ok', ({ host, header, ok }) => {
    expect(hostAllowed(header, allowedHosts(host, 8080, machine))).toBe(ok);
  });

  it('refuses a missing header', () => expect(hostAllowed(undefined, allowedHosts('127.0.0.1', 1))).toBe(false));

  it.each([
    { given: 'abc', ok: true },
    { given: 'abd', ok: false },
    { given: 'ab', ok: false },
    { given: '', ok: false },
    { given: null, ok: false },
  ])('token $given', ({ given, ok }) => expect(tokenMatches(given, 'abc')).toBe(ok));

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['192.168.1.5', false],
  ])('%s is loopback: %s', (host, yes) => expect(isLoopback(host)).toBe(yes));
});
