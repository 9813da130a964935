import { formatCallTime } from "../format";

/** The date, time and time-zone rows of a call, in the recipient's zone. */
export function callTimeRows(callDateTime: string, timeZone: string): Array<readonly [string, string]> {
  const when = formatCallTime(callDateTime, timeZone);
  return [
    ["Date", when.date],
    ["Time", `${when.time} (${when.zoneShort})`],
    ["Time zone", `${when.zoneLong} (${when.timeZone})`],
  ];
}
