'use strict';
/**
 * bench/results/latest.json holds the newest figure of every benchmark under stable keys; each
 * benchmark merges its own keys (and a details section) without touching the others'.
 */
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FILE = path.join(__dirname, 'results', 'latest.json');

function recordResults(keys, details = {}) {
  let current = {};
  try {
    current = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    // first run, or an unreadable file: start afresh
  }
  const next = {
    ...current,
    ...keys,
    details: { ...(current.details ?? {}), ...details },
    machine: { cpus: os.cpus().length, node: process.version, load1: os.loadavg()[0] },
    at: new Date().toISOString(),
  };
  mkdirSync(path.dirname(FILE), { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(next, null, 2)}\n`);
}

module.exports = { recordResults, RESULTS_FILE: FILE };
