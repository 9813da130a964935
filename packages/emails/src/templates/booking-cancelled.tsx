/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { callTimeRows, callTimeView, type CallTimeView } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_cancelled">;

/** Display strings of `booking_cancelled`. */
export type BookingCancelledView = CallTimeView & {
  preview: string;
  greeting: string;
  intro: string;
  otherPartyName: string;
  callTitle: string;
  reason: string | undefined;
  bookingUrl: string | undefined;
};

/** Subject of `booking_cancelled`. */
export const bookingCancelledSubject = (props: Props): string => `Booking cancelled: ${props.callTitle}`;

/** Display strings of `booking_cancelled`, from its props. */
export function bookingCancelledView(props: Props): BookingCancelledView {
  return {
    preview: `Your call with ${props.otherPartyName} has been cancelled`,
    greeting: `Hi ${props.recipientName},`,
    intro: `Your video call with ${props.otherPartyName} has been cancelled and will not take place.`,
    otherPartyName: props.otherPartyName,
    callTitle: props.callTitle,
    ...callTimeView(props.callDateTime, props.timeZone),
    reason: props.reason,
    bookingUrl: props.bookingUrl,
  };
}

/** Tells either party that a booked call will not take place. */
export function BookingCancelledEmail(view: BookingCancelledView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="Your call has been cancelled">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.intro}</Paragraph>
      <Details rows={[["With", view.otherPartyName], ["Call", view.callTitle], ...callTimeRows(view), ["Reason", view.reason]]} />
      <Paragraph>If a payment was made for this call, any refund due is handled automatically.</Paragraph>
      {view.bookingUrl ? <CallToAction href={view.bookingUrl} label="View the booking" /> : null}
    </EmailLayout>
  );
}
