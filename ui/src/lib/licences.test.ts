import { describe, expect, it } from 'vitest';
import { findLibraries, licenceCounts, loadLicences, parseLicences, type Library } from './licences';

const lib = (name: string, licence: string): Library => ({ name, version: '1.0.0', licence, repository: null });
const list = [lib('rusqlite', 'MIT'), lib('serde', 'MIT OR Apache-2.0'), lib('ring', 'Apache-2.0 AND ISC'), lib('uplot', 'MIT')];

describe('licences', () => {
  it('finds libraries by name or licence, in any case', () => {
    expect(findLibraries(list, 'RUSQ').map((l) => l.name)).toEqual(['rusqlite']);
    expect(findLibraries(list, 'apache').map((l) => l.name)).toEqual(['serde', 'ring']);
    expect(findLibraries(list, '  ')).toHaveLength(4);
    expect(findLibraries(list, 'gpl')).toEqual([]);
  });

  it('counts each licence, the most used first', () => {
    expect(licenceCounts(list)).toEqual([
      { licence: 'MIT', count: 2 },
      { licence: 'Apache-2.0 AND ISC', count: 1 },
      { licence: 'MIT OR Apache-2.0', count: 1 },
    ]);
  });

  it('refuses a damaged file', () => {
    expect(() => parseLicences({ crates: [{ name: 'x' }], npm: [] })).toThrow(/damaged/);
    expect(() => parseLicences(null)).toThrow(/damaged/);
    expect(parseLicences({ crates: list, npm: [] }).crates).toHaveLength(4);
  });

  it('imports the built module, and says when it is missing', async () => {
    const asked: string[] = [];
    const missing = async (path: string) => {
      asked.push(path);
      throw new TypeError('Importing a module script failed.');
    };
    await expect(loadLicences(missing)).rejects.toThrow(/missing/);
    expect(asked).toEqual(['/licences.js']);
    const there = async () => ({ default: { crates: list, npm: [lib('svelte', 'MIT')] } });
    expect((await loadLicences(there)).npm[0].name).toBe('svelte');
    await expect(loadLicences(async () => ({}))).rejects.toThrow(/damaged/);
  });
});
