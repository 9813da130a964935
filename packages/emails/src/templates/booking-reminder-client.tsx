/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { callTimeRows, callTimeView, type CallTimeView } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_reminder_client">;

/** Display strings of `booking_reminder_client`. */
export type BookingReminderClientView = CallTimeView & {
  preview: string;
  greeting: string;
  intro: string;
  creatorName: string;
  callTitle: string | undefined;
  bookingUrl: string;
};

/** The reminder subject, exactly as the platform has always sent it. */
export const REMINDER_SUBJECT = "🕒 Reminder: Your call is starting soon!";

/** Subject of `booking_reminder_client`. */
export const bookingReminderClientSubject = (_props: Props): string => REMINDER_SUBJECT;

/** Display strings of `booking_reminder_client`, from its props. */
export function bookingReminderClientView(props: Props): BookingReminderClientView {
  const when = callTimeView(props.callDateTime, props.timeZone);
  return {
    preview: `Your call with ${props.creatorName} starts at ${when.time}`,
    greeting: `Hi ${props.recipientName},`,
    intro: `This is a friendly reminder that your video call with ${props.creatorName} is about to begin.`,
    creatorName: props.creatorName,
    callTitle: props.callTitle,
    ...when,
    bookingUrl: props.bookingUrl,
  };
}

/** Reminder to the fan, shortly before the call; links the booking page, never the Daily room. */
export function BookingReminderClientEmail(view: BookingReminderClientView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="Your call is starting soon">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.intro}</Paragraph>
      <Details rows={[["With", view.creatorName], ["Call", view.callTitle], ...callTimeRows(view)]} />
      <Paragraph>
        Open your booking on Call a Star to join the call when it starts. Find a quiet spot and check that your camera and microphone work.
      </Paragraph>
      <CallToAction href={view.bookingUrl} label="Go to my booking" />
    </EmailLayout>
  );
}
