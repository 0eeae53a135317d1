'use strict';
/**
 * bench/results/latest.json holds the newest figure of every benchmark under stable keys; each
 * benchmark merges its own keys (and a details section) without touching the others'. Every call
 * also appends one line to bench/results/history.jsonl — the figures with the commit, the time and
 * the machine's load average — so a regression shows against the runs before it.
 * (spark/bench/drain.py writes both files the same way.)
 */
const { execFileSync } = require('node:child_process');
const { appendFileSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIR = path.join(__dirname, 'results');
const FILE = path.join(DIR, 'latest.json');
const HISTORY = path.join(DIR, 'history.jsonl');

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const [load1, load5, load15] = os.loadavg().map((v) => Math.round(v * 100) / 100);
  return { cpus: os.cpus().length, node: process.version, load1, load5, load15 };
}

function recordResults(keys, details = {}) {
  let current = {};
  try {
    current = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    // first run, or an unreadable file: start afresh
  }
  const at = new Date().toISOString();
  const m = machine();
  const next = {
    ...current,
    ...keys,
    details: { ...(current.details ?? {}), ...details },
    machine: m,
    at,
  };
  mkdirSync(DIR, { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(next, null, 2)}\n`);
  appendFileSync(
    HISTORY,
    `${JSON.stringify({ at, commit: commit(), stages: Object.keys(details), load: [m.load1, m.load5, m.load15], cpus: m.cpus, figures: keys })}\n`,
  );
}

module.exports = { recordResults, RESULTS_FILE: FILE, HISTORY_FILE: HISTORY };
