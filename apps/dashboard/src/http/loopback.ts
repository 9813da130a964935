/** True for 127.0.0.0/8, ::1 and localhost (and their IPv4-mapped forms): addresses no other host can use. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.startsWith("::ffff:") ? host.slice(7) : host;
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
