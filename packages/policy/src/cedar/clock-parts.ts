/**
 * The time of a call as policies read it: hour, minute and ISO weekday
 * (1 = Monday … 7 = Sunday) in the organization's time zone, so "business
 * hours" means the company's hours, not the server's.
 */
export interface TimeParts {
  hour: number;
  minute: number;
  weekday: number;
  /** YYYY-MM-DD in the time zone. */
  date: string;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const RECENT_SECONDS = 64;

export function timePartsIn(timeZone: string): (epochMs: number) => TimeParts {
  // One formatter per policy: constructing Intl.DateTimeFormat costs far more than formatting.
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
  // The parts of the last few seconds seen: calls arriving in the same second share one formatToParts, which costs
  // more than the rest of the request. Exact: every time zone offset is a whole number of seconds.
  const recent = new Map<number, TimeParts>();
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    const known = recent.get(second);
    if (known) return known;
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(epochMs)) parts[part.type] = part.value;
    const found: TimeParts = Object.freeze({ hour: Number(parts.hour), minute: Number(parts.minute), weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0, date: `${parts.year}-${parts.month}-${parts.day}` });
    if (recent.size >= RECENT_SECONDS) recent.clear();
    recent.set(second, found);
    return found;
  };
}

/** Throws a readable error for a time zone Intl does not know. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin)`);
  }
}
