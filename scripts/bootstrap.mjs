#!/usr/bin/env node
// Makes this checkout runnable: a recent enough Node, node_modules matching package-lock.json, the
// system programs the native stack runs (redis-server, PostgreSQL's initdb and postgres), and, where
// apt-get can install them, the observability tools (Prometheus and promtool, the Pushgateway, the
// Postgres and Redis exporters, docker-compose) that `npm run up` and the observability checks use,
// Chromium, which the HTML report's browser test drives headless, and the engines of the `ha` topology
// (Patroni, etcd, HAProxy, Redis Sentinel).
// It runs before node_modules exists (npm's prestart/pretest/preup), so: plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MIN_NODE = [20, 19];

// stderr: what npm runs after it may print data on stdout (`faultline explain --json`).
const say = (line) => process.stderr.write(`bootstrap: ${line}\n`);
function fail(message) {
  process.stderr.write(`bootstrap: ${message}\n`);
  process.exit(1);
}

/** Runs a command with its output shown; false when it fails or cannot start. */
function run(command, args, opts = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...opts });
  return result.status === 0;
}

function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return;
  fail(
    `Node.js >= ${MIN_NODE.join('.')} is required, this is ${process.version}. ` +
      'Install a current LTS (Node 24: e.g. `nvm install 24`, or the nodejs package of nodesource), or run ' +
      'one from the npm registry: PATH="$(dirname "$(npx -y node@24 -p process.execPath)"):$PATH" npm test',
  );
}

// ---- dependencies -----------------------------------------------------------------------------

const lockFile = join(root, 'package-lock.json');
const modulesDir = join(root, 'node_modules');
const stampFile = join(modulesDir, '.faultline-lock.sha256');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * A tree our stamp does not vouch for (installed by hand, or by `npm install <pkg>`) is still good when
 * npm's own record of it (node_modules/.package-lock.json) lists exactly the lock's packages;
 * optional ones may be absent (npm skips those built for other platforms).
 */
function installedTreeMatchesLock() {
  try {
    const wanted = readJson(lockFile).packages ?? {};
    const installed = readJson(join(modulesDir, '.package-lock.json')).packages ?? {};
    for (const [path, entry] of Object.entries(wanted)) {
      if (path === '') continue;
      const got = installed[path];
      if (!got && !entry.optional) return false;
      if (got && got.version !== entry.version) return false;
    }
    return Object.keys(installed).every((path) => path in wanted);
  } catch {
    return false;
  }
}

function npmCi(reason) {
  say(`installing dependencies with npm ci (${reason})`);
  // Inside an npm script npm_execpath is the running npm: use the same one.
  const npmCli = process.env.npm_execpath;
  const args = ['ci', '--no-audit', '--no-fund'];
  const ok = npmCli && /\.c?js$/.test(npmCli) ? run(process.execPath, [npmCli, ...args]) : run('npm', args);
  if (!ok) fail('npm ci failed (see its output above)');
}

function ensureDependencies() {
  if (!existsSync(lockFile)) fail('package-lock.json is missing: it is what `npm ci` installs from');
  const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
  if (stamp === lockHash) return 'dependencies up to date';
  if (!existsSync(modulesDir)) {
    npmCi('node_modules is missing');
  } else if (installedTreeMatchesLock()) {
    // Installed by hand or by `npm install <pkg>`, which updates node_modules along with the lock.
    writeFileSync(stampFile, `${lockHash}\n`);
    return 'dependencies match package-lock.json';
  } else {
    npmCi(
      stamp === undefined
        ? 'node_modules was not installed from package-lock.json'
        : 'package-lock.json changed',
    );
  }
  writeFileSync(stampFile, `${lockHash}\n`);
  return 'dependencies installed';
}

// ---- system programs ----------------------------------------------------------------------------

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  // /usr/sbin: Debian puts haproxy there, and a non-root PATH often lacks it.
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin']) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findRedis() {
  return (
    onPath('redis-server') ??
    ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'].map((d) => join(d, 'redis-server')).find(isExecutable)
  );
}

function hasServerBinaries(bindir) {
  return isExecutable(join(bindir, 'initdb')) && isExecutable(join(bindir, 'postgres'));
}

/** Same search as stack/binaries.ts: Debian's versioned dirs, Homebrew's kegs, pg_config, PATH. */
function findPostgres() {
  const versioned = (base, pattern) => {
    try {
      return readdirSync(base)
        .filter((d) => pattern.test(d))
        .sort((a, b) => Number.parseFloat(b.replace(/\D+/, '')) - Number.parseFloat(a.replace(/\D+/, '')))
        .map((d) => join(base, d, 'bin'));
    } catch {
      return [];
    }
  };
  const candidates = [
    ...versioned('/usr/lib/postgresql', /^\d+(\.\d+)?$/),
    ...versioned('/opt/homebrew/opt', /^postgresql@\d+$/),
    ...versioned('/usr/local/opt', /^postgresql@\d+$/),
  ];
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  const found = candidates.find(hasServerBinaries);
  if (found) return found;
  const initdb = onPath('initdb');
  return initdb && onPath('postgres') ? 'PATH' : undefined;
}

const packages = {
  redis: { apt: 'redis-server', brew: 'redis', what: 'redis-server' },
  postgres: { apt: 'postgresql', brew: 'postgresql@16', what: 'PostgreSQL (initdb, postgres)' },
};

function missingPrograms() {
  const missing = [];
  if (!findRedis()) missing.push(packages.redis);
  if (!findPostgres()) missing.push(packages.postgres);
  return missing;
}

