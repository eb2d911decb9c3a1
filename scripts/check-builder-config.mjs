#!/usr/bin/env node
// Validates electron-builder.yml without building anything (building needs network access):
// 1. electron-builder's own loading and schema validation (app-builder-lib's getConfig +
//    validateConfiguration against its scheme.json, the same code `electron-builder` runs first);
// 2. the project's rules: the security fuses are set as docs/desktop.md says, keytar is unpacked
//    from the asar, the hardened runtime is on, the installers are the promised ones, and every
//    file the config names exists.
// Usage: node scripts/check-builder-config.mjs [--config FILE] [--print]
//   exit 0 valid, 1 invalid; --print writes the configuration as electron-builder resolved it (JSON).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
};

function targetsOf(platformConfig) {
  const list = Array.isArray(platformConfig?.target) ? platformConfig.target : platformConfig?.target ? [platformConfig.target] : [];
  return list.map((t) => (typeof t === 'string' ? { target: t, arch: [] } : { target: t.target, arch: [].concat(t.arch ?? []) }));
}

/** Project rules; returns a list of problems, each naming the config path. */
export function projectProblems(config, projectDir) {
  const problems = [];
  for (const [fuse, wanted] of Object.entries(REQUIRED_FUSES)) {
    if (config.electronFuses?.[fuse] !== wanted) problems.push(`electronFuses.${fuse} must be ${wanted}`);
  }
  if (config.asar === false) problems.push('asar must not be false (onlyLoadAppFromAsar and asar integrity need it)');
  if (![].concat(config.asarUnpack ?? []).some((glob) => String(glob).includes('keytar')))
    problems.push("asarUnpack must include keytar's native module");
  if (config.mac?.hardenedRuntime !== true) problems.push('mac.hardenedRuntime must be true');
  const mac = targetsOf(config.mac);
  if (!mac.some((t) => t.target === 'dmg' && t.arch.includes('universal'))) problems.push('mac.target must build a universal dmg');
  // Auto-update (docs/desktop.md#updates): Squirrel.Mac installs from the zip; electron-updater reads GitHub releases.
  if (!mac.some((t) => t.target === 'zip')) problems.push('mac.target must include zip (macOS updates install from it)');
  const publish = [].concat(config.publish ?? [])[0];
  if (publish?.provider !== 'github' || !publish.owner || !publish.repo)
    problems.push('publish must be { provider: github, owner, repo } (electron-updater reads the GitHub releases)');
  if (!targetsOf(config.win).some((t) => t.target === 'nsis')) problems.push('win.target must include nsis');
  if (config.nsis?.perMachine !== false) problems.push('nsis.perMachine must be false (per-user install)');
  const linux = targetsOf(config.linux).map((t) => t.target);
  for (const wanted of ['AppImage', 'deb']) if (!linux.includes(wanted)) problems.push(`linux.target must include ${wanted}`);
  const buildResources = config.directories?.buildResources ?? 'build';
  const named = [
    ['mac.icon', config.mac?.icon],
    ['win.icon', config.win?.icon],
    ['linux.icon', config.linux?.icon],
    ['mac.entitlements', config.mac?.entitlements],
    ['mac.entitlementsInherit', config.mac?.entitlementsInherit],
  ];
  for (const [key, file] of named) {
    if (file == null) continue;
    // electron-builder looks for these in the project dir, then in buildResources.
    if (!existsSync(path.resolve(projectDir, file)) && !existsSync(path.resolve(projectDir, buildResources, file)))
      problems.push(`${key}: ${file} does not exist`);
  }
  if (!existsSync(path.join(projectDir, buildResources, 'tray')))
    problems.push(`${buildResources}/tray is missing (run node scripts/make-icons.mjs)`);
  return problems;
}

const SECTIONS = {
  mac: 'MacConfiguration',
  win: 'WindowsConfiguration',
  linux: 'LinuxConfiguration',
  dmg: 'DmgOptions',
  nsis: 'NsisOptions',
  appImage: 'AppImageOptions',
  deb: 'DebOptions',
  electronFuses: 'FuseOptionsV1',
  directories: 'MetadataDirectories',
};

/**
 * electron-builder's error report collapses a misspelt key inside `mac:` etc. into "should be one
 * of these: null"; name such keys, with the closest known one.
 */
export function unknownKeys(config, scheme) {
  const hints = [];
  const check = (where, value, known) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      hints.push(`${where}${key} is not an electron-builder option${guess ? ` (did you mean ${where}${guess}?)` : ''}`);
    }
  };
  check('', config, Object.keys(scheme.properties ?? {}));
  for (const [section, definition] of Object.entries(SECTIONS)) {
    const props = scheme.definitions?.[definition]?.properties;
    if (props) check(`${section}.`, config[section], Object.keys(props));
  }
  return hints;
}

function closest(word, candidates) {
  let best;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

export async function checkBuilderConfig(configFile, projectDir = ROOT) {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { version } = require('app-builder-lib/package.json');
  let config;
  try {
    config = await getConfig(projectDir, configFile, null);
  } catch (err) {
    return { ok: false, version, problems: [`cannot read ${configFile}: ${err.message}`] };
  }
  try {
    await validateConfiguration(config, { isEnabled: false, add() {} });
  } catch (err) {
    const scheme = require('app-builder-lib/scheme.json');
    return { ok: false, version, problems: [...unknownKeys(config, scheme), err.message.trim()] };
  }
  const problems = projectProblems(config, projectDir);
  return { ok: problems.length === 0, version, problems, config };
}

async function main() {
  const at = process.argv.indexOf('--config');
  const configFile = path.resolve(at >= 0 ? process.argv[at + 1] : path.join(ROOT, 'electron-builder.yml'));
  const name = path.relative(process.cwd(), configFile) || configFile;
  const result = await checkBuilderConfig(configFile);
  if (result.ok && process.argv.includes('--print')) {
    process.stdout.write(`${JSON.stringify(result.config, null, 2)}\n`);
    return;
  }
  if (result.ok) {
    process.stdout.write(`${name}: valid (electron-builder ${result.version} schema and the project's packaging rules)\n`);
    return;
  }
  process.stderr.write(`${name} is not a valid electron-builder configuration:\n${result.problems.map((p) => `- ${p}`).join('\n')}\n`);
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
