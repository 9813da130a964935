/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { REMINDER_SUBJECT } from "./booking-reminder-client";
import { callTimeRows, callTimeView, type CallTimeView } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_reminder_creator">;

/** Display strings of `booking_reminder_creator`. */
export type BookingReminderCreatorView = CallTimeView & {
  preview: string;
  greeting: string;
  intro: string;
  clientName: string;
  callTitle: string | undefined;
  bookingUrl: string;
};

/** Subject of `booking_reminder_creator` (the same reminder subject as the fan's). */
export const bookingReminderCreatorSubject = (_props: Props): string => REMINDER_SUBJECT;

/** Display strings of `booking_reminder_creator`, from its props. */
export function bookingReminderCreatorView(props: Props): BookingReminderCreatorView {
  const when = callTimeView(props.callDateTime, props.timeZone);
  return {
    preview: `Your call with ${props.clientName} starts at ${when.time}`,
    greeting: `Hi ${props.recipientName},`,
    intro: `Your video call with ${props.clientName} is about to begin. Your fan is looking forward to it!`,
    clientName: props.clientName,
    callTitle: props.callTitle,
    ...when,
    bookingUrl: props.bookingUrl,
  };
}

/** Reminder to the creator, shortly before the call. */
export function BookingReminderCreatorEmail(view: BookingReminderCreatorView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="Your call is starting soon">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.intro}</Paragraph>
      <Details rows={[["With", view.clientName], ["Call", view.callTitle], ...callTimeRows(view)]} />
      <Paragraph>Open the booking on Call a Star to start the call on time.</Paragraph>
      <CallToAction href={view.bookingUrl} label="Go to the booking" />
    </EmailLayout>
  );
}
