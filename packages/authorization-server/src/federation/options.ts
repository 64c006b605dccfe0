/** Options of enterprise sign-in (issue 13); all optional. */
export interface FederationOptions {
  /** Where `client_secret_env` names are looked up. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** DNS TXT lookup for domain verification through the admin API. Default: node:dns resolveTxt (tests inject one). */
  resolveTxt?: (name: string) => Promise<string[][]>;
}
