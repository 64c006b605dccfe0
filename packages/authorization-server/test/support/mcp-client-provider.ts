/**
 * An in-memory OAuthClientProvider for the official MCP SDK client: what a
 * desktop MCP client keeps per server (registration, tokens, PKCE verifier,
 * discovery state). The authorization URL the SDK wants opened is recorded
 * so the test can hand it to the browser.
 */
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { randomToken } from '@gatehouse-auth/core';

export interface RecordingProviderOptions {
  redirectUrl: string;
  clientName: string;
  /** Set: the client identifies itself by this Client ID Metadata Document URL (CIMD). */
  clientMetadataUrl?: string;
}

export class RecordingOAuthProvider implements OAuthClientProvider {
  /** Every authorization URL the SDK asked to open, newest last. */
  readonly authorizationUrls: URL[] = [];
  /** Every token response saved, oldest first (the current one is `tokens()`). */
  readonly savedTokens: OAuthTokens[] = [];
  private current: OAuthTokens | undefined;
  clientInfo: OAuthClientInformationMixed | undefined;
  private verifier = '';
  private discovery: OAuthDiscoveryState | undefined;
  private lastState = '';
  readonly clientMetadataUrl: string | undefined;

  constructor(private readonly options: RecordingProviderOptions) {
    this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    // application_type: MCP 2026-07-28 requires DCR clients to send it (SEP-837).
    return {
      client_name: this.options.clientName,
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    } as OAuthClientMetadata;
  }

  state(): string {
    this.lastState = randomToken(16);
    return this.lastState;
  }

  /** The `state` sent with the latest authorization request. */
  get expectedState(): string {
    return this.lastState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.clientInfo;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.clientInfo = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.current;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens.push(tokens);
    this.current = tokens;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'client') this.clientInfo = undefined;
    if (scope === 'all' || scope === 'tokens') this.current = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = '';
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrls.push(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}
