/** Polls a condition (no timed assertions: we wait for a state, not for a duration). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
