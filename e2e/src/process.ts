import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ProcessEnv } from './env';

export interface ProcessSpec {
  /** short name, also the log file's name */
  name: string;
  command: string;
  args: string[];
  env: ProcessEnv;
  cwd: string;
  logFile: string;
}

/**
 * One service as a child process with its own process group (so the terminal's Ctrl-C reaches
 * the runner only, which then stops the children in order, and a SIGKILL takes the whole group:
 * the Spark driver's JVM too). stdout and stderr are appended to the log file.
 */
export class ManagedProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exitPromise?: Promise<number | null>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  /** times this process was started */
  starts = 0;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** how it ended, once it did */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  start(): void {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    this.exitInfo = undefined;
    this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(
      `\n===== ${this.spec.name} started ${new Date().toISOString()}: ${this.spec.command} ${this.spec.args.join(' ')}\n`,
    );
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.starts++;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exitPromise = new Promise((resolve) => {
      child.once('error', (e) => {
        this.log?.write(`\n===== ${this.spec.name} could not start: ${e.message}\n`);
        this.exitInfo = { code: null, signal: null };
        resolve(null);
      });
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.log?.write(`\n===== ${this.spec.name} exited: ${signal ?? `code ${code}`}\n`);
        resolve(code);
      });
    });
  }

  /** Resolves with the exit code when the process ends (null when killed by a signal). */
  waitExit(): Promise<number | null> {
    return this.exitPromise ?? Promise.resolve(null);
  }

  /** SIGKILL to the whole group, at once (the fault case, or a process that ignored SIGTERM). */
  async kill9(): Promise<void> {
    if (!this.running || this.child?.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGKILL');
    await this.waitExit();
  }

  /** SIGTERM, then SIGKILL to the group when it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<'exited' | 'killed' | 'not running'> {
    if (!this.running || this.child?.pid === undefined) return 'not running';
    const pid = this.child.pid;
    signalGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (r) => (timer = setTimeout(() => r('timeout'), timeoutMs)),
    );
    const result = await Promise.race([this.waitExit().then(() => 'exited' as const), timedOut]);
    clearTimeout(timer);
    // A child of the group may outlive its parent (the JVM of a Python driver): end the group.
    signalGroup(pid, 'SIGKILL');
    if (result === 'timeout') {
      await this.waitExit();
      return 'killed';
    }
    return 'exited';
  }

  closeLog(): void {
    this.log?.end();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
