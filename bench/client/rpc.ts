// Parent ↔ client-process messages. The client side of the benchmark runs in its own process
// (like the desktop app would), so its peak memory is its own and the server does not share
// its event loop.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RpcRequest {
  id: number;
  cmd: string;
  args: unknown;
}
export type RpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
export interface RpcProgress {
  progress: string;
}

const CHILD_ENTRY = fileURLToPath(new URL('./process.ts', import.meta.url));

export class ClientProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly child: ChildProcess;
  private exited: Error | null = null;

  /** `extraExecArgv`: e.g. --cpu-prof flags to profile the client side. */
  constructor(onProgress: (message: string) => void, extraExecArgv: readonly string[] = []) {
    // tsx as an import hook: the child runs the TypeScript sources directly, under vitest too.
    this.child = fork(CHILD_ENTRY, [], { execArgv: ['--import', 'tsx', ...extraExecArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (msg: RpcReply | RpcProgress) => {
      if ('progress' in msg) {
        onProgress(msg.progress);
        return;
      }
      const waiter = this.waiting.get(msg.id);
      if (!waiter) return;
      this.waiting.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(msg.error));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the client process exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.exited);
      this.waiting.clear();
    });
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args } satisfies RpcRequest);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    // A clean exit first (a CPU profile is written only then), a signal if it hangs.
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
