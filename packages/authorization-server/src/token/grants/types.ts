import type { Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import type { FormParams } from '../form.ts';
import type { TokenResponseBody } from '../mint.ts';

/** One grant type's handler: the client is already authenticated, the form already parsed. */
export type GrantHandler = (ctx: ServerContext, client: Client, form: FormParams) => Promise<TokenResponseBody>;
