// A process that holds event streams for part of the fleet (a process may hold only so many open
// files, so the fleet is spread over several of these). It opens each device's GET /v1/events,
// waits for the first ping, and reports every `revoked` and `scope-changed` event with the wall
// time it arrived (the parent compares it with the time it made the change).

import { request, type ClientRequest } from 'node:http';
import { EVENTS_PATH } from '../../server/events/stream';
import { reportErrors } from './ipc';
import { signedHeaders, type FleetDevice } from './sign';

interface OpenCommand { type: 'open'; devices: (FleetDevice & { url: string })[]; concurrency: number }

const open = new Map<string, ClientRequest>();
const now = () => performance.timeOrigin + performance.now();

function openStream(baseUrl: string, device: FleetDevice): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl + EVENTS_PATH);
    const req = request({ host: url.hostname, port: url.port, path: EVENTS_PATH, method: 'GET', headers: signedHeaders(device, 'GET', EVENTS_PATH), agent: false });
    req.setTimeout(0);
    req.on('error', (err) => { open.delete(device.id); reject(err); });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`stream of ${device.id}: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let live = false;
      res.on('data', (chunk: string) => {
        const at = now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.+)$/m.exec(block)?.[1];
          if (!live) { live = true; resolve(); }
          if (type === 'revoked' || type === 'scope-changed') process.send?.({ type: 'event', event: type, deviceId: device.id, at });
        }
      });
      res.on('end', () => open.delete(device.id));
      res.on('error', () => open.delete(device.id));
    });
    open.set(device.id, req);
    req.end();
  });
}

process.on('message', (m: OpenCommand | { type: 'close' }) => {
  if (m.type === 'close') {
    for (const req of open.values()) req.destroy();
    open.clear();
    process.send?.({ type: 'closed' });
    return;
  }
  reportErrors(async () => {
    const started = now();
    let next = 0;
    let failed = 0;
    let firstError: string | undefined;
    const worker = async () => {
      while (next < m.devices.length) {
        const i = next++;
        const device = m.devices[i] as FleetDevice & { url: string };
        try {
          await openStream(device.url, device);
        } catch (err) {
          failed++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    };
    await Promise.all(Array.from({ length: m.concurrency }, worker));
    process.send?.({ type: 'opened', count: open.size, failed, firstError, ms: now() - started, rssMb: process.memoryUsage().rss / 2 ** 20 });
  });
});
process.on('SIGTERM', () => process.exit(0));
