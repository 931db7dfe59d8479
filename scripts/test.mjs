#!/usr/bin/env node
// The whole test suite: type-checks, lint, build, vitest (unit + integration), Playwright (e2e in Chromium).
// Prints a breakdown and, last, one line `N passed, N failed[, N skipped]` computed from the runners' JSON
// reports, where each static check counts as one test, a test file that failed to load counts as a failure,
// and a runner that executed no test counts as a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireNode24 } from './node-check.mjs';

requireNode24('npm test');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);

const only = process.argv.slice(2); // e.g. `npm test -- vitest` runs only the named steps
const want = (step) => only.length === 0 || only.includes(step);

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(label, command, args) {
  process.stdout.write(`\n=== ${label}: ${[command, ...args].map((a) => a.replace(root + '/', '')).join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  return result.status === 0;
}

function check(label, command, args) {
  const ok = run(label, command, args);
  if (ok) totals.passed += 1;
  else totals.failed += 1;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  return ok;
}

if (want('typecheck')) {
  check('typecheck: node code', bin('tsc'), ['-p', 'tsconfig.node.json']);
  check('typecheck: config files', bin('tsc'), ['-p', 'tsconfig.config.json']);
  check('typecheck: renderer (vue-tsc)', bin('vue-tsc'), ['-p', 'tsconfig.web.json']);
}
if (want('lint')) check('lint: eslint (import boundaries)', bin('eslint'), ['.', '--max-warnings', '0']);
let built = true;
if (want('build') || want('e2e')) built = check('build: electron-vite build', bin('electron-vite'), ['build']);

if (want('vitest')) {
  const file = join(reports, 'vitest.json');
  run('vitest: unit and integration', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  tally('vitest', readVitest(file));
}
if (want('e2e')) {
  const file = join(reports, 'playwright.json');
  if (built) {
    run('playwright: e2e in Chromium (web mode)', bin('playwright'), ['test']);
    tally('playwright', readPlaywright(file));
  } else {
    tally('playwright', { passed: 0, failed: 1, skipped: 0, note: 'not run: the build failed' });
  }
}

function tally(label, counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  lines.push(`${counts.failed === 0 ? 'ok  ' : 'FAIL'} ${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${counts.note ? ` (${counts.note})` : ''}`);
}

function readJson(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Vitest's JSON report (Jest-compatible): a file that failed to load has status 'failed' and no assertions. */
function readVitest(file) {
  const report = readJson(file);
  if (report === null) return { passed: 0, failed: 1, skipped: 0, note: 'no JSON report: vitest did not finish' };
  const counts = { passed: report.numPassedTests ?? 0, failed: report.numFailedTests ?? 0, skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0) };
  const brokenFiles = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).every((a) => a.status !== 'failed'));
  if (brokenFiles.length > 0) {
    counts.failed += brokenFiles.length;
    counts.note = `${brokenFiles.length} file(s) failed outside a test: ${brokenFiles.map((r) => r.name.replace(root + '/', '')).join(', ')}`;
  }
  if (counts.passed + counts.failed === 0) return { ...counts, failed: 1, note: 'no test executed' };
  return counts;
}

/** Playwright's JSON report: stats.expected / unexpected / flaky / skipped; errors[] holds files that failed to load. */
function readPlaywright(file) {
  const report = readJson(file);
  if (report === null) return { passed: 0, failed: 1, skipped: 0, note: 'no JSON report: playwright did not finish' };
  const stats = report.stats ?? {};
  const counts = { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed: stats.unexpected ?? 0, skipped: stats.skipped ?? 0 };
  const loadErrors = (report.errors ?? []).length;
  if (loadErrors > 0) {
    counts.failed += loadErrors;
    counts.note = `${loadErrors} error(s) outside a test`;
  }
  if (counts.passed + counts.failed === 0) return { ...counts, failed: 1, note: 'no test executed' };
  return counts;
}

const summary = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
writeFileSync(join(reports, 'summary.txt'), summary + '\n');
process.stdout.write(`\n=== summary\n${lines.join('\n')}\n${summary}\n`);
process.exitCode = totals.failed === 0 ? 0 : 1;
