import { randomBytes, timingSafeEqual } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A fresh random token for the printed URL: 128 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** True when `given` is the token (compared in constant time). */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host header values a request may carry: the address the server listens on, with its port.
 * A page of another site that rebinds its own name to 127.0.0.1 sends its own name, and is
 * refused (DNS rebinding). Loopback servers also answer `localhost`.
 */
export function allowedHosts(host: string, port: number, machine: MachineNames = localMachineNames()): Set<string> {
  const bracket = (n: string) => (n.includes(':') && !n.startsWith('[') ? `[${n}]` : n);
  const names = new Set([bracket(host)]);
  if (isLoopback(host) || isWildcard(host)) for (const n of ['127.0.0.1', 'localhost', '[::1]']) names.add(n);
  // Listening on every interface: a browser reaches it by any of this machine's addresses or its name.
  if (isWildcard(host)) for (const n of [...machine.addresses, ...machine.hostnames]) names.add(bracket(n));
  return new Set([...names].map((n) => `${n.toLowerCase()}:${port}`));
}

/** 0.0.0.0 or ::, which listen on every interface. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

export interface MachineNames {
  addresses: string[];
  hostnames: string[];
}

/** This machine's interface addresses and its name, as a Host header names it. */
function localMachineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, '')));
  const name = hostname();
  return { addresses, hostnames: [name, name.split('.')[0]!].filter(Boolean) };
}

export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.toLowerCase());
}

/**
 * The real path of `rel` inside `root`, or undefined when it is not inside: `..`, an absolute
 * path, a NUL byte, or a symbolic link that leads out of the root are all refused. The file
 * must exist (its real path is what is checked).
 */
export function pathInside(root: string, rel: string): string | undefined {
  if (rel === '' || rel.includes('\0') || isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return undefined;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(resolve(root, rel));
  } catch {
    return undefined;
  }
  const r = relative(realRoot, real);
  if (r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) return undefined;
  return real;
}
