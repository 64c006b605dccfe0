/**
 * Per-network limit on registrations (a flood of DCR requests fills the
 * client table; Auth0 caps DCR at 5/s): the shared client-creation limit
 * (clients/creation-limit.ts), which first-seen metadata documents count
 * against too. The address is the one login throttling uses
 * (session/client-ip.ts: the socket peer, or the entry our own trusted
 * proxy appended).
 */
import type { Context } from 'hono';
import type { AppEnv, ServerContext } from '../../context.ts';
import { clientIp } from '../../session/client-ip.ts';
import { countClientCreation } from '../creation-limit.ts';

export const enforceRegistrationRateLimit = (ctx: ServerContext, c: Context<AppEnv>): Promise<void> => countClientCreation(ctx, { address: clientIp(c) });
