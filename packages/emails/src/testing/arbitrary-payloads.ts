// Seeded generator of email payloads for property-style tests: awkward names (markup characters,
// quotes, emoji, lone surrogates, control and whitespace characters, 200-character names), optional
// props present and absent, many zones, dates across DST changes, amounts in 0-, 2- and 3-decimal
// currencies. Deterministic so a failure can be replayed from its seed.
import { emailPayloadSchema, EMAIL_TEMPLATES, type EmailPayload, type EmailTemplateName } from "@callastar/email-schemas";

/** A small deterministic PRNG (mulberry32): same seed, same sequence. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  "John Doe", "Jane Creator", "O'Brien & Sons", `<script>alert("x")</script>`, "Zoë 🎉 Ünïcödé", "李小龙", "مرحبا بك",
  "A  B", "tab\tname", "new\nline", "cr\r\nlf", "zero\u200bwidth", "\u200bedge", "nul\0byte", "lone \ud83d surrogate",
  "&amp; &lt;literal&gt;", "nbsp\u00a0name", "\u00a0edge nbsp", "e\u0301combining", "👩‍👩‍👧‍👦 family", "x", `"quoted" 'single'`,
  "a > b < c", "https://callastar.com/looks-like-a-url", "ZQX0TOK0ZQX", "zqx1tok1zqx", "form\ffeed", "soft\u00adhyphen",
];
const ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Australia/Lord_Howe", "UTC", "Pacific/Chatham", "America/St_Johns", "Etc/GMT+12"];
const CURRENCIES = ["EUR", "usd", "JPY", "KWD", "GBP", "chf", "INR", "BHD"];
const URLS = [
  "https://callastar.com/bookings/clx123456",
  "http://localhost:3000/bookings/b1",
  "https://callastar.com/b?x=1&y=<2>&z='\"q\"'",
  "https://callastar.com/a  b",
  "https://callastar.com/a b",
  "https://callastar.com/bookings/%F0%9F%8E%89#top",
  "https://callastar.com/bookings/🎉",
  "HTTPS://CALLASTAR.COM/UPPER",
];

/** Builds one random payload of `template`; may be invalid (the caller filters with the schema). */
function rawPayload(template: EmailTemplateName, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = <T>(value: T): T | undefined => (random() < 0.5 ? value : undefined);
  const name = (): string => {
    const roll = random();
    if (roll < 0.1) return pick(NAMES).repeat(40).slice(0, 200).trim() || "x";
    if (roll < 0.3) return `${pick(NAMES)} ${pick(NAMES)}`;
    return pick(NAMES);
  };
  const title = (): string => (random() < 0.1 ? `${name()} `.repeat(20).slice(0, 300).trim() : `${pick(["Q&A", "Coaching", "Chat 🎤"])} with ${name()}`);
  const callDateTime = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 3 * 365 * 24 * 60) * 60_000).toISOString();
  const common = { recipientName: name(), callDateTime, timeZone: pick(ZONES), bookingUrl: pick(URLS) };
  const amount = pick([0, 1, 99, 4900, 123_456, 100_000_000, Math.floor(random() * 1e6)]);
  const money = { amount, currency: pick(CURRENCIES) };
  switch (template) {
    case "booking_reminder_client":
      return { template, props: { ...common, creatorName: name(), callTitle: maybe(title()) } };
    case "booking_reminder_creator":
      return { template, props: { ...common, clientName: name(), callTitle: maybe(title()) } };
    case "booking_confirmation":
      return { template, props: { ...common, creatorName: name(), callTitle: title(), ...money } };
    case "booking_cancelled":
      return { template, props: { ...common, otherPartyName: name(), callTitle: title(), reason: maybe(`${name()} cannot make it`), bookingUrl: maybe(common.bookingUrl) } };
    case "creator_new_booking":
      return { template, props: { ...common, clientName: name(), callTitle: title(), ...money } };
    case "payment_received":
      return { template, props: { recipientName: common.recipientName, ...money, callTitle: maybe(title()), bookingUrl: maybe(common.bookingUrl) } };
  }
}

/** `count` valid payloads cycling through every template, generated from `seed`. */
export function arbitraryPayloads(seed: number, count: number): EmailPayload[] {
  const random = seededRandom(seed);
  const payloads: EmailPayload[] = [];
  for (let i = 0; payloads.length < count; i++) {
    if (i > count * 10) throw new Error("arbitraryPayloads: too many invalid payloads generated");
    const raw = rawPayload(EMAIL_TEMPLATES[i % EMAIL_TEMPLATES.length]!, random);
    const parsed = emailPayloadSchema.safeParse(raw);
    if (parsed.success) payloads.push(parsed.data);
  }
  return payloads;
}
