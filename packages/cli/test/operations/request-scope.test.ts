/**
 * The request scope is disabled when the last request in it ends
 * (operations/request-scope.ts), never while another is still running.
 */
import { describe, expect, it } from 'vitest';
import { requestScope, runInRequestScope } from '../../src/operations/request-scope.ts';

describe('request scope', () => {
  it('a request that ends does not take the scope from one still running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const longer = runInRequestScope({ requestId: 'long' }, async () => {
      await gate;
      await Promise.resolve();
      return requestScope.getStore()?.requestId;
    });
    const shorter = await runInRequestScope({ requestId: 'short' }, async () => {
      await Promise.resolve();
      return requestScope.getStore()?.requestId;
    });
    release();
    expect(shorter).toBe('short');
    expect(await longer).toBe('long');
  });

  it('once no request is in it, the scope is gone (its async hooks off) until the next request enters it', async () => {
    await runInRequestScope({ requestId: 'a' }, async () => {});
    expect(requestScope.getStore()).toBeUndefined();
    expect(await runInRequestScope({ requestId: 'b' }, async () => requestScope.getStore()?.requestId)).toBe('b');
  });
});
