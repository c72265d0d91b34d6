// A forked TypeScript child (tsx import hook) with a small message protocol: the parent sends
// commands, the child answers with typed messages; `next(type)` waits for the next one of a type.

import { fork, type ChildProcess } from 'node:child_process';

export interface ChildMessage { type: string; [key: string]: unknown }

export class Child {
  private readonly proc: ChildProcess;
  private readonly queue: ChildMessage[] = [];
  private readonly waiters: { type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | null = null;
  /** every message of these types also goes here as it arrives (event reports) */
  onMessage: ((m: ChildMessage) => void) | null = null;

  constructor(entry: string, args: string[] = [], execArgv: string[] = []) {
    this.proc = fork(entry, args, { execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: ChildMessage) => {
      this.onMessage?.(m);
      const i = this.waiters.findIndex((w) => w.type === m.type || m.type === 'error');
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        if (m.type === 'error') w?.reject(new Error(`${entry}: ${String(m.message)}`));
        else w?.resolve(m);
      } else this.queue.push(m);
    });
    this.proc.on('exit', (code) => {
      this.exited = new Error(`${entry} exited (${code})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  send(message: ChildMessage): void {
    this.proc.send(message);
  }

  next<T extends ChildMessage>(type: string, timeoutMs = 600_000): Promise<T> {
    const i = this.queue.findIndex((m) => m.type === type || m.type === 'error');
    if (i >= 0) {
      const [m] = this.queue.splice(i, 1) as [ChildMessage];
      return m.type === 'error' ? Promise.reject(new Error(String(m.message))) : Promise.resolve(m as T);
    }
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" from the child within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (m) => { clearTimeout(timer); resolve(m as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
}

/** Reports a failure of a child's command to the parent instead of crashing silently. */
export function reportErrors(run: () => Promise<void>): void {
  run().catch((err: unknown) => process.send?.({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }));
}
