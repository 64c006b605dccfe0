/**
 * SSRF-safe retrieval of a metadata document (draft §5, §8.6, §8.7):
 * resolve and vet the host's addresses, connect only to the vetted one,
 * never follow redirects, accept only 200, cap the body (Content-Length and
 * while streaming) and abort after a deadline.
 */
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import { judgeAddress } from './address.ts';
import { pinnedLookup, type HostResolver, type ResolvedAddress } from './lookup.ts';

export interface FetchLimits {
  allowLoopback: boolean;
  timeoutMs: number;
  maxBytes: number;
}

export interface FetchedDocument {
  body: unknown;
  cacheControl: string | null;
}

/** Why a fetch failed; the reason is logged, the client only sees invalid_client. */
export class DocumentFetchError extends Error {
  override readonly name = 'DocumentFetchError';
}

export async function fetchMetadataDocument(url: URL, limits: FetchLimits, resolve: HostResolver): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const target = await vettedAddress(url.hostname, limits, resolve, signal);
  const agent = new Agent({ connect: { lookup: pinnedLookup(target), timeout: limits.timeoutMs }, pipelining: 0 });
  try {
    const response = await request(url, {
      method: 'GET',
      dispatcher: agent,
      signal,
      headers: { accept: 'application/json' },
    }).catch((error: unknown) => {
      throw new DocumentFetchError(signal.aborted ? 'fetch timed out' : `fetch failed: ${(error as Error).message}`);
    });
    // Aborting a body we refuse to read must not surface as an unhandled stream error.
    response.body.on('error', () => {});
    if (response.statusCode >= 300 && response.statusCode < 400) {
      await response.body.dump();
      throw new DocumentFetchError(`redirect (${response.statusCode}) refused: metadata documents are never followed`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new DocumentFetchError(`status ${response.statusCode}`);
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      response.body.destroy();
      throw new DocumentFetchError(`Content-Length ${declared} exceeds ${limits.maxBytes} bytes`);
    }
    const text = await readCapped(response.body, limits.maxBytes, signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DocumentFetchError('document is not JSON');
    }
    const cacheControl = response.headers['cache-control'];
    return { body, cacheControl: typeof cacheControl === 'string' ? cacheControl : null };
  } finally {
    void agent.destroy().catch(() => {});
  }
}

async function vettedAddress(hostname: string, limits: FetchLimits, resolve: HostResolver, signal: AbortSignal): Promise<ResolvedAddress> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let answers: ResolvedAddress[];
  if (ipaddr.isValid(bare)) {
    answers = [{ address: bare, family: bare.includes(':') ? 6 : 4 }];
  } else {
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new DocumentFetchError('DNS lookup timed out')), { once: true }));
    answers = await Promise.race([resolve(bare), aborted]).catch((error: unknown) => {
      throw error instanceof DocumentFetchError ? error : new DocumentFetchError(`DNS lookup failed: ${(error as Error).message}`);
    });
  }
  if (answers.length === 0) throw new DocumentFetchError('host has no addresses');
  // Every answer must pass: an attacker controlling DNS picks which one we would use otherwise.
  for (const answer of answers) {
    const verdict = judgeAddress(answer.address, limits);
    if (!verdict.allowed) throw new DocumentFetchError(`host resolves to a special-use address (${verdict.range})`);
  }
  return answers[0] as ResolvedAddress;
}

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, maxBytes: number, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        body.destroy();
        throw new DocumentFetchError(`document exceeds ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof DocumentFetchError) throw error;
    throw new DocumentFetchError(signal.aborted ? 'fetch timed out' : `reading the document failed: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
