/** `server.approvals`: per-call human approvals at the authorization server (docs/approvals.md). */
import { z } from 'zod';

export const approvalsServerSchema = z.strictObject({
  webhook_url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Pending approvals are POSTed here as JSON (tool, agent, person, approval page URL; never the arguments), e.g. a chat bot that pings the approver.'),
});
