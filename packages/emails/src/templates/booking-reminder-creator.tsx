/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { formatCallTime } from "../format";
import { REMINDER_SUBJECT } from "./booking-reminder-client";
import { callTimeRows } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_reminder_creator">;

/** Subject of `booking_reminder_creator` (the same reminder subject as the fan's). */
export const bookingReminderCreatorSubject = (_props: Props): string => REMINDER_SUBJECT;

/** Reminder to the creator, shortly before the call. */
export function BookingReminderCreatorEmail(props: Props): ReactNode {
  const when = formatCallTime(props.callDateTime, props.timeZone);
  return (
    <EmailLayout preview={`Your call with ${props.clientName} starts at ${when.time} (${when.zoneShort})`} heading="Your call is starting soon">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>{`Your video call with ${props.clientName} is about to begin. Your fan is looking forward to it!`}</Paragraph>
      <Details rows={[["With", props.clientName], ["Call", props.callTitle], ...callTimeRows(props.callDateTime, props.timeZone)]} />
      <Paragraph>Open the booking on Call a Star to start the call on time.</Paragraph>
      <CallToAction href={props.bookingUrl} label="Go to the booking" />
    </EmailLayout>
  );
}
