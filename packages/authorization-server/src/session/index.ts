/** Mounts the people-facing routes: /login, /signup, /logout. */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { showLogin, submitLogin } from './login.ts';
import { showSignup, submitSignup } from './signup.ts';
import { submitLogout } from './logout.ts';
import { warmDummyHash } from './password.ts';

export function mountSession(app: Hono<AppEnv>, ctx: ServerContext): void {
  warmDummyHash();
  app.get('/login', (c) => showLogin(c, ctx));
  app.post('/login', (c) => submitLogin(c, ctx));
  app.get('/signup', (c) => showSignup(c, ctx));
  app.post('/signup', (c) => submitSignup(c, ctx));
  app.post('/logout', (c) => submitLogout(c, ctx));
}
