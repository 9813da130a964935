import { formatCallTime } from "../format";

/** A call's start as display strings, in the recipient's zone. */
export type CallTimeView = {
  /** "Wednesday, January 15, 2025" */
  date: string;
  /** "3:30 PM (GMT+1)" */
  time: string;
  /** "Central European Standard Time (Europe/Paris)" */
  timeZone: string;
};

/** Formats a call's start for the recipient's zone (for a view model). */
export function callTimeView(callDateTime: string, timeZone: string): CallTimeView {
  const when = formatCallTime(callDateTime, timeZone);
  return { date: when.date, time: `${when.time} (${when.zoneShort})`, timeZone: `${when.zoneLong} (${when.timeZone})` };
}

/** The date, time and time-zone rows of a call, for <Details>. */
export function callTimeRows(view: CallTimeView): Array<readonly [string, string]> {
  return [
    ["Date", view.date],
    ["Time", view.time],
    ["Time zone", view.timeZone],
  ];
}
