// The open-loop delta-sync load of the fleet benchmark, in its own process: for each step, every
// request is signed BEFORE the step starts (so signing does not compete with the server for the
// cores while it is measured), then sent at its scheduled moment whatever the server's answers
// do; latency runs from the scheduled moment to the last byte (a slow server is not allowed to
// slow the arrivals down, so queueing shows in the tail).

import { Agent, request } from 'node:http';
import { reportErrors } from './ipc';
import { signedHeaders, type FleetDevice } from './sign';

export interface LoadStep { rate: number; sent: number; ok: number; errors: number; p50Ms: number; p99Ms: number; sampleError?: string }
interface StepCommand { type: 'step'; baseUrl: string; devices: (FleetDevice & { cursor: string })[]; rate: number; durationS: number; sockets: number }

const PULL_PATH = '/v1/sync/pull';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function step(m: StepCommand): Promise<LoadStep> {
  const total = Math.max(1, Math.round(m.rate * m.durationS));
  const prepared = Array.from({ length: total }, (_, i) => {
    const device = m.devices[i % m.devices.length] as FleetDevice & { cursor: string };
    const body = JSON.stringify({ cursor: device.cursor, limit: 500 });
    return { body, headers: signedHeaders(device, 'POST', PULL_PATH, body) };
  });
  const url = new URL(m.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: m.sockets });
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let sampleError: string | undefined;
  let done = 0;
  const start = performance.now() + 20;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const finish = (scheduled: number, good: boolean, error?: string) => {
      latencies.push(performance.now() - scheduled);
      if (good) ok++;
      else { errors++; sampleError ??= error; }
      if (++done === total) resolve();
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * m.rate) + 1);
      for (; sent < due; sent++) {
        const scheduled = start + (sent / m.rate) * 1000;
        const p = prepared[sent] as { body: string; headers: Record<string, string> };
        const req = request({ host: url.hostname, port: url.port, path: PULL_PATH, method: 'POST', agent, headers: p.headers }, (res) => {
          res.resume();
          res.on('end', () => finish(scheduled, res.statusCode === 200, `HTTP ${res.statusCode}`));
        });
        req.on('error', (err) => finish(scheduled, false, err.message));
        req.end(p.body);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: m.rate, sent: total, ok, errors, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), ...(sampleError ? { sampleError } : {}) };
}

process.on('message', (m: StepCommand) => {
  reportErrors(async () => {
    process.send?.({ type: 'step', result: await step(m) });
  });
});
process.on('SIGTERM', () => process.exit(0));
