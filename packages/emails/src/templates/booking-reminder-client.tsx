/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { formatCallTime } from "../format";
import { callTimeRows } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_reminder_client">;

/** The reminder subject, exactly as the platform has always sent it. */
export const REMINDER_SUBJECT = "🕒 Reminder: Your call is starting soon!";

/** Subject of `booking_reminder_client`. */
export const bookingReminderClientSubject = (_props: Props): string => REMINDER_SUBJECT;

/** Reminder to the fan, shortly before the call; links the booking page, never the Daily room. */
export function BookingReminderClientEmail(props: Props): ReactNode {
  const when = formatCallTime(props.callDateTime, props.timeZone);
  return (
    <EmailLayout preview={`Your call with ${props.creatorName} starts at ${when.time} (${when.zoneShort})`} heading="Your call is starting soon">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>{`This is a friendly reminder that your video call with ${props.creatorName} is about to begin.`}</Paragraph>
      <Details rows={[["With", props.creatorName], ["Call", props.callTitle], ...callTimeRows(props.callDateTime, props.timeZone)]} />
      <Paragraph>
        Open your booking on Call a Star to join the call when it starts. Find a quiet spot and check that your camera and microphone work.
      </Paragraph>
      <CallToAction href={props.bookingUrl} label="Go to my booking" />
    </EmailLayout>
  );
}
