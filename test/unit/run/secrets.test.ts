import { describe, expect, it } from 'vitest';
import { isSecretName, redactStrings, redactText, redactUrl, secretValuesFromEnv } from '../../../src/run/secrets.js';

describe('isSecretName', () => {
  it.each([
    { name: 'GITHUB_TOKEN', input: 'GITHUB_TOKEN', secret: true },
    { name: 'HF_TOKEN', input: 'HF_TOKEN', secret: true },
    { name: 'accessToken (camelCase)', input: 'accessToken', secret: true },
    { name: 'TOKENIZERS_PARALLELISM (a tokenizer, not a token)', input: 'TOKENIZERS_PARALLELISM', secret: false },
    { name: 'DB_PASSWORD', input: 'DB_PASSWORD', secret: true },
    { name: 'MYSQL_PASSWD', input: 'MYSQL_PASSWD', secret: true },
    { name: 'GPG_PASSPHRASE', input: 'GPG_PASSPHRASE', secret: true },
    { name: 'DB_PASS', input: 'DB_PASS', secret: true },
    { name: 'PASSTHROUGH_MODE', input: 'PASSTHROUGH_MODE', secret: false },
    { name: 'CLIENT_SECRET', input: 'CLIENT_SECRET', secret: true },
    { name: 'GOOGLE_APPLICATION_CREDENTIALS', input: 'GOOGLE_APPLICATION_CREDENTIALS', secret: true },
    { name: 'SSH_PRIVATE_KEY', input: 'SSH_PRIVATE_KEY', secret: true },
    { name: 'WANDB_API_KEY', input: 'WANDB_API_KEY', secret: true },
    { name: 'APIKEY', input: 'APIKEY', secret: true },
    { name: 'apiKey (camelCase)', input: 'apiKey', secret: true },
    { name: 'KEY_ID', input: 'KEY_ID', secret: true },
    { name: 'STRIPE_KEYS', input: 'STRIPE_KEYS', secret: true },
    { name: 'KEYBOARD_LAYOUT', input: 'KEYBOARD_LAYOUT', secret: false },
    { name: 'XKB_KEYMAP', input: 'XKB_KEYMAP', secret: false },
    { name: 'GNOME_KEYRING_CONTROL', input: 'GNOME_KEYRING_CONTROL', secret: false },
    { name: 'keyboardLayout (camelCase)', input: 'keyboardLayout', secret: false },
    { name: 'AWS_REGION (every AWS_ var)', input: 'AWS_REGION', secret: true },
    { name: 'aws_profile (case-insensitive)', input: 'aws_profile', secret: true },
    { name: 'NPM_CONFIG__AUTH', input: 'NPM_CONFIG__AUTH', secret: true },
    { name: 'BASIC_AUTH_HEADER', input: 'BASIC_AUTH_HEADER', secret: true },
    { name: 'GIT_AUTHOR_NAME (an author, not auth)', input: 'GIT_AUTHOR_NAME', secret: false },
    { name: 'CUDA_VISIBLE_DEVICES', input: 'CUDA_VISIBLE_DEVICES', secret: false },
    { name: 'SLURM_JOB_ID', input: 'SLURM_JOB_ID', secret: false },
    { name: 'HOSTNAME', input: 'HOSTNAME', secret: false },
    { name: 'PWD (the working directory, not a password)', input: 'PWD', secret: false },
  ])('$name → $secret', ({ input, secret }) => {
    expect(isSecretName(input)).toBe(secret);
  });
});

describe('redactText', () => {
  it.each([
    { name: 'every occurrence', text: 'a=s3cr3t b=s3cr3t', secrets: ['s3cr3t'], expected: 'a=*** b=***' },
    { name: 'several secrets', text: 'user tok1234 pw hunter22', secrets: ['tok1234', 'hunter22'], expected: 'user *** pw ***' },
    { name: 'a secret containing another goes whole', text: 'key=abcd-efgh', secrets: ['abcd', 'abcd-efgh'], expected: 'key=***' },
    { name: 'values under 4 characters are kept', text: 'id=abc and 1', secrets: ['abc', '1'], expected: 'id=abc and 1' },
    { name: 'regex characters are literal', text: 'p=a.b*c+ x=aXbbc', secrets: ['a.b*c+'], expected: 'p=*** x=aXbbc' },
    { name: 'no secrets', text: 'plain', secrets: [], expected: 'plain' },
  ])('$name', ({ text, secrets, expected }) => {
    expect(redactText(text, secrets)).toBe(expected);
  });
});

describe('redactUrl', () => {
  it.each([
    { name: 'user and password', text: 'https://user:pass@github.com/org/repo.git', expected: 'https://***@github.com/org/repo.git' },
    { name: 'a token as user name', text: 'https://ghp_abc123@github.com/o/r', expected: 'https://***@github.com/o/r' },
    { name: 'a raw @ in the password', text: 'https://u:p@ss@host/x', expected: 'https://***@host/x' },
    { name: 'inside text', text: 'remote=postgres://admin:pw@db:5432/x; ok', expected: 'remote=postgres://***@db:5432/x; ok' },
    { name: 'two URLs', text: 'a https://a:b@h1 b http://c:d@h2/', expected: 'a https://***@h1 b http://***@h2/' },
    { name: 'no credentials', text: 'https://github.com/org/repo.git', expected: 'https://github.com/org/repo.git' },
    { name: 'an @ in the path is not user-info', text: 'https://host/a@b', expected: 'https://host/a@b' },
    { name: 'scp-style git remote is left alone', text: 'git@github.com:org/repo.git', expected: 'git@github.com:org/repo.git' },
  ])('$name', ({ text, expected }) => {
    expect(redactUrl(text)).toBe(expected);
  });
});

describe('redactStrings', () => {
  it('redacts nested values and keys and keeps other types', () => {
    const value = { a: ['x tok-9999 y', { b: 'tok-9999' }], n: 5, t: true, z: null, 'tok-9999': 'key' };
    expect(redactStrings(value, (s) => redactText(s, ['tok-9999']))).toEqual({
      a: ['x *** y', { b: '***' }],
      n: 5,
      t: true,
      z: null,
      '***': 'key',
    });
    expect(value.a[0]).toBe('x tok-9999 y');
  });

  it('keeps a __proto__ key as a plain key', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "tok-9999"}}') as object;
    const out = redactStrings(value, (s) => redactText(s, ['tok-9999'])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"***"}}');
  });
});

describe('secretValuesFromEnv', () => {
  it.each([
    { name: 'a secret-named var', env: { HF_TOKEN: 'hf_abcdefgh' }, expected: ['hf_abcdefgh'] },
    { name: 'short values are left out', env: { USE_AUTH: 'true', DB_PASS: 'short' }, expected: [] },
    { name: 'other vars are left out', env: { HOME: '/home/someone' }, expected: [] },
  ])('$name', ({ env, expected }) => {
    expect(secretValuesFromEnv(env)).toEqual(expected);
  });
});