/** The prefix that runs apt-get as root ([] when we are root), or undefined when apt cannot be used. */
function canUseApt() {
  if (process.platform !== 'linux' || !onPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)
    return ['sudo', '-n'];
  return undefined;
}

/**
 * Optional: without them the stack still runs; `npm run up` starts no Prometheus, the observability
 * tests and the report's browser test skip, `--tls` stacks cannot make their CA, and `--topology ha`
 * stacks (the failover scenarios) fail naming what is missing (under CI those tests fail instead, so CI
 * must have them: it runs as root, so apt installs them).
 */
const optionalTools = [
  { bins: ['promtool', 'prometheus'], apt: 'prometheus', what: 'Prometheus and promtool' },
  {
    bins: ['prometheus-pushgateway'],
    alt: ['pushgateway'],
    apt: 'prometheus-pushgateway',
    what: 'the Pushgateway',
  },
  {
    bins: ['prometheus-postgres-exporter'],
    alt: ['postgres_exporter'],
    apt: 'prometheus-postgres-exporter',
    what: 'the Postgres exporter',
  },
  {
    bins: ['prometheus-redis-exporter'],
    alt: ['redis_exporter'],
    apt: 'prometheus-redis-exporter',
    what: 'the Redis exporter',
  },
  { bins: ['docker-compose'], apt: 'docker-compose', what: 'docker-compose (for `docker-compose config`)' },
  { bins: ['chromium'], apt: 'chromium', what: 'Chromium (the headless browser the HTML report test opens)' },
  { bins: ['openssl'], apt: 'openssl', what: 'openssl (the throwaway CA of a --tls stack)' },
  // The `ha` topology (docs/failover.md): the failover scenarios and `npm run up -- --topology ha`.
  { bins: ['patroni'], apt: 'patroni', what: "Patroni (the ha topology's PostgreSQL failover)" },
  { bins: ['etcd'], apt: 'etcd-server', what: 'etcd (where Patroni keeps its leader lock)' },
  { bins: ['haproxy'], apt: 'haproxy', what: "HAProxy (the ha topology's one address of the primary)" },
  {
    bins: ['redis-sentinel'],
    apt: 'redis-sentinel',
    what: "Redis Sentinel (the ha topology's Redis failover)",
  },
];

function missingOptionalTools() {
  const has = (names) => names.every((n) => onPath(n));
  return optionalTools.filter((t) => !has(t.bins) && !(t.alt && has(t.alt)));
}

function installWithApt(sudo, missing) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (...args) => {
    const argv = [...sudo, 'apt-get', ...args];
    say(argv.join(' '));
    return run(argv[0], argv.slice(1), { env });
  };
  for (const p of missing) say(`installing ${p.apt} with apt-get (${p.why ?? 'needed by the native stack'})`);
  if (!aptGet('update')) fail('apt-get update failed (see above)');
  const names = missing.map((p) => p.apt);
  if (!aptGet('install', '-y', '--no-install-recommends', ...names)) {
    fail(`apt-get install ${names.join(' ')} failed (see above)`);
  }
  say(
    'note: the Debian packages may start system services (redis on 6379, PostgreSQL on 5432, Prometheus on 9090, ' +
      'the Pushgateway and exporters); faultline never uses them (its stack runs its own servers on free ports)',
  );
}

function ensurePrograms() {
  const missing = missingPrograms();
  const optional = missingOptionalTools().map((t) => ({ ...t, why: `optional: ${t.what}` }));
  const sudo = canUseApt();
  if (missing.length === 0) {
    if (optional.length > 0 && sudo) installWithApt(sudo, optional);
    else if (optional.length > 0) {
      say(
        `note: ${optional.map((t) => t.what).join(', ')} not installed: \`npm run up\` starts no Prometheus and ` +
          `the observability and browser checks are skipped and the ha topology cannot start here (CI installs them). Debian/Ubuntu: apt-get install -y ` +
          `${optional.map((t) => t.apt).join(' ')}`,
      );
    }
    return 'redis-server and PostgreSQL found';
  }
  if (sudo) {
    // One apt-get run for everything missing.
    installWithApt(sudo, [...missing, ...optional]);
  } else if (process.platform === 'darwin' && onPath('brew')) {
    const names = missing.map((p) => p.brew);
    for (const p of missing) say(`installing ${p.brew} with brew (needed by the native stack)`);
    if (!run('brew', ['install', ...names])) fail(`brew install ${names.join(' ')} failed (see above)`);
  } else {
    fail(
      `the native stack needs ${missing.map((p) => p.what).join(' and ')}, which this script cannot install here.\n` +
        `  Debian/Ubuntu (as root): apt-get install -y ${missing.map((p) => p.apt).join(' ')}\n` +
        `  macOS (Homebrew):        brew install ${missing.map((p) => p.brew).join(' ')}\n` +
        '  then run this again.',
    );
  }
  const still = missingPrograms();
  if (still.length > 0) fail(`${still.map((p) => p.what).join(' and ')} still not found after installing`);
  return 'redis-server and PostgreSQL installed';
}

function optionalSummary() {
  const still = missingOptionalTools();
  return still.length === 0
    ? 'optional tools found'
    : `optional tools missing: ${still.map((t) => t.apt).join(', ')}`;
}

checkNode();
const deps = ensureDependencies();
const programs = ensurePrograms();
say(`node ${process.version}, ${deps}, ${programs}, ${optionalSummary()}`);
