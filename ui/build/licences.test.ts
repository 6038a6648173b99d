import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cratesFromMetadata, normaliseLicence, npmLibrary, readCargoMetadata } from './licences.js';

const pkg = (name: string, license: string | null, extra: Record<string, unknown> = {}) => ({
  id: `${name}-id`,
  name,
  version: '1.0.0',
  license,
  license_file: null,
  repository: null,
  ...extra,
});
const dep = (name: string, kind: string | null) => ({ pkg: `${name}-id`, dep_kinds: [{ kind, target: null }] });

const metadata = {
  workspace_members: ['app-id', 'core-id'],
  packages: [
    pkg('app', null),
    pkg('core', null),
    pkg('rusqlite', 'MIT'),
    pkg('cc', 'MIT OR Apache-2.0'),
    pkg('proptest', 'MIT OR Apache-2.0'),
    pkg('ring', null, { license_file: 'vendor/LICENSE' }),
    pkg('shared', 'Apache-2.0'),
  ],
  resolve: {
    nodes: [
      { id: 'app-id', deps: [dep('core', null), dep('cc', 'build'), dep('proptest', 'dev')] },
      { id: 'core-id', deps: [dep('rusqlite', null), dep('ring', null)] },
      { id: 'rusqlite-id', deps: [dep('shared', null)] },
      { id: 'ring-id', deps: [dep('shared', null)] },
      { id: 'cc-id', deps: [] },
      { id: 'proptest-id', deps: [] },
      { id: 'shared-id', deps: [] },
    ],
  },
};

describe('the crates the app is built from', () => {
  it('follows normal dependencies only, leaves our own crates out, sorted by name', () => {
    expect(cratesFromMetadata(metadata, 'app').map((c) => [c.name, c.licence])).toEqual([
      ['ring', 'See LICENSE in the crate'],
      ['rusqlite', 'MIT'],
      ['shared', 'Apache-2.0'],
    ]);
  });

  it('refuses a crate that declares no licence, and a root that is not ours', () => {
    const bad = structuredClone(metadata);
    bad.packages.find((p) => p.name === 'shared')!.license = null;
    expect(() => cratesFromMetadata(bad, 'app')).toThrow(/shared 1.0.0 declares no licence/);
    expect(() => cratesFromMetadata(metadata, 'rusqlite')).toThrow(/not a crate of this workspace/);
  });

  it('on the real dependency tree: rusqlite is MIT, test and build-script crates are not there', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const crates = cratesFromMetadata(readCargoMetadata(root));
    const find = (name: string) => crates.find((c) => c.name === name);
    expect(find('rusqlite')?.licence).toBe('MIT');
    expect(find('tauri')?.licence).toBe('Apache-2.0 OR MIT');
    // proptest is only a dev-dependency; tauri-build only a build-dependency; stillpoint is ours.
    expect(find('proptest')).toBeUndefined();
    expect(find('tauri-build')).toBeUndefined();
    expect(find('stillpoint')).toBeUndefined();
    expect(crates.length).toBeGreaterThan(100);
  }, 60_000);
});

describe('licence expressions', () => {
  it('write one choice of licences one way', () => {
    for (const e of ['MIT/Apache-2.0', 'MIT OR Apache-2.0', 'Apache-2.0 OR MIT', 'Apache-2.0 / MIT']) {
      expect(normaliseLicence(e)).toBe('Apache-2.0 OR MIT');
    }
    expect(normaliseLicence('Unlicense/MIT')).toBe('MIT OR Unlicense');
    expect(normaliseLicence(' MIT ')).toBe('MIT');
    // AND, WITH and parentheses are kept as written.
    expect(normaliseLicence('(MIT OR Apache-2.0) AND Unicode-3.0')).toBe('(MIT OR Apache-2.0) AND Unicode-3.0');
    expect(normaliseLicence('Apache-2.0 WITH LLVM-exception OR MIT')).toBe('Apache-2.0 WITH LLVM-exception OR MIT');
  });
});

describe('bundled npm packages', () => {
  it('take the repository from either form, and must name a licence', () => {
    const base = { maintainers: [], description: null, homepage: null, author: null, contributors: [], licenseText: null, noticeText: null, private: false, self: false };
    expect(npmLibrary({ ...base, name: 'uplot', version: '1.6.32', license: 'MIT', repository: { url: 'git+https://x/uPlot.git', type: 'git' } })).toEqual({
      name: 'uplot',
      version: '1.6.32',
      licence: 'MIT',
      repository: 'git+https://x/uPlot.git',
    });
    expect(npmLibrary({ ...base, name: 'clsx', version: '2.1.1', license: 'MIT', repository: 'lukeed/clsx' }).repository).toBe('lukeed/clsx');
    expect(() => npmLibrary({ ...base, name: 'x', version: '1', license: null, repository: null })).toThrow(/declares no licence/);
  });
});
