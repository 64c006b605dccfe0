import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../src/index.ts';

const IDLE = 30 * 60_000;
const initialize = { clientInfo: { name: 'Claude Desktop', version: '1.0' } };
const inSession = (session: string) => new Headers({ 'mcp-session-id': session });

describe('ClientDirectory: sessions whose clients never send DELETE do not stay for ever', () => {
  it('forgets a session idle for idleMs once another session starts, though it never sent DELETE', () => {
    let now = 0;
    const clients = new ClientDirectory(10_000, () => now, IDLE);
    for (let i = 0; i < 5; i++) clients.initialized(`abandoned-${i}`, initialize, 'client-1');
    expect(clients.size).toBe(5);
    now += IDLE;
    clients.initialized('new', initialize, 'client-1');
    expect(clients.size).toBe(1);
    expect(clients.callerOf(inSession('abandoned-0'), {}, 'client-1')).toEqual({ sessionId: 'abandoned-0' });
  });

  it('keeps a session in use: each call names its client and restarts its idle time', () => {
    let now = 0;
    const clients = new ClientDirectory(10_000, () => now, IDLE);
    clients.initialized('busy', initialize, 'client-1');
    clients.initialized('quiet', initialize, 'client-1');
    now += IDLE - 1;
    expect(clients.callerOf(inSession('busy'), {}, 'client-1')).toEqual({ sessionId: 'busy', clientName: 'Claude Desktop', clientVersion: '1.0' });
    now += IDLE - 1;
    clients.initialized('next', initialize, 'client-1');
    expect(clients.size).toBe(2);
    expect(clients.callerOf(inSession('busy'), {}, 'client-1').clientName).toBe('Claude Desktop');
    expect(clients.callerOf(inSession('quiet'), {}, 'client-1').clientName).toBeUndefined();
  });

  it('does not name the client of a session idle past idleMs even before anything sweeps it', () => {
    let now = 0;
    const clients = new ClientDirectory(10_000, () => now, IDLE);
    clients.initialized('s', initialize, 'client-1');
    now += IDLE;
    expect(clients.callerOf(inSession('s'), {}, 'client-1')).toEqual({ sessionId: 's' });
  });
});
