/**
 * The MRTR `requestState` of a held call (MCP 2026-07-28: the client must
 * echo it back untouched and treat it as opaque). Sealed with AES-256-GCM
 * (node:crypto), so the client can neither read what it binds nor change
 * one bit of it: a modified or forged blob fails authentication and is
 * refused. It names the approval and what it is bound to (tool, argument
 * hash, agent, subject, resource) and when it lapses; single use is
 * enforced by the authorization server, not by this blob.
 *
 * Format: base64url( 12-byte IV | ciphertext | 16-byte tag ), with a fixed
 * associated-data label so a blob sealed for another purpose with the same
 * key never opens here.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface ApprovalState {
  v: 1;
  /** Approval id at the authorization server. */
  approvalId: string;
  tool: string;
  argumentsSha256: string;
  clientId: string;
  subject: string;
  resource: string;
  /** The approval page, shown again while the approval is undecided. */
  url: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const AAD = Buffer.from('gatehouse/approval-request-state/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key from base64url (or raw bytes); anything else is a startup error. */
export function stateKey(key: string | Uint8Array): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64url') : Buffer.from(key);
  if (bytes.length !== 32) throw new Error('the approval state key must be 32 bytes (base64url of 32 random bytes, e.g. `openssl rand -base64 32`)');
  return bytes;
}

export function sealState(key: Buffer, state: ApprovalState): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The state, or undefined when the blob is malformed, modified, forged or sealed with another key. */
export function openState(key: Buffer, blob: string): ApprovalState | undefined {
  if (blob.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(blob)) return undefined;
  const bytes = Buffer.from(blob, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES + 2) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(AAD);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    const state = JSON.parse(plain) as ApprovalState;
    return state.v === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}
