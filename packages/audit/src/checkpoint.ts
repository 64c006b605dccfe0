/**
 * Signed checkpoints: an Ed25519 signature over the canonical JSON of
 * `{at, chain, hash, kid, seq}`. A copy kept off the box (export them, ship
 * them to the SIEM) is what catches a rewritten or truncated chain: the
 * chain alone cannot, since whoever can write the table can recompute it
 * (security-catalogue "Audit log tamper evidence"; CloudTrail's signed
 * digests are the precedent).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditCheckpointRow, CheckpointReason } from '@gatehouse-auth/store';
import { canonicalJson } from './canonical.ts';

export interface AuditSigner {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** kid = first 16 characters of the base64url SHA-256 of the public key (SPKI DER). */
export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 16);

export function generateAuditSigner(): AuditSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid: keyIdOf(publicKey), privateKey, publicKey };
}

/** From a PKCS#8 PEM private key (what `gatehouse audit keygen` writes). */
export function loadAuditSigner(privateKeyPem: string): AuditSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  return { kid: keyIdOf(publicKey), privateKey, publicKey };
}

export function loadAuditPublicKey(publicKeyPem: string): KeyObject {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('audit public keys are Ed25519');
  return key;
}

const signedBytes = (c: Pick<AuditCheckpointRow, 'at' | 'chain' | 'hash' | 'kid' | 'seq'>): Buffer => Buffer.from(canonicalJson({ at: c.at, chain: c.chain, hash: c.hash, kid: c.kid, seq: c.seq }));

export function signCheckpoint(signer: AuditSigner, head: { chain: string; seq: number; hash: string }, at: string, reason: CheckpointReason): AuditCheckpointRow {
  const unsigned = { chain: head.chain, seq: head.seq, hash: head.hash, at, kid: signer.kid };
  const signature = sign(null, signedBytes(unsigned), signer.privateKey).toString('base64url');
  return { ...unsigned, signature, reason };
}

/** True when one of `publicKeys` with the checkpoint's kid signed it. */
export function checkpointSignatureValid(checkpoint: AuditCheckpointRow, publicKeys: KeyObject[]): boolean {
  return publicKeys.some((key) => keyIdOf(key) === checkpoint.kid && verify(null, signedBytes(checkpoint), key, Buffer.from(checkpoint.signature, 'base64url')));
}

/**
 * The signer a Gatehouse process uses for periodic checkpoints: the PEM
 * file named by GATEHOUSE_AUDIT_KEY_FILE, or none (then only
 * `gatehouse audit checkpoint` signs, e.g. from cron).
 */
export function auditSignerFromEnv(env: NodeJS.ProcessEnv = process.env): AuditSigner | undefined {
  const file = env.GATEHOUSE_AUDIT_KEY_FILE;
  return file === undefined || file === '' ? undefined : loadAuditSigner(readFileSync(file, 'utf8'));
}
