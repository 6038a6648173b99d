// The libraries bundled into Stillpoint and their licences, as the build wrote them into the
// module `licences.js` beside the page (ui/build/licences.js: from `cargo metadata` and the
// UI bundle, never written by hand). The About screen lists them.

export interface Library {
  name: string;
  version: string;
  /** An SPDX expression ("MIT OR Apache-2.0"), or where the crate's licence text is. */
  licence: string;
  repository: string | null;
}

export interface Licences {
  /** The Rust crates the app is built from. */
  crates: Library[];
  /** The npm packages in the UI bundle. */
  npm: Library[];
}

function isLibrary(v: unknown): v is Library {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return (
    typeof l.name === 'string' &&
    typeof l.version === 'string' &&
    typeof l.licence === 'string' &&
    (l.repository === null || typeof l.repository === 'string')
  );
}

/** The file's JSON, checked; throws with what is wrong. */
export function parseLicences(json: unknown): Licences {
  const o = json as Record<string, unknown> | null;
  const crates = o?.crates;
  const npm = o?.npm;
  if (!Array.isArray(crates) || !Array.isArray(npm) || !crates.every(isLibrary) || !npm.every(isLibrary)) {
    throw new Error('The list of licences that came with Stillpoint is damaged.');
  }
  return { crates, npm };
}

/** The built module's path beside the page. */
export const LICENCES_MODULE = '/licences.js';

/** Import the module the build wrote (its default export); `load` stands in for tests. */
export async function loadLicences(
  load: (path: string) => Promise<{ default?: unknown }> = (path) => import(/* @vite-ignore */ path),
): Promise<Licences> {
  let module: { default?: unknown };
  try {
    module = await load(LICENCES_MODULE);
  } catch {
    throw new Error('The list of licences that came with Stillpoint is missing.');
  }
  return parseLicences(module.default);
}

/** The libraries whose name or licence holds `text` (any case); all when it is blank. */
export function findLibraries(list: readonly Library[], text: string): Library[] {
  const t = text.trim().toLowerCase();
  if (!t) return [...list];
  return list.filter((l) => l.name.toLowerCase().includes(t) || l.licence.toLowerCase().includes(t));
}

/** How many libraries use each licence, most used first (then by name). */
export function licenceCounts(list: readonly Library[]): { licence: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const l of list) counts.set(l.licence, (counts.get(l.licence) ?? 0) + 1);
  return [...counts]
    .map(([licence, count]) => ({ licence, count }))
    .sort((a, b) => b.count - a.count || a.licence.localeCompare(b.licence, 'en'));
}
