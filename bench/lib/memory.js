'use strict';
/**
 * Resident memory of processes, read from /proc: RSS (VmRSS) and PSS (smaps_rollup: shared pages
 * split among the processes sharing them, so summing PSS over many processes does not count
 * PostgreSQL's shared buffers or a JVM's mapped jars twice). A service is its process and every
 * descendant (the Spark driver's JVM under its Python, PostgreSQL's backends under the postmaster).
 */
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { root } = require('./common');

function readKb(file, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone, or not ours to read
  }
}

/** pid -> parent pid, for every process. */
function parents() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // the command may hold spaces and parentheses: the fields start after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(d), ppid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The pid and all its descendants. */
function tree(pid, parentOf = parents()) {
  const children = new Map();
  for (const [p, pp] of parentOf) {
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(p);
  }
  const out = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    if (!parentOf.has(p)) continue;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** RSS and PSS (MB) of a process tree (`pids`: the process and its descendants, from `tree`). */
function treeMemory(pids) {
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    rss += readKb(`/proc/${p}/status`, 'VmRSS');
    pss += readKb(`/proc/${p}/smaps_rollup`, 'Pss');
  }
  return { rssMb: Math.round(rss / 1024), pssMb: Math.round(pss / 1024), processes: pids.length };
}

const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** CPU seconds (user + system) a process and its descendants have used so far. */
function treeCpuSeconds(pid, parentOf = parents(), pids = tree(pid, parentOf)) {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // exited meanwhile
    }
  }
  return ticks / TICKS;
}

/** The native stack's services and their pids, as `deploy/local/stack.sh status` lists them. */
function stackProcesses() {
  let out = '';
  try {
    out = execFileSync(path.join(root, 'deploy/local/stack.sh'), ['status'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    out = e.stdout ?? ''; // exit 1 when one is down: the others still count
  }
  const found = {};
  for (const line of out.split('\n')) {
    const c = line.trim().split(/\s+/);
    if (c.length >= 4 && /^\d+$/.test(c[3]) && c[1] === 'Running') found[c[0]] = Number(c[3]);
  }
  return found;
}

/**
 * Samples named processes (name -> pid, or a function returning the current map) every
 * `intervalMs`: the peak and mean RSS/PSS of each and of their sum, and the CPU each used.
 */
class MemorySampler {
  constructor(processes, intervalMs = 1_000) {
    this.processes = processes;
    this.intervalMs = intervalMs;
    this.samples = 0;
    this.byName = new Map();
    this.total = { peakRssMb: 0, peakPssMb: 0, sumRss: 0, sumPss: 0 };
  }

  sample() {
    const procs = typeof this.processes === 'function' ? this.processes() : this.processes;
    const parentOf = parents();
    let rss = 0;
    let pss = 0;
    for (const [name, pid] of Object.entries(procs)) {
      if (!pid) continue;
      const pids = tree(pid, parentOf);
      const m = treeMemory(pids);
      if (m.processes === 0) continue;
      const s = this.byName.get(name) ?? { peakRssMb: 0, peakPssMb: 0, sumRss: 0, sumPss: 0, n: 0 };
      // CPU: from this process's first sample to its last; a restarted one (a new pid) counts on
      // from its new start, what the old one used up to its last sample kept
      const cpu = treeCpuSeconds(pid, parentOf, pids);
      const now = Date.now();
      if (s.pid !== pid)
        Object.assign(s, {
          pid,
          cpu0: cpu,
          cpuAt0: now,
          cpuBefore: s.cpuSeconds ?? 0,
          spanBefore: s.cpuSpanMs ?? 0,
        });
      s.cpuSeconds = s.cpuBefore + (cpu - s.cpu0);
      s.cpuSpanMs = s.spanBefore + (now - s.cpuAt0);
      s.peakRssMb = Math.max(s.peakRssMb, m.rssMb);
      s.peakPssMb = Math.max(s.peakPssMb, m.pssMb);
      s.sumRss += m.rssMb;
      s.sumPss += m.pssMb;
      s.n++;
      this.byName.set(name, s);
      rss += m.rssMb;
      pss += m.pssMb;
    }
    this.samples++;
    const t = this.total;
    t.peakRssMb = Math.max(t.peakRssMb, rss);
    t.peakPssMb = Math.max(t.peakPssMb, pss);
    t.sumRss += rss;
    t.sumPss += pss;
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return this.result();
  }

  /**
   * { processes: {name: {peakRssMb, meanRssMb, peakPssMb, meanPssMb, cpuSeconds, cores}}, total: {...} }:
   * `cores` is the CPU the process and its descendants used between its first and last sample, in
   * cores (1.0: one core busy all along; the machine's whole is os.cpus().length).
   */
  result() {
    const mean = (sum, n) => Math.round(sum / Math.max(1, n));
    const processes = {};
    for (const [name, s] of [...this.byName].sort(([a], [b]) => a.localeCompare(b))) {
      const cores = s.cpuSpanMs > 0 ? s.cpuSeconds / (s.cpuSpanMs / 1000) : 0;
      processes[name] = {
        peakRssMb: s.peakRssMb,
        meanRssMb: mean(s.sumRss, s.n),
        peakPssMb: s.peakPssMb,
        meanPssMb: mean(s.sumPss, s.n),
        cpuSeconds: Math.round(s.cpuSeconds * 10) / 10,
        cores: Math.round(cores * 100) / 100,
      };
    }
    const t = this.total;
    const cores = Object.values(processes).reduce((a, p) => a + p.cores, 0);
    return {
      samples: this.samples,
      processes,
      total: {
        peakRssMb: t.peakRssMb,
        meanRssMb: mean(t.sumRss, this.samples),
        peakPssMb: t.peakPssMb,
        meanPssMb: mean(t.sumPss, this.samples),
        cores: Math.round(cores * 100) / 100,
      },
    };
  }
}

module.exports = { MemorySampler, stackProcesses, treeMemory, treeCpuSeconds, tree };
