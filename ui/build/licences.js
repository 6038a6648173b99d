// The licence of every library bundled into Stillpoint, made at build time from the
// dependency trees, never written by hand:
// - the Rust crates the app binary is built from: `cargo metadata` for this machine's
//   platform, following the normal dependencies (not build scripts' or tests') from the app's
//   crate, our own workspace crates left out;
// - the npm packages in the UI bundle: rollup-plugin-license, which sees the modules the
//   bundle actually holds (so Svelte's runtime is there, the build tools are not).
// Both go into dist/licences.js, a module the About screen imports when it opens (a module,
// not JSON to fetch: the page's content security policy lets it load scripts from itself,
// and nothing else).
import { execFileSync } from 'node:child_process';
import license from 'rollup-plugin-license';

/** The module the build writes beside the page (`dist/licences.js`). */
export const LICENCES_MODULE = 'licences.js';

/** The crate whose binary is the app. */
export const APP_CRATE = 'stillpoint-app';

/** @typedef {{ name: string; version: string; licence: string; repository: string | null }} Library */

/**
 * One way of writing each choice of licences: "MIT/Apache-2.0" (the old form), "MIT OR
 * Apache-2.0" and "Apache-2.0 OR MIT" all become "Apache-2.0 OR MIT", so the About screen
 * counts them together. An expression with AND, WITH or parentheses is kept as written.
 * @param {string} expression
 */
export function normaliseLicence(expression) {
  const e = expression.trim();
  if (/[()]|\bAND\b|\bWITH\b/.test(e)) return e;
  const choices = e.split(/\s*\/\s*|\s+OR\s+/).filter(Boolean);
  return [...new Set(choices)].sort((a, b) => a.localeCompare(b, 'en')).join(' OR ');
}

/** @param {Library[]} list */
export function sortLibraries(list) {
  return [...list].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.version.localeCompare(b.version, 'en'));
}

/**
 * The crates `root` is built from, with their licences, from `cargo metadata`'s JSON.
 * Throws when a crate declares no licence at all.
 * @param {any} metadata
 * @param {string} [root]
 * @returns {Library[]}
 */
export function cratesFromMetadata(metadata, root = APP_CRATE) {
  const members = new Set(metadata.workspace_members);
  const packages = new Map(metadata.packages.map((/** @type {any} */ p) => [p.id, p]));
  const nodes = new Map(metadata.resolve.nodes.map((/** @type {any} */ n) => [n.id, n]));
  const start = metadata.packages.find((/** @type {any} */ p) => p.name === root && members.has(p.id));
  if (!start) throw new Error(`${root} is not a crate of this workspace`);
  const seen = new Set([start.id]);
  const queue = [start.id];
  while (queue.length > 0) {
    for (const dep of nodes.get(queue.pop())?.deps ?? []) {
      // `kind: null` is a normal dependency; "build" and "dev" ones are not in the app.
      if (!dep.dep_kinds.some((/** @type {any} */ k) => k.kind === null)) continue;
      if (!seen.has(dep.pkg)) {
        seen.add(dep.pkg);
        queue.push(dep.pkg);
      }
    }
  }
  /** @type {Library[]} */
  const out = [];
  for (const id of seen) {
    if (members.has(id)) continue;
    const p = packages.get(id);
    const licence = p.license ? normaliseLicence(p.license) : (p.license_file ? `See ${p.license_file.split(/[\\/]/).pop()} in the crate` : null);
    if (!licence) throw new Error(`The crate ${p.name} ${p.version} declares no licence.`);
    out.push({ name: p.name, version: p.version, licence, repository: p.repository ?? null });
  }
  return sortLibraries(out);
}

/** `cargo metadata` for the platform this build runs on (the app is built for it too). */
export function readCargoMetadata(/** @type {string} */ workspaceRoot) {
  const rustc = execFileSync('rustc', ['-vV'], { encoding: 'utf8' });
  const host = /^host: (.+)$/m.exec(rustc)?.[1]?.trim();
  if (!host) throw new Error('rustc -vV did not name the host platform');
  const json = execFileSync(
    process.env.CARGO ?? 'cargo',
    ['metadata', '--format-version', '1', '--locked', '--filter-platform', host],
    { cwd: workspaceRoot, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 },
  );
  return JSON.parse(json);
}

/**
 * One bundled npm package as rollup-plugin-license describes it.
 * @param {import('rollup-plugin-license').Dependency} dep
 * @returns {Library}
 */
export function npmLibrary(dep) {
  if (!dep.name || !dep.license) throw new Error(`The npm package ${dep.name ?? '(unnamed)'} declares no licence.`);
  const repo = dep.repository;
  return {
    name: dep.name,
    version: dep.version ?? '',
    licence: normaliseLicence(dep.license),
    repository: typeof repo === 'string' ? repo : (repo?.url ?? null),
  };
}

/**
 * The Vite plugins that write dist/licences.js (build only).
 * @param {{ workspaceRoot: string }} options
 * @returns {import('vite').Plugin[]}
 */
export function bundledLicences({ workspaceRoot }) {
  /** @type {Library[] | null} */
  let npm = null;
  return [
    {
      ...license({
        thirdParty: (deps) => {
          npm = deps.map(npmLibrary);
        },
      }),
      apply: 'build',
    },
    {
      name: 'stillpoint-licences',
      apply: 'build',
      generateBundle() {
        if (!npm) this.error('rollup-plugin-license reported no packages');
        const crates = cratesFromMetadata(readCargoMetadata(workspaceRoot));
        this.emitFile({
          type: 'asset',
          fileName: LICENCES_MODULE,
          source: `export default ${JSON.stringify({ crates, npm: sortLibraries(npm ?? []) })};\n`,
        });
      },
    },
  ];
}
