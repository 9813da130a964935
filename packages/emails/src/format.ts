/** The locale of every email: the templates are English-only. */
export const EMAIL_LOCALE = "en-US";

/** A call's start as the recipient reads it, in their own time zone. */
export interface FormattedCallTime {
  /** "Wednesday, January 15, 2025" */
  date: string;
  /** "3:30 PM" */
  time: string;
  /** Short zone label at that instant, e.g. "GMT+1" or "EST". */
  zoneShort: string;
  /** Long zone name at that instant, e.g. "Central European Standard Time". */
  zoneLong: string;
  /** The IANA name given, e.g. "Europe/Paris". */
  timeZone: string;
  /** "Wednesday, January 15, 2025 at 3:30 PM (GMT+1)" */
  full: string;
}

// ICU puts a narrow no-break space before AM/PM; some mail clients render it as a box, and a plain
// space reads the same.
function tidy(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, " ");
}

// Building an Intl formatter costs far more than using one (it was ~11% of a render): keep one per
// (zone, kind). Zones are a small set (the recipients' IANA names), so the cache stays small.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(EMAIL_LOCALE, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

function zoneName(instant: Date, timeZone: string, style: "short" | "long"): string {
  const parts = formatter(timeZone, `zone-${style}`, { timeZoneName: style }).formatToParts(instant);
  return tidy(parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone);
}

// Everything shown is at minute precision, and zone offsets change on whole minutes: one
// formatting per (zone, minute) serves every email about calls starting in it (four Intl calls
// were ~4% of the email worker's CPU). Bounded: cleared when it reaches CALL_TIME_CACHE_SIZE.
const CALL_TIME_CACHE_SIZE = 10_000;
const callTimes = new Map<string, FormattedCallTime>();

/** Formats an ISO instant for a recipient in `timeZone` (date, time and zone name shown). */
export function formatCallTime(isoDateTime: string, timeZone: string): FormattedCallTime {
  const ms = Date.parse(isoDateTime);
  if (Number.isNaN(ms)) throw new RangeError(`Invalid date-time: ${isoDateTime}`);
  const key = `${timeZone}|${Math.floor(ms / 60_000)}`;
  let formatted = callTimes.get(key);
  if (!formatted) {
    formatted = Object.freeze(formatUncached(new Date(ms), timeZone));
    if (callTimes.size >= CALL_TIME_CACHE_SIZE) callTimes.clear();
    callTimes.set(key, formatted);
  }
  return formatted;
}

function formatUncached(instant: Date, timeZone: string): FormattedCallTime {
  const date = tidy(
    formatter(timeZone, "date", { weekday: "long", year: "numeric", month: "long", day: "numeric" }).format(instant),
  );
  const time = tidy(formatter(timeZone, "time", { hour: "numeric", minute: "2-digit" }).format(instant));
  const zoneShort = zoneName(instant, timeZone, "short");
  const zoneLong = zoneName(instant, timeZone, "long");
  return { date, time, zoneShort, zoneLong, timeZone, full: `${date} at ${time} (${zoneShort})` };
}

/** Formats integer minor units (cents) as money, using the currency's own number of decimals (JPY 0, KWD 3). */
export function formatAmount(minorUnits: number, currency: string): string {
  const code = currency.toUpperCase();
  const format = new Intl.NumberFormat(EMAIL_LOCALE, { style: "currency", currency: code });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return tidy(format.format(minorUnits / 10 ** digits));
}
